// Web GPU layer: the browser's WebGPU through Emscripten 3.1.6's webgpu.h (the 2022 C API: char*
// labels, plain callbacks, Dispatch instead of DispatchWorkgroups).
//
// How waiting works here. The solver above this layer is written in blocking style (read() returns
// the data, wait() returns when the GPU is done), but a browser delivers WebGPU's promises only when
// the JavaScript event loop runs. The web build is linked with -sASYNCIFY, so every wait below is
// `emscripten_sleep(0)` in a loop: the wasm stack is unwound, the event loop runs (promises resolve,
// messages such as "cancel" arrive), and the C++ continues where it stopped. The whole wasm module
// runs in a dedicated Web Worker (web/seiswg_worker.js), so that even the host-side work between
// waits (case reading, misfits, the optimizer, file encoding) never blocks the page's main thread:
// the page stays responsive and draws while a run goes on.
//
// The JavaScript side (the worker) requests the adapter and a device with the adapter's limits
// (3.1.6's WGPULimits has no maxBufferSize) and hands it over as Module.preinitializedWebGPUDevice.
#include <emscripten.h>
#include <emscripten/html5_webgpu.h>
#include <webgpu/webgpu.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "gpu/backend_common.hpp"
#include "gpu/device.hpp"
#include "io/error.hpp"

