// Shared by the point-source and receiver kernels (forward and adjoint).
override NT: u32;

// A merged point force: the velocity sample it drives and dt/density there (indices into the
// velocity and material buffers), and its node for the taper.
struct SourcePoint {
  vel_index: u32,
  param_index: u32,
  i: i32,
  j: i32,
}
