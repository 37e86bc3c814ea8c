// Point sources and receivers, composed after physics/common/stencil.wgsl and solver/points.wgsl.
// Sources act after the velocity update: adding taper * dt/rho * f to the new velocity equals
// Seispie's v = taper * (v + dt (div sigma + f) / rho). Receivers integrate the velocity at their
// node (u += v dt, Seispie's displacement) and store sample `clock` = after that step.
override DT: f32;

@group(0) @binding(4) var<storage, read> sources: array<SourcePoint>;
@group(0) @binding(5) var<storage, read> source_time: array<f32>;  // [source][NT], force per volume
@group(0) @binding(6) var<storage, read> receivers: array<u32>;   // plane * npt + node
@group(0) @binding(7) var<storage, read_write> displacement: array<f32>;  // running u per receiver
@group(0) @binding(8) var<storage, read_write> traces: array<f32>;        // [receiver][NT]

// One workgroup, after the velocity update (the stress update does not change velocities): the
// sources first, then the receivers (which may sit on a source node), then the clock advances.
@compute @workgroup_size(64)
fn points(@builtin(local_invocation_index) lane: u32) {
  let halted = status.halted != 0u;  // then the clock stops at the step that blew up
  let it = run.step;
  for (var s = lane; s < run.sources && !halted; s += 64u) {
    let p = sources[s];
    vel[p.vel_index] += taper(p.i, p.j) * params[p.param_index] * source_time[s * NT + it];
  }
  storageBarrier();
  workgroupBarrier();
  for (var r = lane; r < run.receivers && !halted; r += 64u) {
    let u = displacement[r] + vel[receivers[r]] * DT;
    displacement[r] = u;
    traces[r * NT + it] = u;
  }
  workgroupBarrier();
  if (lane == 0u && !halted) { run.step = it + 1u; }
}
