// Shared by the point-source and receiver kernels (forward and adjoint).
override NT: u32;

// A merged point force: the sample it drives (an index into the velocity group, or from
// STRESS_INDEX0 on into the stress group) and dt/density there (an index into the material group),
// its node for the taper, and the value of dt/density there (copied from the material by the host,
// so that point kernels need not bind the material planes).
struct SourcePoint {
  field_index: u32,
  param_index: u32,
  i: i32,
  j: i32,
  weight: f32,
}
