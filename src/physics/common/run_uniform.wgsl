// Grid kernels of split field groups (solver/fields.hpp): the run state, read-only (see RunInfo in
// stencil.wgsl), as a uniform buffer, which takes none of the adapter's few storage bindings per
// shader stage that the split groups' buffers need.
@group(0) @binding(11) var<uniform> run: RunInfo;
