// Linearization of psv.wgsl (plain elastic) with respect to its material planes: the background's
// differences as its kernels took them (cpml_background_*: with its CPML memory variables).
fn born_velocity_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  if (p == VX) {
    return dparam(DT_OVER_RHO_X, k) * (cpml_background_dx(VEL, VX, i, j, dx_forward(BG_STRESS, SXX, i, j)) +
                                       cpml_background_dz(VEL, VX, i, j, dz_backward(BG_STRESS, SXZ, i, j)));
  }
  return dparam(DT_OVER_RHO_Z, k) * (cpml_background_dx(VEL, VZ, i, j, dx_backward(BG_STRESS, SXZ, i, j)) +
                                     cpml_background_dz(VEL, VZ, i, j, dz_forward(BG_STRESS, SZZ, i, j)));
}
fn born_stress_term(p: u32, i: i32, j: i32, k: u32) -> f32 {
  let exx = cpml_background_dx(STRESS, SXX, i, j, dx_backward(BG_VEL, VX, i, j));
  let ezz = cpml_background_dz(STRESS, SZZ, i, j, dz_backward(BG_VEL, VZ, i, j));
  let l2m = param(DT_LAMBDA_2MU, k);
  let l = param(DT_LAMBDA, k);
  let dm = normal_moduli_d_l2m(l2m, l, k) * dparam(DT_LAMBDA_2MU, k) + normal_moduli_d_l(l2m, l, k) * dparam(DT_LAMBDA, k);
  switch p {
    case 0u: { return dm.x * exx + dm.y * ezz; }
    case 1u: { return dm.y * exx + dm.z * ezz; }
    default: {
      return dparam(DT_MU_XZ, k) * (cpml_background_dz(STRESS, SXZ, i, j, dz_forward(BG_VEL, VX, i, j)) +
                                    cpml_background_dx(STRESS, SXZ, i, j, dx_forward(BG_VEL, VZ, i, j)));
    }
  }
}
