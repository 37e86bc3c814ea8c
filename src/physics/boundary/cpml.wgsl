// Convolutional PML (Komatitsch & Martin 2007, kappa = 1), hooks of the kernels (physics/boundary/):
// in a layer every spatial derivative d of the wave equation becomes d + psi, with the memory
// variable psi(n) = b psi(n-1) + a d(n),  b = exp(-(d_x + alpha_x) dt),  a = d_x / (d_x + alpha_x) (b - 1),
// at the position of the derivative (that of the field it updates). Profiles at depth r in [0, 1]
// into a layer of W nodes: d_x = d0 r^N, alpha_x = alpha_max (1 - r) (solver/cpml.hpp tabulates a
// and b). Composed from C++ before this file: cpml_shift(slot) (where plane `slot` sits in
// the cell: velocity planes, then stress planes) and CPML_VEL_PLANES.
//
// Memory variables live only in the layers, in strips (binding 15): per set (the forward's, a Born
// perturbation's), per field plane and shot, an x strip of the 2W columns of the left and right
// layers (W x NZ each, column-major like the planes) and a z strip of the 2W rows of the top and
// bottom layers (NX x 2W, so that consecutive j are consecutive). A derivative is attached to the
// plane it updates (its slot); each (plane, direction) takes at most one derivative per kernel.
//
// The adjoint (fields_adjoint.wgsl) keeps, per adjoint field plane f and direction, r(n) = f^(n) +
// b r(n+1) (cpml_remember) and feeds the transposed differences of that direction, and the
// gradient, with f^ + a r (cpml_seen): the exact transpose of the recursion above (docs/physics.md).
override CPML_WIDTH: i32 = 0;
override CPML_LEFT: bool = false;
override CPML_RIGHT: bool = false;
override CPML_TOP: bool = false;
override CPML_BOTTOM: bool = false;
override CPML_SLOTS: u32 = 1u;       // planes (velocity + stress) per set
override CPML_SET: u32 = 0u;         // this kernel's own memory variables (a Born perturbation: 1)
override CPML_Z_BASE: u32 = 0u;      // first value of the z strips
// The coefficients (a, b) at every half-node position q / 2, q = 0..2n, of x and of z, after the
// memory variables (solver/cpml.hpp computes them once, in double).
override CPML_TABLE_X: u32 = 0u;
override CPML_TABLE_Z: u32 = 0u;
@group(0) @binding(15) var<storage, read_write> cpml_memory: array<f32>;

// Whether the layers are within reach of this invocation's node: the hooks take positions within 2
// nodes of it (the 4-point stencils, and the adjoint's transposes, which see neighbours through
// cpml_seen), plus a cell of staggering (every cpml_shift is within [0, 1]). Set once per node by
// cpml_begin (grid_node), so that a one-pass kernel's interior pays one test per node instead of a
// depth test per derivative. (On an H200 that did not change the hooks' cost in one pass, ~8% at
// 4096^2; what removes it is the interior pass, in which cpml_off() holds at compile time.)
var<private> cpml_near: bool = true;
fn cpml_begin(i: i32, j: i32) {
  let reach = CPML_WIDTH + 3;
  cpml_near = (CPML_LEFT && i < reach) || (CPML_RIGHT && i >= NX - reach) || (CPML_TOP && j < reach) ||
              (CPML_BOTTOM && j >= NZ - reach);
}
fn cpml_off() -> bool { return interior_pass() || !cpml_near; }

fn cpml_slot(group: u32, plane: u32) -> u32 { return select(plane, CPML_VEL_PLANES + plane, group == 1u); }

// Depth (0..1 of the layer) of position `pos` (in nodes) on a line of n nodes; 0 outside the layers.
fn cpml_depth(pos: f32, n: i32, low: bool, high: bool) -> f32 {
  let w = f32(CPML_WIDTH);
  var depth = 0.0;
  if (low) { depth = max(depth, w - 0.5 - pos); }
  if (high) { depth = max(depth, pos - (f32(n) - w - 0.5)); }
  return depth / w;
}
fn cpml_depth_x(slot: u32, i: i32) -> f32 { return cpml_depth(f32(i) + cpml_shift(slot).x, NX, CPML_LEFT, CPML_RIGHT); }
fn cpml_depth_z(slot: u32, j: i32) -> f32 { return cpml_depth(f32(j) + cpml_shift(slot).y, NZ, CPML_TOP, CPML_BOTTOM); }

// (a, b) of plane `slot` at column i (row j).
fn cpml_coefficients_x(slot: u32, i: i32) -> vec2<f32> {
  let q = CPML_TABLE_X + 2u * u32(2 * i + i32(2.0 * cpml_shift(slot).x));
  return vec2<f32>(cpml_memory[q], cpml_memory[q + 1u]);
}
fn cpml_coefficients_z(slot: u32, j: i32) -> vec2<f32> {
  let q = CPML_TABLE_Z + 2u * u32(2 * j + i32(2.0 * cpml_shift(slot).y));
  return vec2<f32>(cpml_memory[q], cpml_memory[q + 1u]);
}

