// Linearization of sh.wgsl with respect to its material planes (dt/rho, dt mu).
// The background's differences as its kernels took them (cpml_background_*: its CPML memory).
fn born_velocity_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  return dparam(DT_OVER_RHO, k) * (cpml_background_dx(VEL, VY, i, j, dx_backward(BG_STRESS, SXY, i, j)) +
                                   cpml_background_dz(VEL, VY, i, j, dz_backward(BG_STRESS, SZY, i, j)));
}
fn born_stress_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  if (p == SXY) { return dparam(DT_MU, k) * cpml_background_dx(STRESS, SXY, i, j, dx_forward(BG_VEL, VY, i, j)); }
  return dparam(DT_MU, k) * cpml_background_dz(STRESS, SZY, i, j, dz_forward(BG_VEL, VY, i, j));
}
