// Seispie's edge rule (SH reproduces Seispie exactly): a derivative whose 4-point stencil leaves the
// grid is zero, so the two outermost rows and columns never move. Hooks of stencil.wgsl:
// "forward" = derivative at m + 1/2 from samples m-1..m+2, "backward" = at m - 1/2 from m-2..m+1.
fn fits_forward(m: i32, n: i32) -> bool { return m >= 1 && m < n - 2; }
fn fits_backward(m: i32, n: i32) -> bool { return m >= 2 && m < n - 2; }
