// A free surface at z = 0, the depth of row j = 0 (physics/boundary/, hooks of stencil.wgsl): every
// field extends above the grid as its mirror image about z = 0 times its parity (odd for the
// fields that vanish there: the acoustic pressure), so that the z differences near the top see the
// image wavefield. The medium's images (WaveEquation::surface_images) give surface_parity and
// surface_mirror_shift, composed from C++ before this file; fields_*.wgsl give field_of (the group and
// plane a load reads). The transposes fold the ghost rows back onto the rows they mirror.
//
// Fields without an image (surface_parity 0: the P-SV velocities, whose values above a traction-free
// surface are no mirror of those below) are not extended: their z differences whose 4-point stencil
// reaches above the grid take the 2nd-order difference of the two middle samples while both are in
// the grid, else none (0). The transposes (surface_reduced_*_t) take the same weights.

// The top is no edge (the fields continue above as images): the edge rule (closed or Seispie's)
// applies at the bottom only, rows near the top taken as an inner row.
fn fits_forward_z(j: i32) -> bool { return fits_forward(max(j, 2), NZ); }
fn fits_backward_z(j: i32) -> bool { return fits_backward(max(j, 2), NZ); }

// Value of plane p of source src at row j, mirrored above the surface.
fn zload(src: u32, p: u32, i: i32, j: i32) -> f32 {
  if (j >= 0) { return load(src, p, i, j); }
  let f = field_of(src, p);
  // A plane a whole cell down has its row -1 on the surface: its mirror is itself, outside the grid (0).
  return surface_parity(f.x, f.y) * load(src, p, i, -surface_mirror_shift(f.x, f.y) - j);
}

// The ghost row (above the grid) whose value is row j's image, or 0 when none is: within reach of
// the 4-point stencils (two ghost rows).
fn surface_ghost_row(group: u32, plane: u32, j: i32) -> i32 {
  let shift = surface_mirror_shift(group, plane);
  if (shift == 2) { return select(0, -2, j == 0); }                  // row 0 -> -2 (row -1 is the surface)
  if (shift == 1) { return select(0, -1 - j, j <= 1); }              // rows 0, 1 -> -1, -2
  return select(0, -j, j >= 1 && j <= 2);                            // rows 1, 2 -> -1, -2
}

// Field without an image above the surface: its differences near the top are reduced in order.
fn surface_imaged(group: u32, plane: u32) -> bool { return surface_parity(group, plane) != 0.0; }

// The z difference (without 1/dz) from samples j0 .. j0 + 3 of plane p of source src: the derivative
// between rows j0 + 1 and j0 + 2 (hook of stencil.wgsl's dz_forward, dz_backward).
fn surface_dz(src: u32, p: u32, i: i32, j0: i32) -> f32 {
  if (interior_pass() || j0 >= 0) { return d4(load(src, p, i, j0), load(src, p, i, j0 + 1), load(src, p, i, j0 + 2), load(src, p, i, j0 + 3)); }
  let f = field_of(src, p);
  if (surface_imaged(f.x, f.y)) {
    return d4(zload(src, p, i, j0), zload(src, p, i, j0 + 1), zload(src, p, i, j0 + 2), zload(src, p, i, j0 + 3));
  }
  if (j0 == -1) { return load(src, p, i, 1) - load(src, p, i, 0); }
  return 0.0;
}

// What the reduced differences of a field without an image change in the transposes at row j: the
// forward difference of row 0 (samples -1..2) is 2nd order; of the backward ones, row 1's (samples
// -1..2) is 2nd order and row 0's (samples -2..1) none. Weights: reduced minus 4th-order.
fn surface_reduced_forward_t(group: u32, plane: u32, src: u32, p: u32, i: i32, j: i32) -> f32 {
  if (j > 2 || surface_imaged(group, plane)) { return 0.0; }
  let a0 = masked_forward_z(src, p, i, 0);
  let w = select(select(-C2, 1.0 - C1, j == 1), C1 - 1.0, j == 0);
  return w * a0 * INV_DZ;
}
fn surface_reduced_backward_t(group: u32, plane: u32, src: u32, p: u32, i: i32, j: i32) -> f32 {
  if (j > 2 || surface_imaged(group, plane)) { return 0.0; }
  let a0 = masked_backward_z(src, p, i, 0);
  let a1 = masked_backward_z(src, p, i, 1);
  if (j == 0) { return ((C1 - 1.0) * a1 - C1 * a0) * INV_DZ; }
  if (j == 1) { return ((1.0 - C1) * a1 - C2 * a0) * INV_DZ; }
  return -C2 * a1 * INV_DZ;
}

// Whether field index k (shot_base + node) lies on the surface row (z = 0), where a medium applies
// its traction-free condition (P-SV: szz = 0 there).
fn on_free_surface(k: u32) -> bool { return !interior_pass() && (k % npt()) % u32(NZ) == 0u; }
