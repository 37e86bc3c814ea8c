// Plain elastic medium: the adjoint has no extra terms.
fn adjoint_weighted_stress(p: u32, dir: u32, i: i32, j: i32, k: u32) -> f32 { return 0.0; }
fn adjoint_buoyancy_plane(p: u32) -> u32 { return DT_OVER_RHO_Z; }
fn adjoint_extra_vx(i: i32, j: i32) -> f32 { return 0.0; }
fn adjoint_extra_vz(i: i32, j: i32) -> f32 { return 0.0; }
fn adjoint_extra_velocity(i: i32, j: i32, k: u32, taper_value: f32) {}
fn adjoint_forward_extra_force_x(i: i32, j: i32) -> f32 { return 0.0; }
fn adjoint_forward_extra_force_z(i: i32, j: i32) -> f32 { return 0.0; }
fn adjoint_extra_stress(i: i32, j: i32, k: u32, taper_value: f32) {}
