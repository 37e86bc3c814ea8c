// Stress updates that store nothing (every kernel but the forward run of an adjoint with a fused
// store, solver/stress_update_stores.wgsl).
fn stress_update_done(k: u32) {}
