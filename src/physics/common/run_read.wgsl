// Grid kernels: the run state, read-only (see RunInfo in stencil.wgsl).
@group(0) @binding(11) var<storage, read> run: RunInfo;
