// Emscripten 3.1.6's library_webgpu.js against today's browsers, passed with --js-library (a later
// library replaces the built-in entry of the same name):
// * GPUComputePassEncoder.dispatch was renamed dispatchWorkgroups;
// * a compute pipeline without a layout must say layout: "auto" (3.1.6 passes undefined, which
//   browsers now reject), so that getBindGroupLayout(0) gives the layout the WGSL entry point implies,
//   as Dawn does natively.
mergeInto(LibraryManager.library, {
  wgpuComputePassEncoderDispatch__deps: ['$WebGPU'],
  wgpuComputePassEncoderDispatch: function(passId, x, y, z) {
    WebGPU.mgrComputePassEncoder.get(passId)["dispatchWorkgroups"](x, y, z);
  },
  wgpuDeviceCreateComputePipeline__deps: ['$WebGPU'],
  wgpuDeviceCreateComputePipeline: function(deviceId, descriptor) {
    var layoutId = {{{ makeGetValue('descriptor', C_STRUCTS.WGPUComputePipelineDescriptor.layout, '*') }}};
    var desc = {
      "label": undefined,
      "layout": layoutId ? WebGPU.mgrPipelineLayout.get(layoutId) : "auto",
      "compute": WebGPU.makeProgrammableStageDescriptor(
        descriptor + {{{ C_STRUCTS.WGPUComputePipelineDescriptor.compute }}}),
    };
    var labelPtr = {{{ makeGetValue('descriptor', C_STRUCTS.WGPUComputePipelineDescriptor.label, '*') }}};
    if (labelPtr) desc["label"] = UTF8ToString(labelPtr);
    var device = WebGPU.mgrDevice.get(deviceId);
    return WebGPU.mgrComputePipeline.create(device["createComputePipeline"](desc));
  },
});
