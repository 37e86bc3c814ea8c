// P-SV (in-plane) velocity-stress on a standard staggered grid (Virieux 1986):
//   sxx, szz at nodes (i, j);  vx at (i+1/2, j);  vz at (i, j+1/2);  sxz at (i+1/2, j+1/2).
// Material planes are precomputed on the host at those positions (see psv.cpp for the averaging).
// The hooks elastic_* are defined by the composed medium: plain elastic (no-ops) or Cosserat.
// Every difference passes through the CPML's hook of its direction (cpml_dx, cpml_dz; identities
// without layers), attached to the plane it updates; the extra forces are differences across the
// direction named (x force: a z difference; z force: an x difference), sharing that hook.
const VX: u32 = 0u;
const VZ: u32 = 1u;
const SXX: u32 = 0u;
const SZZ: u32 = 1u;
const SXZ: u32 = 2u;
const DT_OVER_RHO_X: u32 = 0u;  // dt / rho at vx
const DT_OVER_RHO_Z: u32 = 1u;  // dt / rho at vz
const DT_LAMBDA_2MU: u32 = 2u;  // dt (lambda + 2 mu) at nodes
const DT_LAMBDA: u32 = 3u;      // dt lambda at nodes
const DT_MU_XZ: u32 = 4u;       // dt mu at sxz (harmonic mean of the 4 nodes around)

@compute @workgroup_size(WG_X, WG_Y)
fn velocity(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let n = stride();
  let b = boundary_velocity_factor(i, j);
  let fx = cpml_dx(VEL, VX, i, j, dx_forward(STRESS, SXX, i, j)) +
           cpml_dz(VEL, VX, i, j, dz_backward(STRESS, SXZ, i, j) + extra_force_x(i, j));
  let fz = cpml_dx(VEL, VZ, i, j, dx_backward(STRESS, SXZ, i, j) + extra_force_z(i, j)) +
           cpml_dz(VEL, VZ, i, j, dz_forward(STRESS, SZZ, i, j));
  let vx = b * (vel_get(VX * n + k) + param(DT_OVER_RHO_X, k) * fx + born_velocity_term(VX, i, j, k));
  let vz = b * (vel_get(VZ * n + k) + param(DT_OVER_RHO_Z, k) * fz + born_velocity_term(VZ, i, j, k));
  vel_set(VX * n + k, vx);
  vel_set(VZ * n + k, vz);
  watch(vx + vz, k);
  extra_velocity_update(i, j, k, b);
}

@compute @workgroup_size(WG_X, WG_Y)
fn stress_update(@builtin(global_invocation_id) g: vec3<u32>) {
  let at = grid_node(g);
  if (!at.inside) { return; }
  let i = at.i;
  let j = at.j;
  let k = at.k;
  let n = stride();
  let exx = cpml_dx(STRESS, SXX, i, j, dx_backward(VEL, VX, i, j));
  let ezz = cpml_dz(STRESS, SZZ, i, j, dz_backward(VEL, VZ, i, j));
  let dvx_dz = cpml_dz(STRESS, SXZ, i, j, dz_forward(VEL, VX, i, j));
  let dvz_dx = cpml_dx(STRESS, SXZ, i, j, dx_forward(VEL, VZ, i, j));
  let l2m = param(DT_LAMBDA_2MU, k);
  let l = param(DT_LAMBDA, k);
  let sxx = stress_get(SXX * n + k) + l2m * exx + l * ezz + born_stress_term(SXX, i, j, k);
  let szz = stress_get(SZZ * n + k) + l * exx + l2m * ezz + born_stress_term(SZZ, i, j, k);
  let sxz = stress_get(SXZ * n + k) + param(DT_MU_XZ, k) * (dvx_dz + dvz_dx) + born_stress_term(SXZ, i, j, k);
  stress_set(SXX * n + k, sxx);
  stress_set(SZZ * n + k, szz);
  stress_set(SXZ * n + k, sxz);
  watch(sxx + szz + sxz, k);
  extra_stress_update(i, j, k, dvz_dx - dvx_dz);
  stress_update_done(k);  // last: the state of this node is complete (solver/stress_update_stores.wgsl)
}
