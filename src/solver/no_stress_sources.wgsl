// The medium's point sources drive velocity planes only: the point kernels leave the stress group
// unbound (split field groups leave them few bindings to spare).
fn source_stress_add(i: u32, v: f32) {}
fn source_stress_get(i: u32) -> f32 { return 0.0; }
