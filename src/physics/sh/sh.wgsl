// SH (antiplane) velocity-stress, exactly Seispie's scheme: vy at nodes, sxy at (i+1/2, j),
// szy at (i, j+1/2); each update uses the parameters of its own node (no averaging). Every
// difference passes through the CPML's hook of its direction (identities without layers).
const VY: u32 = 0u;             // velocity planes
const SXY: u32 = 0u;            // stress planes
const SZY: u32 = 1u;
const DT_OVER_RHO: u32 = 0u;    // material planes
const DT_MU: u32 = 1u;

@compute @workgroup_size(WG_X, WG_Y)
fn velocity(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let div = cpml_dx(VEL, VY, i, j, dx_backward(STRESS, SXY, i, j)) + cpml_dz(VEL, VY, i, j, dz_backward(STRESS, SZY, i, j));
  let v = boundary_velocity_factor(i, j) * (vel_get(k) + param(DT_OVER_RHO, k) * div + born_velocity_term(VY, i, j, k));
  vel_set(k, v);
  watch(v, k);
}

@compute @workgroup_size(WG_X, WG_Y)
fn stress_update(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let dt_mu = param(DT_MU, k);
  let sxy = stress_get(k) + dt_mu * cpml_dx(STRESS, SXY, i, j, dx_forward(VEL, VY, i, j)) + born_stress_term(SXY, i, j, k);
  let szy = stress_get(stride() + k) + dt_mu * cpml_dz(STRESS, SZY, i, j, dz_forward(VEL, VY, i, j)) +
            born_stress_term(SZY, i, j, k);
  stress_set(k, sxy);
  stress_set(stride() + k, szy);
  watch(sxy + szy, k);
  stress_update_done(k);  // last: the state of this node is complete (solver/stress_update_stores.wgsl)
}
