// Discrete adjoint of the Cosserat terms of cosserat.wgsl (hooks of psv_adjoint.wgsl).
// Forward, per step: vx += b_x dz(sa), vz -= b_z dx(sa), w = T (w + b_w (dx mx + dz mz + 2 sa));
// then sa -= c_a (w + (dx vz - dz vx) / 2), mx += c_x dx w, mz += c_z dz w (c_a = dt 2 nu,
// c_x, c_z = dt (mu_c + nu_c) at mx, mz). Their transposes, and d J / d (b_w, c_a, c_x, c_z). The z
// transposes name the field the forward difference reads (dz_*_t_of: a free surface's images).

// Weighted adjoint stresses of the extra terms (WEIGHTED source planes 3..5).
const SA_HALF: u32 = 3u;  // c_a sa^ / 2: the curl's share
const MX_WEIGHTED: u32 = 4u;
const MZ_WEIGHTED: u32 = 5u;
fn adjoint_weighted_stress(p: u32, dir: u32, i: i32, j: i32, k: u32) -> f32 {
  switch p {
    case 3u: { return 0.5 * param(DT_2NU, k) * seen_stress(dir, SA, i, j, k); }
    case 4u: { return param(DT_MUC_NUC_X, k) * seen_stress(dir, MX, i, j, k); }
    default: { return param(DT_MUC_NUC_Z, k) * seen_stress(dir, MZ, i, j, k); }
  }
}
fn adjoint_buoyancy_plane(p: u32) -> u32 { return DT_OVER_J; }

// Transpose of sa -= c_a (... + (dx vz - dz vx) / 2): vx^ += dz_f^T (c_a sa^ / 2), vz^ -= dx_f^T (...).
fn adjoint_extra_vx(i: i32, j: i32) -> f32 { return dz_forward_t_of(0u, VX, WEIGHTED_Z, SA_HALF, i, j); }
fn adjoint_extra_vz(i: i32, j: i32) -> f32 { return -dx_forward_t(WEIGHTED_X, SA_HALF, i, j); }

// The rest of the transposed stress update, for w^ (after the previous reverse step's taper).
fn adjoint_extra_velocity(i: i32, j: i32, k: u32, taper_value: f32) {
  let n = stride();
  let sa = stress_get(SA * n + k);
  let w_now = load(FWD_NOW, W, i, j);
  let dvz_dx = dx_forward(FWD_NOW, VZ, i, j);
  let dvx_dz = dz_forward(FWD_NOW, VX, i, j);
  grad_add(DT_2NU * n + k, -(sa * w_now + 0.5 * (seen_stress(0u, SA, i, j, k) * dvz_dx -
                                                 seen_stress(1u, SA, i, j, k) * dvx_dz)));
  grad_add(DT_MUC_NUC_X * n + k, seen_stress(0u, MX, i, j, k) * dx_forward(FWD_NOW, W, i, j));
  grad_add(DT_MUC_NUC_Z * n + k, seen_stress(1u, MZ, i, j, k) * dz_forward(FWD_NOW, W, i, j));
  let w = taper_value * vel_get(W * n + k) - param(DT_2NU, k) * sa + dx_forward_t(WEIGHTED_X, MX_WEIGHTED, i, j) +
          dz_forward_t_of(0u, W, WEIGHTED_Z, MZ_WEIGHTED, i, j);
  vel_set(W * n + k, w);
  watch(w, k);
}

// The forward state's extra forces (for d J / d b_x, b_z).
fn adjoint_forward_extra_force_x(i: i32, j: i32) -> f32 { return dz_backward(FWD_BEFORE, VEL_PLANES + SA, i, j); }
fn adjoint_forward_extra_force_z(i: i32, j: i32) -> f32 { return -dx_backward(FWD_BEFORE, VEL_PLANES + SA, i, j); }

// Transpose of the extra velocity updates: sa^ += dz_b^T(q_x) - dx_b^T(q_z) + 2 q_w, m^ += d_b^T(q_w),
// q = T b v^; and d J / d b_w.
fn adjoint_extra_stress(i: i32, j: i32, k: u32, taper_value: f32) {
  let n = stride();
  let w = vel_get(W * n + k);
  grad_add(DT_OVER_J * n + k, taper_value * (seen_velocity(0u, W, i, j, k) * dx_backward(FWD_BEFORE, VEL_PLANES + MX, i, j) +
                                             seen_velocity(1u, W, i, j, k) * dz_backward(FWD_BEFORE, VEL_PLANES + MZ, i, j) +
                                             w * 2.0 * load(FWD_BEFORE, VEL_PLANES + SA, i, j)));
  let q_w = taper_value * param(DT_OVER_J, k) * w;
  let sa = stress_get(SA * n + k) + dz_backward_t_of(1u, SA, BUOYANT_Z, VX, i, j) - dx_backward_t(BUOYANT_X, VZ, i, j) +
           2.0 * q_w;
  let mx = stress_get(MX * n + k) + dx_backward_t(BUOYANT_X, W, i, j);
  let mz = stress_get(MZ * n + k) + dz_backward_t_of(1u, MZ, BUOYANT_Z, W, i, j);
  stress_set(SA * n + k, sa);
  stress_set(MX * n + k, mx);
  stress_set(MZ * n + k, mz);
  watch(sa + mx + mz, k);
}
