// Discrete adjoint of acoustic.wgsl: each kernel is the transpose of a forward one, run in reverse
// order (as psv_adjoint.wgsl, with the pressure's signs). The z transposes name the field the
// forward difference reads (dz_*_t_of), so that a free surface's mirror folds back exactly.
// Transposed differences and gradient terms of direction x (z) read the adjoint fields as that
// direction sees them (WEIGHTED_X, BUOYANT_X, seen_*(0u, ...)): their CPML memory (cpml.wgsl).
fn weighted_stress(p: u32, dir: u32, i: i32, j: i32, k: u32) -> f32 { return param(DT_KAPPA, k) * seen_stress(dir, P, i, j, k); }
fn buoyancy_plane(p: u32) -> u32 { return select(DT_OVER_RHO_X, DT_OVER_RHO_Z, p == VZ); }

// Transpose of p -= dt kappa (Dx vx + Dz vz): v^ = taper v^ - D^T (dt kappa p^), and
// d J / d(dt kappa) -= p^ . div v(n).
@compute @workgroup_size(WG_X, WG_Y)
fn adjoint_velocity(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let n = stride();
  remember_velocities(i, j, k);
  grad_add(DT_KAPPA * n + k, -(seen_stress(0u, P, i, j, k) * dx_backward(FWD_NOW, VX, i, j) +
                               seen_stress(1u, P, i, j, k) * dz_backward(FWD_NOW, VZ, i, j)));
  let b = boundary_velocity_factor(i, j);
  let vx = b * vel_get(VX * n + k) - dx_backward_t(WEIGHTED_X, P, i, j);
  let vz = b * vel_get(VZ * n + k) - dz_backward_t_of(0u, VZ, WEIGHTED_Z, P, i, j);
  vel_set(VX * n + k, vx);
  vel_set(VZ * n + k, vz);
  watch(vx + vz, k);
}

// Transpose of v = taper (v - dt/rho D p): p^ -= D^T (taper dt/rho v^), and
// d J / d(dt/rho) -= taper v^ . D p(n-1/2).
@compute @workgroup_size(WG_X, WG_Y)
fn adjoint_stress(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let n = stride();
  remember_stresses(i, j, k);
  let b = boundary_velocity_factor(i, j);
  grad_add(DT_OVER_RHO_X * n + k, -b * seen_velocity(0u, VX, i, j, k) * dx_forward(FWD_BEFORE, VEL_PLANES + P, i, j));
  grad_add(DT_OVER_RHO_Z * n + k, -b * seen_velocity(1u, VZ, i, j, k) * dz_forward(FWD_BEFORE, VEL_PLANES + P, i, j));
  let p = stress_get(k) - dx_forward_t(BUOYANT_X, VX, i, j) - dz_forward_t_of(1u, P, BUOYANT_Z, VZ, i, j);
  stress_set(k, p);
  watch(p, k);
}
