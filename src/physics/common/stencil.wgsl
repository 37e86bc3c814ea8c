// Shared by every wave equation: grid, storage layout, 4th-order staggered differences and the
// blow-up detector. The boundary modules composed after it (physics/boundary/) supply the hooks the
// kernels call at the grid's edges: fits_forward / fits_backward (which derivatives are taken) and
// boundary_velocity_factor (the damping applied to velocities each step). The physics file composed
// after them names the planes.
//
// Storage: every field is a "plane" of NX*NZ float32 values, node k = i*NZ + j (i along x, j along z,
// z down), as in Seispie's model files. The velocity-like planes form one group, the stress-like
// planes another and the material planes a third, so any wave equation binds the same groups. Kernels
// reach a group through accessors composed from C++ before this file (solver/fields.hpp):
// vel_get(index), vel_set(index, value), vel_add(index, value), stress_..., params_get(index); a
// group is one buffer when it fits one binding, else several (the accessors pick the buffer).

override NX: i32;
override NZ: i32;
override INV_DX: f32;
override INV_DZ: f32;
override SHOTS: u32 = 1u;  // independent wavefields (shots) advanced together, sharing the material
override WG_X: u32 = 64u;  // along z: consecutive threads touch consecutive addresses
override WG_Y: u32 = 4u;   // along x

const C1: f32 = 1.125;            // 9/8
const C2: f32 = -0.041666666667;  // -1/24

struct Status {
  bad_step: atomic<u32>,  // first step that produced a non-finite value (0xffffffff: none)
  bad_node: atomic<u32>,  // a node where it happened
  halted: u32,            // 1 once a value blew up: the clock stops there
  pad: u32,
}

// The step counter and what changes from run to run. Only single-invocation point kernels write it
// (run_write.wgsl); grid kernels bind it read-only (run_read.wgsl), so that every thread may read
// it without contention.
struct RunInfo {
  step: u32,           // time steps completed (the forward clock; the reverse step in an adjoint)
  segment_start: u32,  // first step of the stored segment (adjoint storage)
  sources: u32,        // point sources and receivers of this run
  receivers: u32,
}

// The step a grid kernel runs for: the clock, plus STEP_SHIFT for kernels dispatched after the
// step's point kernel has moved it (the adjoint's transposed stress update: its point kernel ticks
// the reverse clock before it, saving a dispatch of its own).
override STEP_SHIFT: u32 = 0u;
fn this_step() -> u32 { return run.step + STEP_SHIFT; }

// Point sources and receivers address the velocity group with indices below STRESS_INDEX0 and the
// stress group, at index - STRESS_INDEX0, from it on (the acoustic pressure is injected and recorded
// there). The host sets it to the velocity group's size.
override STRESS_INDEX0: u32 = 0xffffffffu;

// Groups: vel (binding 0 when one buffer), stress (1), params (2); see solver/fields.hpp.
@group(0) @binding(3) var<storage, read_write> status: Status;

fn npt() -> u32 { return u32(NX) * u32(NZ); }
// Field planes hold SHOTS copies of the grid, shot after shot: plane p of shot s starts at
// p * stride() + s * npt(). The material has one copy.
fn stride() -> u32 { return SHOTS * npt(); }
// Offset of this invocation's shot within a field plane (grid kernels set it in grid_node).
var<private> shot_base: u32 = 0u;
fn node(i: i32, j: i32) -> u32 { return u32(i) * u32(NZ) + u32(j); }
// Grid kernels may run as two passes (solver/adjoint.cpp does for large grids): the interior box,
// whose stencils (every node within 2 of the invocation's) stay inside the grid where no boundary
// hook acts, compiled without any edge test, then the rest with them. The tests cost more than the
// memory traffic in the adjoint kernels (many loads per node): an H200 ran them 1.3-1.7x slower.
// The box is INTERIOR_* nodes in from each side: at least the boundary modules' margins
// (solver/boundary.hpp), its top edge on a 32-node boundary so that the interior pass's workgroups
// read whole cache lines (an offset of 21 nodes made that pass slower than one with the tests).
override SPLIT_PASS: u32 = 0u;  // 0: the whole grid; 1: the interior box only, no edge tests; 2: all but it
override INTERIOR_LEFT: i32 = 0;
override INTERIOR_RIGHT: i32 = 0;
override INTERIOR_TOP: i32 = 0;
override INTERIOR_BOTTOM: i32 = 0;
// The edge pass (SPLIT_PASS 2) launches the frame's workgroups only: the tiles of WG_X x WG_Y nodes
// not wholly inside the box (solver/adjoint.cpp dispatches frame_tiles() of them, FRAME_DISPATCH_X
// a row). Launching every tile of the grid, the empty ones cost more than the frame's work (H200,
// P-SV 2048^2: 23-27 us a pass for 4% of the nodes).
override FRAME_DISPATCH_X: u32 = 65535u;
fn interior_pass() -> bool { return SPLIT_PASS == 1u; }
// The box's tiles: [z0, z1) along z (WG_X nodes each) and [x0, x1) along x (WG_Y each).
fn box_tiles() -> vec4<u32> {
  let z0 = (u32(INTERIOR_TOP) + WG_X - 1u) / WG_X;
  let x0 = (u32(INTERIOR_LEFT) + WG_Y - 1u) / WG_Y;
  let z1 = max(z0, u32(max(NZ - INTERIOR_BOTTOM, 0)) / WG_X);
  let x1 = max(x0, u32(max(NX - INTERIOR_RIGHT, 0)) / WG_Y);
  return vec4<u32>(z0, z1, x0, x1);
}
fn tiles_z() -> u32 { return (u32(NZ) + WG_X - 1u) / WG_X; }
fn tiles_x() -> u32 { return (u32(NX) + WG_Y - 1u) / WG_Y; }
fn frame_tiles() -> u32 {
  let b = box_tiles();
  return tiles_z() * tiles_x() - (b.y - b.x) * (b.w - b.z);
}
// Frame tile t as (tile along z, tile along x): first the whole columns left and right of the box,
// then the tiles above and below it in the columns between.
fn frame_tile(t: u32) -> vec2<u32> {
  let b = box_tiles();
  let side_columns = b.z + tiles_x() - b.w;
  if (t < side_columns * tiles_z()) {
    let c = t / tiles_z();
    return vec2<u32>(t % tiles_z(), select(b.w + c - b.z, c, c < b.z));
  }
  let rows = b.x + tiles_z() - b.y;  // frame tiles in each column between
  let u = t - side_columns * tiles_z();
  let r = u % rows;
  return vec2<u32>(select(b.y + r - b.x, r, r < b.x), b.z + u / rows);
}
fn in_interior_box(i: i32, j: i32) -> bool {
  return i >= INTERIOR_LEFT && i < NX - INTERIOR_RIGHT && j >= INTERIOR_TOP && j < NZ - INTERIOR_BOTTOM;
}
fn inside(i: i32, j: i32) -> bool { return interior_pass() || (i >= 0 && j >= 0 && i < NX && j < NZ); }

