// Point sources, composed after physics/common/stencil.wgsl and solver/points.wgsl. Sources act
// after the velocity update: adding taper * dt/rho * f to the new velocity equals Seispie's
// v = taper * (v + dt (div sigma + f) / rho). Sources on a stress plane (the acoustic pressure) act
// at the same moment, before the stress update.

@group(0) @binding(4) var<storage, read> sources: array<SourcePoint>;
@group(0) @binding(5) var<storage, read> source_time: array<f32>;  // [source][NT], force per volume

// One workgroup, after the velocity update (the stress update does not change velocities): the
// sources, then the clock advances. Receivers are recorded by the stress update's dispatch
// (solver/receivers.wgsl).
@compute @workgroup_size(64)
fn points(@builtin(local_invocation_index) lane: u32) {
  let halted = status.halted != 0u;  // then the clock stops at the step that blew up
  let it = run.step;
  for (var s = lane; s < run.sources && !halted; s += 64u) {
    let p = sources[s];
    let value = p.weight * source_time[s * NT + it];
    if (p.field_index >= STRESS_INDEX0) {
      // A pressure rate (acoustic volume injection): the taper damps velocities, not the pressure.
      source_stress_add(p.field_index - STRESS_INDEX0, value);
    } else {
      vel_add(p.field_index, boundary_velocity_factor(p.i, p.j) * value);
    }
  }
  workgroupBarrier();
  if (lane == 0u && !halted) { run.step = it + 1u; }
}
