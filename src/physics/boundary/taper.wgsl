// Seispie's absorbing taper (abs_left/right/top/bottom, abs_width, abs_alpha): velocities are
// multiplied every step by 1 in the interior and by a Gaussian decay over abs_width nodes on the
// tapered sides (Seispie's set_bound). Hook of the kernels: boundary_velocity_factor(i, j); with
// every side off it is 1 everywhere.
override TAPER_WIDTH: i32 = 0;
override TAPER_ALPHA: f32 = 0.0;
override TAPER_LEFT: bool = false;
override TAPER_RIGHT: bool = false;
override TAPER_TOP: bool = false;
override TAPER_BOTTOM: bool = false;

fn taper_factor(distance: i32) -> f32 {
  let aw = TAPER_ALPHA * f32(distance);
  return exp(-aw * aw);
}
fn boundary_velocity_factor(i: i32, j: i32) -> f32 {
  if (interior_pass()) { return 1.0; }  // the interior box lies outside the tapered strips
  var b = 1.0;
  if (TAPER_LEFT && i + 1 < TAPER_WIDTH) { b *= taper_factor(TAPER_WIDTH - i - 1); }
  if (TAPER_RIGHT && i > NX - TAPER_WIDTH) { b *= taper_factor(TAPER_WIDTH + i - NX); }
  if (TAPER_BOTTOM && j > NZ - TAPER_WIDTH) { b *= taper_factor(TAPER_WIDTH + j - NZ); }
  if (TAPER_TOP && j + 1 < TAPER_WIDTH) { b *= taper_factor(TAPER_WIDTH - j - 1); }
  return b;
}
