// Discrete adjoint of psv.wgsl: each kernel is the transpose of a forward one. The z transposes name
// the field the forward difference reads (dz_*_t_of), so that a free surface's images and reduced
// differences transpose exactly. The adjoint_* hooks
// carry a composed medium's extra terms (no-ops for plain elastic, Cosserat in cosserat_adjoint.wgsl).
// Transposed differences and gradient terms of direction x (z) read the adjoint fields as that
// direction sees them (WEIGHTED_X, BUOYANT_X, seen_*(0u, ...)): their CPML memory (cpml.wgsl).
fn weighted_stress(p: u32, dir: u32, i: i32, j: i32, k: u32) -> f32 {
  let sxx = seen_stress(dir, SXX, i, j, k);
  let szz = seen_stress(dir, SZZ, i, j, k);
  switch p {
    case 0u: {  // weight of d vx/dx
      let m = normal_moduli(param(DT_LAMBDA_2MU, k), param(DT_LAMBDA, k), k);
      return m.x * sxx + m.y * szz;
    }
    case 1u: {  // weight of d vz/dz
      let m = normal_moduli(param(DT_LAMBDA_2MU, k), param(DT_LAMBDA, k), k);
      return m.y * sxx + m.z * szz;
    }
    case 2u: { return param(DT_MU_XZ, k) * seen_stress(dir, SXZ, i, j, k); }  // weight of the shear strain
    default: { return adjoint_weighted_stress(p, dir, i, j, k); }
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
  remember_velocities(i, j, k);
  let exx = dx_backward(FWD_NOW, VX, i, j);
  let ezz = dz_backward(FWD_NOW, VZ, i, j);
  let dvx_dz = dz_forward(FWD_NOW, VX, i, j);
  let dvz_dx = dx_forward(FWD_NOW, VZ, i, j);
  // d/d(l2m, l) of sxx^ (a exx + b ezz) + szz^ (b exx + c ezz), each adjoint stress as the
  // strain's direction sees it.
  let l2m = param(DT_LAMBDA_2MU, k);
  let l = param(DT_LAMBDA, k);
  let products = vec3<f32>(seen_stress(0u, SXX, i, j, k) * exx,
                           seen_stress(1u, SXX, i, j, k) * ezz + seen_stress(0u, SZZ, i, j, k) * exx,
                           seen_stress(1u, SZZ, i, j, k) * ezz);
  grad_add(DT_LAMBDA_2MU * n + k, dot(normal_moduli_d_l2m(l2m, l, k), products));
  grad_add(DT_LAMBDA * n + k, dot(normal_moduli_d_l(l2m, l, k), products));
  grad_add(DT_MU_XZ * n + k, seen_stress(1u, SXZ, i, j, k) * dvx_dz + seen_stress(0u, SXZ, i, j, k) * dvz_dx);
  let b = boundary_velocity_factor(i, j);
  let vx = b * vel_get(VX * n + k) + dx_backward_t(WEIGHTED_X, 0u, i, j) +
           dz_forward_t_of(0u, VX, WEIGHTED_Z, 2u, i, j) + adjoint_extra_vx(i, j);
  let vz = b * vel_get(VZ * n + k) + dz_backward_t_of(0u, VZ, WEIGHTED_Z, 1u, i, j) +
           dx_forward_t(WEIGHTED_X, 2u, i, j) +
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
  remember_stresses(i, j, k);
  // The forward forces by direction (the extra forces are differences across the other one).
  let fx_x = dx_forward(FWD_BEFORE, VEL_PLANES + SXX, i, j);
  let fx_z = dz_backward(FWD_BEFORE, VEL_PLANES + SXZ, i, j) + adjoint_forward_extra_force_x(i, j);
  let fz_x = dx_backward(FWD_BEFORE, VEL_PLANES + SXZ, i, j) + adjoint_forward_extra_force_z(i, j);
  let fz_z = dz_forward(FWD_BEFORE, VEL_PLANES + SZZ, i, j);
  let b = boundary_velocity_factor(i, j);
  grad_add(DT_OVER_RHO_X * n + k, b * (seen_velocity(0u, VX, i, j, k) * fx_x + seen_velocity(1u, VX, i, j, k) * fx_z));
  grad_add(DT_OVER_RHO_Z * n + k, b * (seen_velocity(0u, VZ, i, j, k) * fz_x + seen_velocity(1u, VZ, i, j, k) * fz_z));
  let sxx = stress_get(SXX * n + k) + dx_forward_t(BUOYANT_X, VX, i, j);
  let szz = stress_get(SZZ * n + k) + dz_forward_t_of(1u, SZZ, BUOYANT_Z, VZ, i, j);
  let sxz = stress_get(SXZ * n + k) + dz_backward_t_of(1u, SXZ, BUOYANT_Z, VX, i, j) + dx_backward_t(BUOYANT_X, VZ, i, j);
  stress_set(SXX * n + k, sxx);
  stress_set(SZZ * n + k, szz);
  stress_set(SXZ * n + k, sxz);
  watch(sxx + szz + sxz, k);
  adjoint_extra_stress(i, j, k, b);
}