// Field sources for load(): every module defines `fn load(src, p, i, j) -> f32` (value of plane p of
// source src at node (i, j), zero outside the grid); forward kernels read VEL and STRESS, adjoint
// kernels add the stored forward states and weighted adjoint fields.
const VEL: u32 = 0u;
const STRESS: u32 = 1u;

// Material value of plane p at field index k (shot_base + node): the material is shared by all shots.
fn param(p: u32, k: u32) -> f32 { return params_get(p * npt() + k - shot_base); }

// Staggered 4th-order difference from samples a(m-1), a(m), a(m+1), a(m+2): the derivative halfway
// between a(m) and a(m+1), without the 1/h factor.
fn d4(am1: f32, a0: f32, a1: f32, a2: f32) -> f32 { return C1 * (a1 - a0) + C2 * (a2 - am1); }

// "forward": derivative at i + 1/2 from samples i-1..i+2; "backward": at i - 1/2 from i-2..i+1.
// Whether the derivative at m of a line of n samples is taken is the boundary module's rule
// (fits_forward, fits_backward: physics/boundary/).

fn dx_forward(src: u32, p: u32, i: i32, j: i32) -> f32 {
  if (!interior_pass() && !fits_forward(i, NX)) { return 0.0; }
  return d4(load(src, p, i - 1, j), load(src, p, i, j), load(src, p, i + 1, j), load(src, p, i + 2, j)) * INV_DX;
}
// z differences are the boundary's (surface_dz: fields mirrored above a free surface, where the top
// has no edge, or reduced in order there) and take the edge rule through fits_*_z.
fn dz_forward(src: u32, p: u32, i: i32, j: i32) -> f32 {
  if (!interior_pass() && !fits_forward_z(j)) { return 0.0; }
  return surface_dz(src, p, i, j - 1) * INV_DZ;
}
fn dx_backward(src: u32, p: u32, i: i32, j: i32) -> f32 {
  if (!interior_pass() && !fits_backward(i, NX)) { return 0.0; }
  return d4(load(src, p, i - 2, j), load(src, p, i - 1, j), load(src, p, i, j), load(src, p, i + 1, j)) * INV_DX;
}
fn dz_backward(src: u32, p: u32, i: i32, j: i32) -> f32 {
  if (!interior_pass() && !fits_backward_z(j)) { return 0.0; }
  return surface_dz(src, p, i, j - 2) * INV_DZ;
}

