// Whether the boundary's hooks do nothing on the box [i0, i1] x [j0, j1] (stencil.wgsl's
// `interior`): each boundary module composed says so for itself.
fn boundary_inactive(i0: i32, i1: i32, j0: i32, j1: i32) -> bool {
  return edge_rule_inactive(i0, i1, j0, j1) && taper_inactive(i0, i1, j0, j1);
}
