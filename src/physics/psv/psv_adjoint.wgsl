// Discrete adjoint of psv.wgsl: each kernel is the transpose of a forward one. The z transposes name
// the field the forward difference reads (dz_*_t_of), so that a free surface's images and reduced
// differences transpose exactly. The adjoint_* hooks
// carry a composed medium's extra terms (no-ops for plain elastic, Cosserat in cosserat_adjoint.wgsl).
fn weighted_stress(p: u32, k: u32) -> f32 {
  let n = stride();
  let sxx = stress_get(SXX * n + k);
  let szz = stress_get(SZZ * n + k);
  switch p {
    case 0u: {  // weight of d vx/dx
      let m = normal_moduli(param(DT_LAMBDA_2MU, k), param(DT_LAMBDA, k), k);
      return m.x * sxx + m.y * szz;
    }
    case 1u: {  // weight of d vz/dz
      let m = normal_moduli(param(DT_LAMBDA_2MU, k), param(DT_LAMBDA, k), k);
      return m.y * sxx + m.z * szz;
    }
    case 2u: { return param(DT_MU_XZ, k) * stress_get(SXZ * n + k); }                // weight of the shear strain
    default: { return adjoint_weighted_stress(p, k); }
  }
}
fn buoyancy_plane(p: u32) -> u32 {
  if (p == VX) { return DT_OVER_RHO_X; }
  if (p == VZ) { return DT_OVER_RHO_Z; }
  return adjoint_buoyancy_plane(p);
}

@compute @workgroup_size(WG_X, WG_Y)
fn adjoint_velocity(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let n = stride();
  let exx = dx_backward(FWD_NOW, VX, i, j);
  let ezz = dz_backward(FWD_NOW, VZ, i, j);
  let shear = dz_forward(FWD_NOW, VX, i, j) + dx_forward(FWD_NOW, VZ, i, j);
  let sxx = stress_get(SXX * n + k);
  let szz = stress_get(SZZ * n + k);
  // d/d(l2m, l) of sxx^ (a exx + b ezz) + szz^ (b exx + c ezz).
  let l2m = param(DT_LAMBDA_2MU, k);
  let l = param(DT_LAMBDA, k);
  let products = vec3<f32>(sxx * exx, sxx * ezz + szz * exx, szz * ezz);
  grad_add(DT_LAMBDA_2MU * n + k, dot(normal_moduli_d_l2m(l2m, l, k), products));
  grad_add(DT_LAMBDA * n + k, dot(normal_moduli_d_l(l2m, l, k), products));
  grad_add(DT_MU_XZ * n + k, stress_get(SXZ * n + k) * shear);
  let b = boundary_velocity_factor(i, j);
  let vx = b * vel_get(VX * n + k) + dx_backward_t(WEIGHTED, 0u, i, j) + dz_forward_t_of(0u, VX, WEIGHTED, 2u, i, j) +
           adjoint_extra_vx(i, j);
  let vz = b * vel_get(VZ * n + k) + dz_backward_t_of(0u, VZ, WEIGHTED, 1u, i, j) + dx_forward_t(WEIGHTED, 2u, i, j) +
           adjoint_extra_vz(i, j);
  vel_set(VX * n + k, vx);
  vel_set(VZ * n + k, vz);
  watch(vx + vz, k);
  adjoint_extra_velocity(i, j, k, b);
}

@compute @workgroup_size(WG_X, WG_Y)
fn adjoint_stress(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let n = stride();
  let fx = dx_forward(FWD_BEFORE, VEL_PLANES + SXX, i, j) + dz_backward(FWD_BEFORE, VEL_PLANES + SXZ, i, j) +
           adjoint_forward_extra_force_x(i, j);
  let fz = dx_backward(FWD_BEFORE, VEL_PLANES + SXZ, i, j) + dz_forward(FWD_BEFORE, VEL_PLANES + SZZ, i, j) +
           adjoint_forward_extra_force_z(i, j);
  let b = boundary_velocity_factor(i, j);
  grad_add(DT_OVER_RHO_X * n + k, b * vel_get(VX * n + k) * fx);
  grad_add(DT_OVER_RHO_Z * n + k, b * vel_get(VZ * n + k) * fz);
  let sxx = stress_get(SXX * n + k) + dx_forward_t(BUOYANT, VX, i, j);
  let szz = stress_get(SZZ * n + k) + dz_forward_t_of(1u, SZZ, BUOYANT, VZ, i, j);
  let sxz = stress_get(SXZ * n + k) + dz_backward_t_of(1u, SXZ, BUOYANT, VX, i, j) + dx_backward_t(BUOYANT, VZ, i, j);
  stress_set(SXX * n + k, sxx);
  stress_set(SZZ * n + k, szz);
  stress_set(SXZ * n + k, sxz);
  watch(sxx + szz + sxz, k);
  adjoint_extra_stress(i, j, k, b);
}
