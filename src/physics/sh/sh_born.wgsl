// Linearization of sh.wgsl with respect to its material planes (dt/rho, dt mu).
fn born_velocity_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  return dparam(DT_OVER_RHO, k) * (dx_backward(BG_STRESS, SXY, i, j) + dz_backward(BG_STRESS, SZY, i, j));
}
fn born_stress_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  if (p == SXY) { return dparam(DT_MU, k) * dx_forward(BG_VEL, VY, i, j); }
  return dparam(DT_MU, k) * dz_forward(BG_VEL, VY, i, j);
}
