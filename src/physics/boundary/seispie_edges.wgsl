// Seispie's edge rule (SH reproduces Seispie exactly): a derivative whose 4-point stencil leaves the
// grid is zero, so the two outermost rows and columns never move. Hooks of stencil.wgsl:
// "forward" = derivative at m + 1/2 from samples m-1..m+2, "backward" = at m - 1/2 from m-2..m+1.
fn fits_forward(m: i32, n: i32) -> bool { return m >= 1 && m < n - 2; }
fn fits_backward(m: i32, n: i32) -> bool { return m >= 2 && m < n - 2; }
// Whether both derivatives are taken at every node of the box [i0, i1] x [j0, j1].
fn edge_rule_inactive(i0: i32, i1: i32, j0: i32, j1: i32) -> bool {
  return i0 >= 2 && i1 < NX - 2 && j0 >= 2 && j1 < NZ - 2;
}
