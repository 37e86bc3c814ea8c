// Point kernels, which advance the clock: the run state, writable (see RunInfo in stencil.wgsl).
@group(0) @binding(11) var<storage, read_write> run: RunInfo;
