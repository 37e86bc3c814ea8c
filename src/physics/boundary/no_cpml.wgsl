// No CPML: its hooks are identities, so the kernels cost what they cost without them (see cpml.wgsl).
fn cpml_dx(group: u32, plane: u32, i: i32, j: i32, d: f32) -> f32 { return d; }
fn cpml_dz(group: u32, plane: u32, i: i32, j: i32, d: f32) -> f32 { return d; }
fn cpml_background_dx(group: u32, plane: u32, i: i32, j: i32, d: f32) -> f32 { return d; }
fn cpml_background_dz(group: u32, plane: u32, i: i32, j: i32, d: f32) -> f32 { return d; }
fn cpml_seen(dir: u32, group: u32, plane: u32, i: i32, j: i32, value: f32) -> f32 { return value; }
fn cpml_remember(group: u32, plane: u32, i: i32, j: i32, value: f32) {}
fn cpml_begin(i: i32, j: i32) {}
