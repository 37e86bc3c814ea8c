// Point sources that drive a stress plane (the acoustic volume injection): the point kernels reach
// the stress group. Composed before point_sources.wgsl / adjoint_points.wgsl.
fn source_stress_add(i: u32, v: f32) { stress_add(i, v); }
fn source_stress_get(i: u32) -> f32 { return stress_get(i); }
