// Receivers, recorded by extra rows of workgroups of every grid kernel's dispatch (the host adds
// them to the stress update's): in parallel, so that thousands of receivers of many shots cost
// no more than one step's fixed cost, and without a dispatch of their own. The stress update does
// not change velocities, so the rows read the velocities after the step's sources. Each receiver
// integrates the velocity at its sample (u += v dt, Seispie's displacement) and stores sample
// `step - 1`: the point kernel has advanced the clock before the stress update.
override REC_NT: u32;
override REC_DT: f32;
override RECORD_WIDTH: u32;  // invocations along x of one row of workgroups

@group(0) @binding(12) var<storage, read> receivers: array<u32>;            // plane * stride + shot * npt + node
@group(0) @binding(13) var<storage, read_write> displacement: array<f32>;  // running u per receiver
@group(0) @binding(14) var<storage, read_write> traces: array<f32>;        // [receiver][REC_NT]

fn record_receivers(g: vec3<u32>) {
  if (g.z != 0u || status.halted != 0u) { return; }
  let capacity = RECORD_WIDTH * WG_Y * RECORD_ROWS;
  let it = run.step - 1u;
  for (var r = (g.y - RECORD_ROW0) * RECORD_WIDTH + g.x; r < run.receivers; r += capacity) {
    let at = receivers[r];
    if (at >= STRESS_INDEX0) { continue; }  // a stress sample: record_stress, after the stress update
    let u = displacement[r] + vel_get(at) * REC_DT;
    displacement[r] = u;
    traces[r * REC_NT + it] = u;
  }
}

// The same as a dispatch of its own (one invocation per receiver, after the step's point kernel),
// for kernels that have no binding to spare for the receivers (the Born perturbation's).
@compute @workgroup_size(64)
fn record(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.x + g.y * 64u * 65535u;
  if (r >= run.receivers || status.halted != 0u) { return; }
  let at = receivers[r];
  if (at >= STRESS_INDEX0) { return; }
  let u = displacement[r] + vel_get(at) * REC_DT;
  displacement[r] = u;
  traces[r * REC_NT + run.step - 1u] = u;
}

// Receivers of a stress plane (the acoustic pressure): its value after the step's stress update, as
// it is (not integrated), in a dispatch of its own after that update (which writes the plane, so
// that its own rows could not read it). Dispatched only where some receiver samples a stress plane.
@compute @workgroup_size(64)
fn record_stress(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.x + g.y * 64u * 65535u;
  if (r >= run.receivers || status.halted != 0u) { return; }
  let at = receivers[r];
  if (at < STRESS_INDEX0) { return; }
  traces[r * REC_NT + run.step - 1u] = stress_get(at - STRESS_INDEX0);
}
