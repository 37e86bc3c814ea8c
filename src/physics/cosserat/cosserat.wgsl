// Cosserat (micropolar) medium in 2-D (Seispie's `spin = yes`): the P-SV fields plus a micro-rotation
// rate w about y, an antisymmetric stress sa and couple stresses mx, mz (Seispie's vy_c, syy_c,
// syx_c, syz_c), with
//   rho dvx/dt += d(sa)/dz,   rho dvz/dt -= d(sa)/dx,   J dw/dt = d(mx)/dx + d(mz)/dz + 2 sa,
//   d(sa)/dt = -2 nu (w + (dvz/dx - dvx/dz) / 2),   d(mx, mz)/dt = (mu_c + nu_c) grad(w).
// Placement: w and sa at the sxz position (i+1/2, j+1/2), so that the local term 2 sa and the curl
// are co-located; mx at (i+1, j+1/2), mz at (i+1/2, j+1). The energy
// 1/2 rho v^2 + 1/2 J w^2 + sa^2 / (2 nu) + m^2 / (2 (mu_c + nu_c)) + elastic is conserved.
const W: u32 = 2u;                // velocity plane: micro-rotation rate
const SA: u32 = 3u;               // stress planes
const MX: u32 = 4u;
const MZ: u32 = 5u;
const DT_OVER_J: u32 = 5u;        // material planes, at w
const DT_2NU: u32 = 6u;           // dt 2 nu at sa
const DT_MUC_NUC_X: u32 = 7u;     // dt (mu_c + nu_c) at mx
const DT_MUC_NUC_Z: u32 = 8u;     // dt (mu_c + nu_c) at mz

// (A z difference for the x force, an x difference for the z force: psv.wgsl passes each through the
// CPML hook of that direction.)
fn extra_force_x(i: i32, j: i32) -> f32 { return dz_backward(STRESS, SA, i, j); }
fn extra_force_z(i: i32, j: i32) -> f32 { return -dx_backward(STRESS, SA, i, j); }

fn extra_velocity_update(i: i32, j: i32, k: u32, taper_value: f32) {
  let n = stride();
  let torque = cpml_dx(VEL, W, i, j, dx_backward(STRESS, MX, i, j)) + cpml_dz(VEL, W, i, j, dz_backward(STRESS, MZ, i, j)) +
               2.0 * stress_get(SA * n + k);
  let w = taper_value * (vel_get(W * n + k) + param(DT_OVER_J, k) * torque);
  vel_set(W * n + k, w);
  watch(w, k);
}

fn extra_stress_update(i: i32, j: i32, k: u32, curl_rate: f32) {
  let n = stride();
  let w = vel_get(W * n + k);
  stress_add(SA * n + k, -(param(DT_2NU, k) * (w + 0.5 * curl_rate)));
  stress_add(MX * n + k, param(DT_MUC_NUC_X, k) * cpml_dx(STRESS, MX, i, j, dx_forward(VEL, W, i, j)));
  stress_add(MZ * n + k, param(DT_MUC_NUC_Z, k) * cpml_dz(STRESS, MZ, i, j, dz_forward(VEL, W, i, j)));
}