fn cpml_memory_base(memory_set: u32, slot: u32) -> u32 { return (memory_set * CPML_SLOTS + slot) * SHOTS + shot_base / npt(); }
// Index of the memory variable of (memory_set, slot) at (i, j) in the x strips (i within a left or right
// layer) and in the z strips (j within a top or bottom layer).
fn cpml_x_index(memory_set: u32, slot: u32, i: i32, j: i32) -> u32 {
  let column = select(i - (NX - 2 * CPML_WIDTH), i, i < CPML_WIDTH);
  return cpml_memory_base(memory_set, slot) * u32(2 * CPML_WIDTH * NZ) + u32(column * NZ + j);
}
fn cpml_z_index(memory_set: u32, slot: u32, i: i32, j: i32) -> u32 {
  let row = select(j - (NZ - 2 * CPML_WIDTH), j, j < CPML_WIDTH);
  return CPML_Z_BASE + cpml_memory_base(memory_set, slot) * u32(2 * CPML_WIDTH * NX) + u32(i * 2 * CPML_WIDTH + row);
}

// Forward kernels: x derivative d at the position of plane (group, plane), node (i, j): d + psi,
// psi advanced one step.
fn cpml_dx(group: u32, plane: u32, i: i32, j: i32, d: f32) -> f32 {
  if (cpml_off()) { return d; }
  let slot = cpml_slot(group, plane);
  let r = cpml_depth_x(slot, i);
  if (r <= 0.0) { return d; }
  let m = cpml_x_index(CPML_SET, slot, i, j);
  let ab = cpml_coefficients_x(slot, i);
  let psi = ab.y * cpml_memory[m] + ab.x * d;
  cpml_memory[m] = psi;
  return d + psi;
}
fn cpml_dz(group: u32, plane: u32, i: i32, j: i32, d: f32) -> f32 {
  if (cpml_off()) { return d; }
  let slot = cpml_slot(group, plane);
  let r = cpml_depth_z(slot, j);
  if (r <= 0.0) { return d; }
  let m = cpml_z_index(CPML_SET, slot, i, j);
  let ab = cpml_coefficients_z(slot, j);
  let psi = ab.y * cpml_memory[m] + ab.x * d;
  cpml_memory[m] = psi;
  return d + psi;
}

// Born kernels: the background's derivative as its own kernel saw it, d + psi of the background
// (set 0, already advanced by the background's kernel of this step).
fn cpml_background_dx(group: u32, plane: u32, i: i32, j: i32, d: f32) -> f32 {
  if (cpml_off()) { return d; }
  let slot = cpml_slot(group, plane);
  if (cpml_depth_x(slot, i) <= 0.0) { return d; }
  return d + cpml_memory[cpml_x_index(0u, slot, i, j)];
}
fn cpml_background_dz(group: u32, plane: u32, i: i32, j: i32, d: f32) -> f32 {
  if (cpml_off()) { return d; }
  let slot = cpml_slot(group, plane);
  if (cpml_depth_z(slot, j) <= 0.0) { return d; }
  return d + cpml_memory[cpml_z_index(0u, slot, i, j)];
}

// Adjoint kernels: adjoint field `value` of plane (group, plane) at (i, j) as the transposed
// differences of direction dir (0: x, 1: z) and the gradient see it: value + a (value + b r), r the
// memory as the previous reverse step left it (cpml_remember has not yet run for this step).
fn cpml_seen(dir: u32, group: u32, plane: u32, i: i32, j: i32, value: f32) -> f32 {
  if (cpml_off()) { return value; }
  let slot = cpml_slot(group, plane);
  if (dir == 0u) {
    let r = cpml_depth_x(slot, i);
    if (r <= 0.0) { return value; }
    let ab = cpml_coefficients_x(slot, i);
    return value + ab.x * (value + ab.y * cpml_memory[cpml_x_index(CPML_SET, slot, i, j)]);
  }
  let r = cpml_depth_z(slot, j);
  if (r <= 0.0) { return value; }
  let ab = cpml_coefficients_z(slot, j);
  return value + ab.x * (value + ab.y * cpml_memory[cpml_z_index(CPML_SET, slot, i, j)]);
}
// r <- value + b r in both directions: called once per reverse step for every adjoint plane at
// its own node, before the kernel that transposes that plane's update changes it.
fn cpml_remember(group: u32, plane: u32, i: i32, j: i32, value: f32) {
  if (cpml_off()) { return; }
  let slot = cpml_slot(group, plane);
  let rx = cpml_depth_x(slot, i);
  if (rx > 0.0) {
    let m = cpml_x_index(CPML_SET, slot, i, j);
    cpml_memory[m] = value + cpml_coefficients_x(slot, i).y * cpml_memory[m];
  }
  let rz = cpml_depth_z(slot, j);
  if (rz > 0.0) {
    let m = cpml_z_index(CPML_SET, slot, i, j);
    cpml_memory[m] = value + cpml_coefficients_z(slot, j).y * cpml_memory[m];
  }
}
