// Without a model perturbation the linearized (Born) terms of the forward kernels vanish.
fn born_velocity_term(p: u32, i: i32, j: i32, k: u32) -> f32 { return 0.0; }
fn born_stress_term(p: u32, i: i32, j: i32, k: u32) -> f32 { return 0.0; }
