// A free surface at z = 0, the depth of row j = 0 (physics/boundary/, hooks of stencil.wgsl): every
// field extends above the grid as its mirror image about z = 0 times its parity (odd for the
// fields that vanish there: the acoustic pressure), so that the z differences near the top see the
// image wavefield. The medium's images (WaveEquation::surface_images) give surface_parity and
// surface_staggered, composed from C++ before this file; fields_*.wgsl give field_of (the group and
// plane a load reads). The transposes fold the ghost rows back onto the rows they mirror.

// The top is no edge (the fields continue above as images): the edge rule (closed or Seispie's)
// applies at the bottom only, rows near the top taken as an inner row.
fn fits_forward_z(j: i32) -> bool { return fits_forward(max(j, 2), NZ); }
fn fits_backward_z(j: i32) -> bool { return fits_backward(max(j, 2), NZ); }

// Value of plane p of source src at row j, mirrored above the surface.
fn zload(src: u32, p: u32, i: i32, j: i32) -> f32 {
  if (j >= 0) { return load(src, p, i, j); }
  let f = field_of(src, p);
  return surface_parity(f.x, f.y) * load(src, p, i, select(-j, -1 - j, surface_staggered(f.x, f.y)));
}

// The ghost row (above the grid) whose value is row j's image, or 0 when none is: within reach of
// the 4-point stencils (two ghost rows).
fn surface_ghost_row(group: u32, plane: u32, j: i32) -> i32 {
  if (surface_staggered(group, plane)) { return select(0, -1 - j, j <= 1); }  // rows 0, 1 -> -1, -2
  return select(0, -j, j >= 1 && j <= 2);                                     // rows 1, 2 -> -1, -2
}
