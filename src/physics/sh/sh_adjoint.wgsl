// Discrete adjoint of sh.wgsl: each kernel is the transpose of a forward one, run in reverse order.
// The z transposes name the field the forward difference reads (dz_*_t_of), so that a free
// surface's mirror folds back exactly.
// Transposed differences and gradient terms of direction x (z) read the adjoint fields as that
// direction sees them (WEIGHTED_X, BUOYANT_X, seen_*(0u, ...)): their CPML memory (cpml.wgsl).
fn weighted_stress(p: u32, dir: u32, i: i32, j: i32, k: u32) -> f32 { return param(DT_MU, k) * seen_stress(dir, p, i, j, k); }
fn buoyancy_plane(p: u32) -> u32 { return DT_OVER_RHO; }

// Transpose of the stress update s += dt mu G v (plus the taper of the previous reverse step):
// v^ = taper v^ + G^T (dt mu s^), and d J / d(dt mu) += s^ . G v(n).
@compute @workgroup_size(WG_X, WG_Y)
fn adjoint_velocity(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let n = stride();
  remember_velocities(i, j, k);
  grad_add(DT_MU * n + k, seen_stress(0u, SXY, i, j, k) * dx_forward(FWD_NOW, VY, i, j) +
                              seen_stress(1u, SZY, i, j, k) * dz_forward(FWD_NOW, VY, i, j));
  let v = boundary_velocity_factor(i, j) * vel_get(k) + dx_forward_t(WEIGHTED_X, SXY, i, j) +
          dz_forward_t_of(0u, VY, WEIGHTED_Z, SZY, i, j);
  vel_set(k, v);
  watch(v, k);
}

// Transpose of the velocity update v = taper (v + dt/rho D s): s^ += D^T (taper dt/rho v^), and
// d J / d(dt/rho) += taper v^ . D s(n-1/2). (The taper factor on v^ itself is applied by the next
// reverse step's adjoint_velocity.)
@compute @workgroup_size(WG_X, WG_Y)
fn adjoint_stress(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let n = stride();
  remember_stresses(i, j, k);
  grad_add(DT_OVER_RHO * n + k,
           boundary_velocity_factor(i, j) *
               (seen_velocity(0u, VY, i, j, k) * dx_backward(FWD_BEFORE, VEL_PLANES + SXY, i, j) +
                seen_velocity(1u, VY, i, j, k) * dz_backward(FWD_BEFORE, VEL_PLANES + SZY, i, j)));
  let sxy = stress_get(SXY * n + k) + dx_backward_t(BUOYANT_X, VY, i, j);
  let szy = stress_get(SZY * n + k) + dz_backward_t_of(1u, SZY, BUOYANT_Z, VY, i, j);
  stress_set(SXY * n + k, sxy);
  stress_set(SZY * n + k, szy);
  watch(sxy + szy, k);
}