namespace seiswg::gpu {
namespace {

// The adapter and device the worker prepared: names and limits (JSON-free: one field per call).
EM_JS(int, web_has_device, (), { return Module["preinitializedWebGPUDevice"] ? 1 : 0; });
EM_JS(double, web_device_limit, (const char* name), {
  var d = Module["preinitializedWebGPUDevice"];
  var v = d && d.limits ? d.limits[UTF8ToString(name)] : 0;
  return v ? v : 0;
});
EM_JS(char*, web_adapter_text, (const char* field), {
  var info = Module["seiswgAdapterInfo"] || {};
  var v = info[UTF8ToString(field)];
  var s = v == null ? "" : String(v);  // undefined or null
  var n = lengthBytesUTF8(s) + 1;
  var p = _malloc(n);
  stringToUTF8(s, p, n);
  return p;
});

std::string adapter_text(const char* field) {
  char* p = web_adapter_text(field);
  std::string s(p);
  std::free(p);
  return s;
}

// Yields to the browser's event loop until `flag` is set by a WebGPU callback.
void wait_for(const bool& flag) {
  while (!flag) emscripten_sleep(0);
}

}  // namespace

struct KernelTimer {};

struct Device::Impl {
  WGPUDevice device = nullptr;
  WGPUQueue queue = nullptr;
  std::string errors;
  Buffer staging;  // Device::read goes through it: map_read | copy_dst, grown on demand
  std::uint64_t issued_fence = 0, done_fence = 0;
  ~Impl() {
    staging = Buffer();
    if (queue) wgpuQueueRelease(queue);
    // The worker's JS device is shared by later runs: released here, never destroyed.
    if (device) wgpuDeviceRelease(device);
  }
  // Runs `work` inside an error scope and returns the error text ("" if none).
  template <class F>
  std::string scoped(WGPUErrorFilter filter, F&& work) {
    wgpuDevicePushErrorScope(device, filter);
    work();
    struct Result {
      bool done = false;
      std::string message;
    } result;
    wgpuDevicePopErrorScope(
        device,
        [](WGPUErrorType type, const char* message, void* r) {
          auto* res = static_cast<Result*>(r);
          if (type != WGPUErrorType_NoError)
            res->message =
                message ? message : (type == WGPUErrorType_OutOfMemory ? "out of memory" : "error");
          res->done = true;
        },
        &result);
    wait_for(result.done);
    return result.message;
  }
  void wait_queue() {
    bool done = false;
    wgpuQueueOnSubmittedWorkDone(
        queue, 0, [](WGPUQueueWorkDoneStatus, void* d) { *static_cast<bool*>(d) = true; }, &done);
    wait_for(done);
  }
};

#include "gpu/webgpu_shared.inc"
void Commands::dispatch(const Kernel& kernel, const BindGroup& bindings, std::uint32_t groups_x,
                        std::uint32_t groups_y, std::uint32_t groups_z) {
  if (groups_x == 0 || groups_y == 0) return;
  if (!pass_) pass_ = wgpuCommandEncoderBeginComputePass(static_cast<WGPUCommandEncoder>(encoder_), nullptr);
  auto pass = static_cast<WGPUComputePassEncoder>(pass_);
  wgpuComputePassEncoderSetPipeline(pass, static_cast<WGPUComputePipeline>(kernel.pipeline_));
  wgpuComputePassEncoderSetBindGroup(pass, 0, static_cast<WGPUBindGroup>(bindings.handle_), 0, nullptr);
  // web/webgpu_fixes.js maps this onto the browser's dispatchWorkgroups.
  wgpuComputePassEncoderDispatch(pass, groups_x, groups_y, groups_z);
}

std::vector<AdapterInfo> Device::list_adapters() {
  std::vector<AdapterInfo> found;
  if (web_has_device()) found.push_back(open({})->adapter());
  return found;
}

std::unique_ptr<Device> Device::open(const DeviceOptions&) {
  // The worker requests the device first and reports a browser without WebGPU in words
  // (web/webgpu_help.js); reaching this means the module was driven without it.
  if (!web_has_device())
    throw GpuError("no WebGPU device was handed to the solver (Module.preinitializedWebGPUDevice is unset)");
  auto impl = std::make_unique<Impl>();
  impl->device = emscripten_webgpu_get_device();
  impl->queue = wgpuDeviceGetQueue(impl->device);
  wgpuDeviceSetUncapturedErrorCallback(
      impl->device,
      [](WGPUErrorType type, const char* message, void* self) {
        static_cast<Impl*>(self)->errors +=
            std::string(type == WGPUErrorType_OutOfMemory ? "out of GPU memory: " : "") +
            (message ? message : "") + "\n";
      },
      impl.get());
  AdapterInfo info;
  info.name = adapter_text("description");
  if (info.name.empty()) info.name = adapter_text("vendor") + " " + adapter_text("architecture");
  info.driver = adapter_text("driver");
  info.backend = "browser WebGPU";
  const std::string fallback = adapter_text("isFallbackAdapter");
  info.kind = fallback == "true" ? AdapterKind::cpu : AdapterKind::unknown;
  info.limits.max_buffer_size = std::uint64_t(web_device_limit("maxBufferSize"));
  info.limits.max_storage_binding_size = std::uint64_t(web_device_limit("maxStorageBufferBindingSize"));
  info.limits.max_storage_buffers_per_stage =
      std::uint32_t(web_device_limit("maxStorageBuffersPerShaderStage"));
  info.limits.max_workgroups_per_dimension =
      std::uint32_t(web_device_limit("maxComputeWorkgroupsPerDimension"));
  info.limits.max_invocations_per_workgroup =
      std::uint32_t(web_device_limit("maxComputeInvocationsPerWorkgroup"));
  std::unique_ptr<Device> device(new Device(std::move(impl)));
  device->info_ = info;
  return device;
}

Buffer Device::create_native_buffer(std::uint64_t bytes, std::uint64_t native_usage, std::string_view label) {
  if (bytes > info_.limits.max_buffer_size)
    throw GpuError("buffer '" + std::string(label) + "' needs " + format_bytes(bytes) + " but " +
                   info_.summary() + " allows at most " + format_bytes(info_.limits.max_buffer_size) +
                   " per buffer (a smaller grid, or fewer shots per batch, fits)");
  const std::string name(label);  // 3.1.6 takes labels as C strings
  WGPUBufferDescriptor desc = {};
  desc.label = name.c_str();
  desc.usage = WGPUBufferUsageFlags(native_usage);
  desc.size = (std::max<std::uint64_t>(bytes, 4) + 3) & ~std::uint64_t(3);
  Buffer buffer;
  // No error scope per buffer (each would cost a trip through the event loop): an allocation that
  // fails reaches the uncaptured-error callback, and check_errors at the next wait names it.
  buffer.handle_ = wgpuDeviceCreateBuffer(impl_->device, &desc);
  buffer.size_ = desc.size;
  counters_.buffers += 1;
  counters_.buffer_bytes += desc.size;
  return buffer;
}

void Device::read(const Buffer& buffer, std::uint64_t offset, std::size_t bytes, void* out) {
  if (bytes == 0) return;
  const std::uint64_t cap =
      std::bit_floor(std::min(kMaxStagingBytes, std::max<std::uint64_t>(info_.limits.max_buffer_size, 4)));
  const std::uint64_t want = std::min<std::uint64_t>((bytes + 3) & ~std::uint64_t(3), cap);
  Buffer& staging = impl_->staging;
  if (staging.size() < want) {
    staging = Buffer();
    staging = create_buffer(std::bit_ceil(want), usage::map_read | usage::copy_dst, "readback staging");
  }
  auto handle = static_cast<WGPUBuffer>(staging.handle_);
  auto* to = static_cast<std::byte*>(out);
  for (std::uint64_t done = 0; done < bytes;) {
    const std::uint64_t chunk = std::min<std::uint64_t>(bytes - done, staging.size());
    const std::uint64_t padded = (chunk + 3) & ~std::uint64_t(3);
    Commands commands = record();
    commands.copy(buffer, offset + done, staging, 0, padded);
    submit(std::move(commands));
    struct Result {
      bool done = false, ok = false;
    } result;
    wgpuBufferMapAsync(
        handle, WGPUMapMode_Read, 0, std::size_t(padded),
        [](WGPUBufferMapAsyncStatus status, void* r) {
          auto* res = static_cast<Result*>(r);
          res->ok = status == WGPUBufferMapAsyncStatus_Success;
          res->done = true;
        },
        &result);
    wait_for(result.done);
    if (result.ok) {
      std::memcpy(to + done, wgpuBufferGetConstMappedRange(handle, 0, std::size_t(padded)),
                  std::size_t(chunk));
      wgpuBufferUnmap(handle);
    }
    check_errors("reading results back from the GPU");
    if (!result.ok) throw GpuError("reading results back from the GPU failed (mapAsync)");
    done += chunk;
  }
}

Kernel Device::create_kernel(std::string_view wgsl, std::string_view entry,
                             std::span<const std::pair<std::string, double>> constants,
                             std::string_view label) {
  const std::string code(wgsl), entry_name(entry);
  Kernel kernel;
  kernel.label_ = std::string(label);
  WGPUShaderModuleWGSLDescriptor source = {};
  source.chain.sType = WGPUSType_ShaderModuleWGSLDescriptor;
  source.source = code.c_str();
  WGPUShaderModuleDescriptor module_desc = {};
  module_desc.nextInChain = &source.chain;
  module_desc.label = kernel.label_.c_str();
  std::vector<WGPUConstantEntry> entries;
  for (const auto& [key, value] : constants) {
    WGPUConstantEntry e = {};
    e.key = key.c_str();
    e.value = value;
    entries.push_back(e);
  }
  WGPUShaderModule module = nullptr;
  std::string error = impl_->scoped(WGPUErrorFilter_Validation, [&] {
    module = wgpuDeviceCreateShaderModule(impl_->device, &module_desc);
    WGPUComputePipelineDescriptor desc = {};
    desc.label = kernel.label_.c_str();
    desc.layout = nullptr;  // "auto" (web/webgpu_fixes.js): the layout the WGSL entry point implies
    desc.compute.module = module;
    desc.compute.entryPoint = entry_name.c_str();
    desc.compute.constantCount = std::uint32_t(entries.size());
    desc.compute.constants = entries.data();
    kernel.pipeline_ = wgpuDeviceCreateComputePipeline(impl_->device, &desc);
    kernel.layout_ =
        wgpuComputePipelineGetBindGroupLayout(static_cast<WGPUComputePipeline>(kernel.pipeline_), 0);
  });
  if (module) wgpuShaderModuleRelease(module);
  if (!error.empty()) throw GpuError("compiling WGSL kernel '" + kernel.label_ + "' failed:\n" + error);
  counters_.kernels += 1;
  return kernel;
}

BindGroup Device::bind(const Kernel& kernel, std::span<const Binding> bindings) {
  std::vector<WGPUBindGroupEntry> entries;
  for (const auto& b : bindings) {
    WGPUBindGroupEntry e = {};
    e.binding = b.index;
    e.buffer = static_cast<WGPUBuffer>(b.buffer->handle_);
    e.size = b.buffer->size();
    entries.push_back(e);
  }
  WGPUBindGroupDescriptor desc = {};
  desc.layout = static_cast<WGPUBindGroupLayout>(kernel.layout_);
  desc.entryCount = std::uint32_t(entries.size());
  desc.entries = entries.data();
  BindGroup group;
  // Like buffers, without a scope of its own: errors name the kernel's pipeline and reach check_errors.
  group.handle_ = wgpuDeviceCreateBindGroup(impl_->device, &desc);
  counters_.bind_groups += 1;
  return group;
}

Commands Device::record() {
  return Commands(wgpuDeviceCreateCommandEncoder(impl_->device, nullptr), nullptr);
}

void Device::wait_idle() {
  impl_->wait_queue();
  check_errors("running GPU work");
}

std::uint64_t Device::fence() {
  Impl& d = *impl_;
  const std::uint64_t id = ++d.issued_fence;
  struct Done {
    Impl* impl;
    std::uint64_t id;
  };
  // The callback frees its note; a fence never seen done (device gone) leaks 16 bytes, no more.
  wgpuQueueOnSubmittedWorkDone(
      d.queue, 0,
      [](WGPUQueueWorkDoneStatus, void* p) {
        auto* note = static_cast<Done*>(p);
        note->impl->done_fence = std::max(note->impl->done_fence, note->id);
        delete note;
      },
      new Done{&d, id});
  return id;
}

bool Device::is_done(std::uint64_t fence) {
  Impl& d = *impl_;
  if (fence > d.issued_fence) throw GpuError("fence " + std::to_string(fence) + " was never made");
  // Callbacks run from the event loop only: let it run once, briefly.
  if (fence > d.done_fence) emscripten_sleep(0);
  return fence <= d.done_fence;
}

void Device::wait(std::uint64_t fence) {
  Impl& d = *impl_;
  if (fence > d.issued_fence) throw GpuError("fence " + std::to_string(fence) + " was never made");
  while (fence > d.done_fence) emscripten_sleep(0);
  check_errors("running GPU work");
}

void Device::check_errors(std::string_view context) {
  if (impl_->errors.empty()) return;
  std::string e = std::move(impl_->errors);
  impl_->errors.clear();
  throw GpuError(std::string(context) + " on " + info_.summary() + " failed:\n" + e);
}

void Device::start_kernel_timing(std::uint32_t, bool) {
  throw GpuError(info_.summary() + ": kernel timing is not available in the browser build");
}
std::vector<KernelTime> Device::stop_kernel_timing() { return {}; }

}  // namespace seiswg::gpu
