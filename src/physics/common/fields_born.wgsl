// Field access for the linearized (Born) problem: `vel` and `stress` hold the wavefield
// perturbation, driven by the background wavefield (groups bg_vel, bg_stress: the background's own
// buffers, advanced in the same command stream; bindings 4 and 5 when one buffer each) through a
// material perturbation (group dmaterial, binding 6, the layout of the material planes). The
// medium's born file defines born_velocity_term and born_stress_term, the derivative of its
// forward updates with respect to the material planes.
const BG_VEL: u32 = 2u;
const BG_STRESS: u32 = 3u;

fn dparam(p: u32, k: u32) -> f32 { return dmaterial_get(p * npt() + k - shot_base); }

fn load(src: u32, p: u32, i: i32, j: i32) -> f32 {
  if (!inside(i, j)) { return 0.0; }
  let k = p * stride() + shot_base + node(i, j);
  switch src {
    case 0u: { return vel_get(k); }
    case 1u: { return stress_get(k); }
    case 2u: { return bg_vel_get(k); }
    default: { return bg_stress_get(k); }
  }
}
fn fields_begin() {}
// The group (0: velocity, 1: stress) and plane that source src, plane p reads.
fn field_of(src: u32, p: u32) -> vec2<u32> { return vec2<u32>(src % 2u, p); }
