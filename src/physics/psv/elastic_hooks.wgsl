// Plain elastic medium: no extra degrees of freedom.
fn extra_force_x(i: i32, j: i32) -> f32 { return 0.0; }
fn extra_force_z(i: i32, j: i32) -> f32 { return 0.0; }
fn extra_velocity_update(i: i32, j: i32, k: u32, taper_value: f32) {}
fn extra_stress_update(i: i32, j: i32, k: u32, curl_rate: f32) {}
