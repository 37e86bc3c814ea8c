// Adjoint of point sources and receivers, and the reverse clock. Composed after stencil.wgsl,
// fields_adjoint.wgsl and points.wgsl.
@group(0) @binding(6) var<storage, read> receivers: array<u32>;        // plane * npt + node (distinct)
@group(0) @binding(7) var<storage, read> adjoint_source: array<f32>;  // [receiver][NT]: dt * sum_{m>=n} dJ/dd(m)
@group(0) @binding(8) var<storage, read> sources: array<SourcePoint>;
@group(0) @binding(9) var<storage, read> source_time: array<f32>;     // [source][NT]
@group(0) @binding(10) var<storage, read_write> source_adjoint: array<f32>;  // [source][NT]

// Transpose of recording u += dt v: the adjoint velocity receives the accumulated residual.
@compute @workgroup_size(64)
fn adjoint_record(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.x;
  if (r >= run.receivers || status.halted != 0u) { return; }
  let at = receivers[r];
  if (at >= STRESS_INDEX0) { return; }
  vel_add(at, adjoint_source[r * NT + run.step]);
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
@compute @workgroup_size(64)
fn adjoint_inject(@builtin(global_invocation_id) g: vec3<u32>) {
  let s = g.x;
  if (s >= run.sources || status.halted != 0u) { return; }
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

@compute @workgroup_size(1)
fn reverse_tick() { run.step -= 1u; }
