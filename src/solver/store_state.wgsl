// Copies the whole state (velocity planes, then stress planes) into slot `step - segment_start` of
// the adjoint's store after each step: a kernel, because buffer-to-buffer copies run at a fifth of
// the memory bandwidth on some drivers.
override VEL_FLOATS: u32;
override STATE_FLOATS: u32;

@group(0) @binding(9) var<storage, read_write> store: array<f32>;

@compute @workgroup_size(256)
fn store_state(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = g.x + g.y * groups.x * 256u;
  if (index >= STATE_FLOATS) { return; }
  let base = (run.step - run.segment_start) * STATE_FLOATS;
  if (index < VEL_FLOATS) {
    store[base + index] = vel_get(index);
  } else {
    store[base + index] = stress_get(index - VEL_FLOATS);
  }
}
