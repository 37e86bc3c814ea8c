// Field access for forward kernels: the current velocity and stress planes of this shot.
fn load(src: u32, p: u32, i: i32, j: i32) -> f32 {
  if (!inside(i, j)) { return 0.0; }
  let k = p * stride() + shot_base + node(i, j);
  if (src == VEL) { return vel_get(k); }
  return stress_get(k);
}
fn fields_begin() {}
// The group (0: velocity, 1: stress) and plane that source src, plane p reads.
fn field_of(src: u32, p: u32) -> vec2<u32> { return vec2<u32>(src, p); }
