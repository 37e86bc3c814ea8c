// Field access for adjoint kernels. `vel` and `stress` hold the adjoint fields; the forward states
// stored during the forward run (one slot per step, in the format of solver/forward_store.wgsl,
// composed before this file) are read from `fwd`; d J / d material plane accumulates in the group
// `grad` (binding 5 when one buffer; one copy of each plane per shot, planes of stride() values). The
// medium's adjoint file defines weighted_stress (moduli times adjoint stress: the input of the
// transposed velocity-to-stress operator, as the transposed differences of direction dir see the
// adjoint stresses: seen_stress) and buoyancy_plane (dt/density at each velocity plane).
@group(0) @binding(4) var<storage, read> fwd: array<u32>;

const FWD_NOW: u32 = 2u;     // forward state after the current step: v(n), s(n+1/2)
const FWD_BEFORE: u32 = 3u;  // forward state after the previous step: s(n-1/2)
// The inputs of the transposed differences, per direction (x: 0, z: 1), which differ within CPML
// layers (physics/boundary/cpml.wgsl: cpml_seen); elsewhere the two of a kind are equal.
const WEIGHTED_X: u32 = 4u;  // weighted_stress(p, 0u, ...): input of the transposed x differences
const BUOYANT_X: u32 = 5u;   // taper * dt/density * adjoint velocity of plane p, as x differences see it
const WEIGHTED_Z: u32 = 6u;
const BUOYANT_Z: u32 = 7u;

// The adjoint velocity and stress of plane p at (i, j), node index k, as the transposed differences
// and gradient terms of direction dir (0: x, 1: z) see it (the plain value outside CPML layers).
fn seen_velocity(dir: u32, p: u32, i: i32, j: i32, k: u32) -> f32 {
  return cpml_seen(dir, 0u, p, i, j, vel_get(p * stride() + k));
}
fn seen_stress(dir: u32, p: u32, i: i32, j: i32, k: u32) -> f32 {
  return cpml_seen(dir, 1u, p, i, j, stress_get(p * stride() + k));
}
// The CPML's adjoint memory variables take this reverse step's adjoint velocities (stresses): each
// adjoint_velocity (adjoint_stress) kernel calls it at its node before it changes them.
fn remember_velocities(i: i32, j: i32, k: u32) {
  for (var p = 0u; p < VEL_PLANES; p++) { cpml_remember(0u, p, i, j, vel_get(p * stride() + k)); }
}
fn remember_stresses(i: i32, j: i32, k: u32) {
  for (var p = 0u; p < STRESS_PLANES; p++) { cpml_remember(1u, p, i, j, stress_get(p * stride() + k)); }
}

// The reverse loop's step n is this_step(); run.segment_start is the first step of the stored segment,
// whose slot 0 is the state before it.
fn now_slot() -> u32 { return this_step() - run.segment_start + 1u; }
// The two slots every load of a forward state reads, found once per invocation (grid_node calls
// fields_begin) rather than from the run state at every load.
var<private> fwd_now_slot: u32;
fn fields_begin() { fwd_now_slot = now_slot(); }
// The group (0: velocity, 1: stress) and plane that source src, plane p reads (a stored state holds
// the velocity planes, then the stress planes; the weighted and buoyant fields are read by the
// transposed differences only, which do not mirror).
fn field_of(src: u32, p: u32) -> vec2<u32> {
  if (src == FWD_NOW || src == FWD_BEFORE) { return select(vec2<u32>(0u, p), vec2<u32>(1u, p - VEL_PLANES), p >= VEL_PLANES); }
  return vec2<u32>(min(src, 1u), p);
}

// The value is read whether or not (i, j) lies inside the grid, and discarded outside it: reads
// beyond a buffer's range are safe in WebGPU (robust buffer access), and unconditional loads let
// the compiler issue a stencil's loads together. Returning early instead left the adjoint kernels
// bound by instructions (measured on an H200: 1.3-1.7x slower than without the tests).
fn load(src: u32, p: u32, i: i32, j: i32) -> f32 {
  let k = shot_base + node(i, j);
  var v: f32;
  switch src {
    case 0u: { v = vel_get(p * stride() + k); }
    case 1u: { v = stress_get(p * stride() + k); }
    case 2u: { v = fwd_value(fwd_now_slot, p, k); }
    case 3u: { v = fwd_value(fwd_now_slot - 1u, p, k); }
    case 4u: { v = weighted_stress(p, 0u, i, j, k); }
    case 6u: { v = weighted_stress(p, 1u, i, j, k); }
    case 5u: { v = boundary_velocity_factor(i, j) * param(buoyancy_plane(p), k) * seen_velocity(0u, p, i, j, k); }
    default: { v = boundary_velocity_factor(i, j) * param(buoyancy_plane(p), k) * seen_velocity(1u, p, i, j, k); }
  }
  return select(0.0, v, inside(i, j));
}
