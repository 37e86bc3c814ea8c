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

// The normal stresses' update sxx += a exx + b ezz, szz += b exx + c ezz (moduli times dt) at field
// index k: a = c = dt (lambda + 2 mu), b = dt lambda. On a free surface's row (z = 0, the boundary's
// on_free_surface) szz = 0 stays (b = c = 0) and sxx takes ezz = -lambda / (lambda + 2 mu) exx from that
// condition (Levander 1988): a = dt (lambda + 2 mu) - (dt lambda)^2 / (dt (lambda + 2 mu)).
fn normal_moduli(l2m: f32, l: f32, k: u32) -> vec3<f32> {
  if (on_free_surface(k)) { return vec3<f32>(l2m - l * l / l2m, 0.0, 0.0); }
  return vec3<f32>(l2m, l, l2m);
}
// d (a, b, c) / d l2m and d (a, b, c) / d l: the linearization and gradient of those moduli.
fn normal_moduli_d_l2m(l2m: f32, l: f32, k: u32) -> vec3<f32> {
  if (on_free_surface(k)) { return vec3<f32>(1.0 + l * l / (l2m * l2m), 0.0, 0.0); }
  return vec3<f32>(1.0, 0.0, 1.0);
}
fn normal_moduli_d_l(l2m: f32, l: f32, k: u32) -> vec3<f32> {
  if (on_free_surface(k)) { return vec3<f32>(-2.0 * l / l2m, 0.0, 0.0); }
  return vec3<f32>(0.0, 1.0, 0.0);
}

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
  let m = normal_moduli(param(DT_LAMBDA_2MU, k), param(DT_LAMBDA, k), k);
  let sxx = stress_get(SXX * n + k) + m.x * exx + m.y * ezz + born_stress_term(SXX, i, j, k);
  let szz = stress_get(SZZ * n + k) + m.y * exx + m.z * ezz + born_stress_term(SZZ, i, j, k);
  let sxz = stress_get(SXZ * n + k) + param(DT_MU_XZ, k) * (dvx_dz + dvz_dx) + born_stress_term(SXZ, i, j, k);
  stress_set(SXX * n + k, sxx);
  stress_set(SZZ * n + k, szz);
  stress_set(SXZ * n + k, sxz);
  watch(sxx + szz + sxz, k);
  extra_stress_update(i, j, k, dvz_dx - dvx_dz);
  stress_update_done(k);  // last: the state of this node is complete (solver/stress_update_stores.wgsl)
}
