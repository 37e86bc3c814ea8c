// Adjoint of point sources and receivers, and the reverse clock. Composed after stencil.wgsl,
// fields_adjoint.wgsl and points.wgsl.
@group(0) @binding(6) var<storage, read> receivers: array<u32>;        // plane * npt + node (distinct)
@group(0) @binding(7) var<storage, read> adjoint_source: array<f32>;  // [receiver][NT]: dt * sum_{m>=n} dJ/dd(m)
@group(0) @binding(8) var<storage, read> sources: array<SourcePoint>;
@group(0) @binding(9) var<storage, read> source_time: array<f32>;     // [source][NT]
@group(0) @binding(10) var<storage, read_write> source_adjoint: array<f32>;  // [source][NT]

// Transpose of recording u += dt v: the adjoint velocity receives the accumulated residual.
fn record_residual(r: u32) {
  let at = receivers[r];
  if (at >= STRESS_INDEX0) { return; }
  vel_add(at, adjoint_source[r * NT + run.step]);
}
// Many receivers: a dispatch of their own, one invocation each, before adjoint_points.
@compute @workgroup_size(64)
fn adjoint_record(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.x;
  if (r >= run.receivers || status.halted != 0u) { return; }
  record_residual(r);
}

// Transpose of recording a stress plane after the stress update (receivers.wgsl, record_stress):
// the adjoint stress receives the residual itself, before the transposed stress update.
@compute @workgroup_size(64)
fn adjoint_record_stress(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.x;
  if (r >= run.receivers || status.halted != 0u) { return; }
  let at = receivers[r];
  if (at < STRESS_INDEX0) { return; }
  stress_add(at - STRESS_INDEX0, adjoint_source[r * NT + run.step]);
}

// Transpose of the injection v += taper dt/rho f (or p += dt q for a stress-plane source): the
// source's share of d J / d(dt/rho), and the adjoint wavefield at the source (d J / d f, for the dot-product test and source inversion).
fn inject_transposed(s: u32) {
  let it = run.step;
  let p = sources[s];
  var tv: f32;
  var at = p.field_index;
  if (at >= STRESS_INDEX0) {
    at -= STRESS_INDEX0;
    tv = source_stress_get(at);  // a pressure rate: untapered
  } else {
    tv = boundary_velocity_factor(p.i, p.j) * vel_get(at);
  }
  // The gradient has one copy of each material plane per shot (summed on the host): the source's
  // shot is that of the sample it drives.
  let shot = (at % stride()) / npt();
  if (p.param_index != 0xffffffffu) {  // an unweighted point (a moment tensor) has no material share
    let plane = p.param_index / npt();
    grad_add(plane * stride() + shot * npt() + p.param_index % npt(), tv * source_time[s * NT + it]);
  }
  source_adjoint[s * NT + it] = p.weight * tv;
}

// One workgroup after the transposed velocity update (as the forward's sources, point_sources.wgsl):
// the receivers' residuals (adjoint_points; adjoint_sources when they have a dispatch of their own,
// adjoint_record), then the sources, then the reverse clock moves to the previous step. Separate
// dependent dispatches of a few invocations each cost ~8 us apiece on an H200, the reverse step's
// largest fixed cost.
const POINT_LANES: u32 = 256u;
fn sources_then_tick(lane: u32, halted: bool) {
  for (var s = lane; s < run.sources && !halted; s += POINT_LANES) { inject_transposed(s); }
  storageBarrier();
  workgroupBarrier();
  if (lane == 0u) { run.step -= 1u; }
}
@compute @workgroup_size(POINT_LANES)
fn adjoint_points(@builtin(local_invocation_index) lane: u32) {
  let halted = status.halted != 0u;
  for (var r = lane; r < run.receivers && !halted; r += POINT_LANES) { record_residual(r); }
  // A source may read a node a receiver's residual has just reached.
  storageBarrier();
  workgroupBarrier();
  sources_then_tick(lane, halted);
}
@compute @workgroup_size(POINT_LANES)
fn adjoint_sources(@builtin(local_invocation_index) lane: u32) { sources_then_tick(lane, status.halted != 0u); }
