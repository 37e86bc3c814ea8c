// The stress update of an adjoint's forward run also stores the step's state (every velocity plane,
// then every stress plane, at this invocation's node) into slot `step - segment_start` of the
// store, in store_state.wgsl's layout. The velocities are final once the point kernel has run (the
// stress update does not change them) and this invocation has just read them for its strains, and
// it wrote the stresses itself: the state costs its 20-28 bytes of writes per node, where the
// separate copy kernel re-read it from memory and paid a dispatch. Media whose stress kernel does
// not call stress_update_done(k) last keep the copy kernel (Propagator::state_sink).
override VEL_PLANES_STORED: u32;
override STRESS_PLANES_STORED: u32;

@group(0) @binding(9) var<storage, read_write> store: array<f32>;

fn stress_update_done(k: u32) {
  let n = stride();
  let planes = VEL_PLANES_STORED + STRESS_PLANES_STORED;
  let base = (run.step - run.segment_start) * planes * n;
  for (var p = 0u; p < VEL_PLANES_STORED; p++) { store[base + p * n + k] = vel_get(p * n + k); }
  let stresses = base + VEL_PLANES_STORED * n;
  for (var p = 0u; p < STRESS_PLANES_STORED; p++) { store[stresses + p * n + k] = stress_get(p * n + k); }
}
