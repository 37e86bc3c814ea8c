// No free surface: z differences read the fields as they are (zero or not taken beyond the grid,
// per the edge rule), and nothing folds back into the grid. Hooks of stencil.wgsl.
fn zload(src: u32, p: u32, i: i32, j: i32) -> f32 { return load(src, p, i, j); }
fn fits_forward_z(j: i32) -> bool { return fits_forward(j, NZ); }
fn fits_backward_z(j: i32) -> bool { return fits_backward(j, NZ); }
fn surface_ghost_row(group: u32, plane: u32, j: i32) -> i32 { return 0; }
fn surface_parity(group: u32, plane: u32) -> f32 { return 0.0; }
fn surface_dz(src: u32, p: u32, i: i32, j0: i32) -> f32 {
  return d4(load(src, p, i, j0), load(src, p, i, j0 + 1), load(src, p, i, j0 + 2), load(src, p, i, j0 + 3));
}
fn surface_reduced_forward_t(group: u32, plane: u32, src: u32, p: u32, i: i32, j: i32) -> f32 { return 0.0; }
fn surface_reduced_backward_t(group: u32, plane: u32, src: u32, p: u32, i: i32, j: i32) -> f32 { return 0.0; }
fn on_free_surface(k: u32) -> bool { return false; }
