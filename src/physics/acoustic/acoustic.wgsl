// Acoustic pressure-velocity on the staggered grid of P-SV (psv.wgsl), with the pressure where
// sxx and szz live:
//   p at nodes (i, j);  vx at (i+1/2, j);  vz at (i, j+1/2).
//   rho dv/dt = -grad p,   dp/dt = -kappa div v (+ volume injection, solver/point_sources.wgsl),
// kappa = rho vp^2. The same difference operators as P-SV: its fields with sxx = szz = -p, mu = 0.
// Every difference passes through the CPML's hook of its direction (identities without layers).
const VX: u32 = 0u;             // velocity planes
const VZ: u32 = 1u;
const P: u32 = 0u;              // stress planes: the pressure
const DT_OVER_RHO_X: u32 = 0u;  // material planes: dt / rho at vx (mean of the 2 nodes around)
const DT_OVER_RHO_Z: u32 = 1u;  // dt / rho at vz
const DT_KAPPA: u32 = 2u;       // dt kappa at the nodes
const DT_PLANE: u32 = 3u;       // dt: the weight of a volume injection (dp = dt q)

@compute @workgroup_size(WG_X, WG_Y)
fn velocity(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let n = stride();
  let b = boundary_velocity_factor(i, j);
  let vx = b * (vel_get(VX * n + k) - param(DT_OVER_RHO_X, k) * cpml_dx(VEL, VX, i, j, dx_forward(STRESS, P, i, j)) +
                born_velocity_term(VX, i, j, k));
  let vz = b * (vel_get(VZ * n + k) - param(DT_OVER_RHO_Z, k) * cpml_dz(VEL, VZ, i, j, dz_forward(STRESS, P, i, j)) +
                born_velocity_term(VZ, i, j, k));
  vel_set(VX * n + k, vx);
  vel_set(VZ * n + k, vz);
  watch(vx + vz, k);
}

@compute @workgroup_size(WG_X, WG_Y)
fn stress_update(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let div = cpml_dx(STRESS, P, i, j, dx_backward(VEL, VX, i, j)) + cpml_dz(STRESS, P, i, j, dz_backward(VEL, VZ, i, j));
  let p = stress_get(k) - param(DT_KAPPA, k) * div + born_stress_term(P, i, j, k);
  stress_set(k, p);
  watch(p, k);
}
