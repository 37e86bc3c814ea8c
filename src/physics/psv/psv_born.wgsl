// Linearization of psv.wgsl (plain elastic) with respect to its material planes.
fn born_velocity_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  if (p == VX) {
    return dparam(DT_OVER_RHO_X, k) * (dx_forward(BG_STRESS, SXX, i, j) + dz_backward(BG_STRESS, SXZ, i, j));
  }
  return dparam(DT_OVER_RHO_Z, k) * (dx_backward(BG_STRESS, SXZ, i, j) + dz_forward(BG_STRESS, SZZ, i, j));
}
fn born_stress_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  let exx = dx_backward(BG_VEL, VX, i, j);
  let ezz = dz_backward(BG_VEL, VZ, i, j);
  let l2m = param(DT_LAMBDA_2MU, k);
  let l = param(DT_LAMBDA, k);
  let dm = normal_moduli_d_l2m(l2m, l, k) * dparam(DT_LAMBDA_2MU, k) + normal_moduli_d_l(l2m, l, k) * dparam(DT_LAMBDA, k);
  switch p {
    case 0u: { return dm.x * exx + dm.y * ezz; }
    case 1u: { return dm.y * exx + dm.z * ezz; }
    default: { return dparam(DT_MU_XZ, k) * (dz_forward(BG_VEL, VX, i, j) + dx_forward(BG_VEL, VZ, i, j)); }
  }
}
