// Linearization of acoustic.wgsl with respect to its material planes (dt/rho at vx and vz, dt kappa;
// the volume injection's dt plane does not enter the wave equation).
fn born_velocity_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  if (p == VX) { return -dparam(DT_OVER_RHO_X, k) * dx_forward(BG_STRESS, P, i, j); }
  return -dparam(DT_OVER_RHO_Z, k) * dz_forward(BG_STRESS, P, i, j);
}
fn born_stress_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  return -dparam(DT_KAPPA, k) * (dx_backward(BG_VEL, VX, i, j) + dz_backward(BG_VEL, VZ, i, j));
}
