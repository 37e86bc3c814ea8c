// Linearization of acoustic.wgsl with respect to its material planes (dt/rho at vx and vz, dt kappa;
// the volume injection's dt plane does not enter the wave equation).
// The background's differences as its kernels took them (cpml_background_*: its CPML memory).
fn born_velocity_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  if (p == VX) { return -dparam(DT_OVER_RHO_X, k) * cpml_background_dx(VEL, VX, i, j, dx_forward(BG_STRESS, P, i, j)); }
  return -dparam(DT_OVER_RHO_Z, k) * cpml_background_dz(VEL, VZ, i, j, dz_forward(BG_STRESS, P, i, j));
}
fn born_stress_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  return -dparam(DT_KAPPA, k) * (cpml_background_dx(STRESS, P, i, j, dx_backward(BG_VEL, VX, i, j)) +
                                 cpml_background_dz(STRESS, P, i, j, dz_backward(BG_VEL, VZ, i, j)));
}
