// Field access for the linearized (Born) problem: `vel` and `stress` hold the wavefield
// perturbation, driven by the background wavefield (bg_vel, bg_stress: the background's own
// buffers, advanced in the same command stream) through a material perturbation (dmaterial, same
// layout as the material planes). The medium's born file defines born_velocity_term and
// born_stress_term, the derivative of its forward updates with respect to the material planes.
@group(0) @binding(4) var<storage, read> bg_vel: array<f32>;
@group(0) @binding(5) var<storage, read> bg_stress: array<f32>;
@group(0) @binding(6) var<storage, read> dmaterial: array<f32>;

const BG_VEL: u32 = 2u;
const BG_STRESS: u32 = 3u;

fn dparam(p: u32, k: u32) -> f32 { return dmaterial[p * npt() + k - shot_base]; }

fn load(src: u32, p: u32, i: i32, j: i32) -> f32 {
  if (!inside(i, j)) { return 0.0; }
  let k = p * stride() + shot_base + node(i, j);
  switch src {
    case 0u: { return vel[k]; }
    case 1u: { return stress[k]; }
    case 2u: { return bg_vel[k]; }
    default: { return bg_stress[k]; }
  }
}
fn fields_begin() {}
