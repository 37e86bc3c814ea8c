// Discrete adjoint of sh.wgsl: each kernel is the transpose of a forward one, run in reverse order.
// The z transposes name the field the forward difference reads (dz_*_t_of), so that a free
// surface's mirror folds back exactly.
fn weighted_stress(p: u32, k: u32) -> f32 { return param(DT_MU, k) * stress_get(p * stride() + k); }
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
  grad_add(DT_MU * n + k, stress_get(SXY * n + k) * dx_forward(FWD_NOW, VY, i, j) +
                              stress_get(SZY * n + k) * dz_forward(FWD_NOW, VY, i, j));
  let v = boundary_velocity_factor(i, j) * vel_get(k) + dx_forward_t(WEIGHTED, SXY, i, j) +
          dz_forward_t_of(0u, VY, WEIGHTED, SZY, i, j);
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
  let div = dx_backward(FWD_BEFORE, VEL_PLANES + SXY, i, j) + dz_backward(FWD_BEFORE, VEL_PLANES + SZY, i, j);
  grad_add(DT_OVER_RHO * n + k, boundary_velocity_factor(i, j) * vel_get(k) * div);
  let sxy = stress_get(SXY * n + k) + dx_backward_t(BUOYANT, VY, i, j);
  let szy = stress_get(SZY * n + k) + dz_backward_t_of(1u, SZY, BUOYANT, VY, i, j);
  stress_set(SXY * n + k, sxy);
  stress_set(SZY * n + k, szy);
  watch(sxy + szy, k);
}