// Exact transposes of the four operators above (for the adjoint): the transpose of a masked forward
// difference is minus the backward difference of the masked input, and vice versa.
fn masked_forward_x(src: u32, p: u32, i: i32, j: i32) -> f32 { return select(0.0, load(src, p, i, j), interior_pass() || fits_forward(i, NX)); }
fn masked_forward_z(src: u32, p: u32, i: i32, j: i32) -> f32 { return select(0.0, load(src, p, i, j), interior_pass() || fits_forward_z(j)); }
fn masked_backward_x(src: u32, p: u32, i: i32, j: i32) -> f32 { return select(0.0, load(src, p, i, j), interior_pass() || fits_backward(i, NX)); }
fn masked_backward_z(src: u32, p: u32, i: i32, j: i32) -> f32 { return select(0.0, load(src, p, i, j), interior_pass() || fits_backward_z(j)); }
fn dx_forward_t(src: u32, p: u32, i: i32, j: i32) -> f32 {
  return -d4(masked_forward_x(src, p, i - 2, j), masked_forward_x(src, p, i - 1, j), masked_forward_x(src, p, i, j),
             masked_forward_x(src, p, i + 1, j)) * INV_DX;
}
fn dz_forward_t(src: u32, p: u32, i: i32, j: i32) -> f32 {
  return -d4(masked_forward_z(src, p, i, j - 2), masked_forward_z(src, p, i, j - 1), masked_forward_z(src, p, i, j),
             masked_forward_z(src, p, i, j + 1)) * INV_DZ;
}
fn dx_backward_t(src: u32, p: u32, i: i32, j: i32) -> f32 {
  return -d4(masked_backward_x(src, p, i - 1, j), masked_backward_x(src, p, i, j), masked_backward_x(src, p, i + 1, j),
             masked_backward_x(src, p, i + 2, j)) * INV_DX;
}
fn dz_backward_t(src: u32, p: u32, i: i32, j: i32) -> f32 {
  return -d4(masked_backward_z(src, p, i, j - 1), masked_backward_z(src, p, i, j), masked_backward_z(src, p, i, j + 1),
             masked_backward_z(src, p, i, j + 2)) * INV_DZ;
}

// The transposes of the z differences of field (group, plane) as zload extends it: the plain
// transpose at row j, plus, where row j's value is mirrored into a ghost row above a free surface,
// the transpose at that ghost row times the mirror's parity (ghost loads of the adjoint input are
// zero: the forward differences have no outputs there), and the change of a reduced difference near
// the top (surface_reduced_*_t). Without a free surface the plain ones.
fn dz_forward_t_of(group: u32, plane: u32, src: u32, p: u32, i: i32, j: i32) -> f32 {
  let t = dz_forward_t(src, p, i, j) + surface_reduced_forward_t(group, plane, src, p, i, j);
  let ghost = surface_ghost_row(group, plane, j);
  if (ghost >= 0) { return t; }
  return t + surface_parity(group, plane) * dz_forward_t(src, p, i, ghost);
}
fn dz_backward_t_of(group: u32, plane: u32, src: u32, p: u32, i: i32, j: i32) -> f32 {
  let t = dz_backward_t(src, p, i, j) + surface_reduced_backward_t(group, plane, src, p, i, j);
  let ghost = surface_ghost_row(group, plane, j);
  if (ghost >= 0) { return t; }
  return t + surface_parity(group, plane) * dz_backward_t(src, p, i, ghost);
}

fn is_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
// Records the first step and a node where the run blew up; the host checks this between batches.
fn watch(x: f32, k: u32) {
  if (!is_finite(x)) {
    // Only nodes of the earliest bad step report where: later steps (which run on with the clock
    // stopped) have spread the NaN.
    if (status.halted != 0u) { return; }
    let step = this_step();
    let earliest = atomicMin(&status.bad_step, step);
    if (step <= earliest) { atomicMin(&status.bad_node, k); }
    // The clock stops here, however long the host waits before it looks.
    status.halted = 1u;
  }
}

// The node of this invocation of a grid kernel (x along z, y along x, z along the shots); k is the
// node's index within a field plane (shot_base + node), and `inside` is false for the invocations
// past the grid's edge, which do nothing.
struct Node {
  i: i32,
  j: i32,
  k: u32,
  inside: bool,
}
// Rows of workgroups from RECORD_ROW0 on (RECORD_ROWS of them; none unless the host dispatches
// them) record receivers instead (solver/receivers.wgsl, or a no-op).
override RECORD_ROW0: u32 = 0xffffffffu;
override RECORD_ROWS: u32 = 0u;
fn grid_node(g: vec3<u32>) -> Node {
  if (g.y >= RECORD_ROW0) {
    record_receivers(g);
    return Node(0, 0, 0u, false);
  }
  var i = i32(g.y);
  var j = i32(g.x);
  var ok = i < NX && j < NZ;
  if (SPLIT_PASS == 1u) {
    i += INTERIOR_LEFT;
    j += INTERIOR_TOP;
    ok = i < NX - INTERIOR_RIGHT && j < NZ - INTERIOR_BOTTOM;
  } else if (SPLIT_PASS == 2u) {
    let t = (g.y / WG_Y) * FRAME_DISPATCH_X + g.x / WG_X;
    let tile = frame_tile(t);
    j = i32(tile.x * WG_X + g.x % WG_X);
    i = i32(tile.y * WG_Y + g.y % WG_Y);
    ok = t < frame_tiles() && i < NX && j < NZ && !in_interior_box(i, j);
  }
  shot_base = g.z * npt();
  cpml_begin(i, j);  // the CPML's per-invocation test (physics/boundary/)
  fields_begin();    // the field module's per-invocation set-up (fields_*.wgsl)
  return Node(i, j, select(0u, shot_base + node(i, j), ok), ok);
}
