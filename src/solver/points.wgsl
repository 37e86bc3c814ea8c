// Shared by the point-source and receiver kernels (forward and adjoint).
override NT: u32;

// A merged point force: the velocity sample it drives and dt/density there (indices into the
// velocity and material groups), its node for the taper, and the value of dt/density there (copied
// from the material by the host, so that point kernels need not bind the material planes).
struct SourcePoint {
  vel_index: u32,
  param_index: u32,
  i: i32,
  j: i32,
  weight: f32,
}
