// seiswg's own declarations of the part of Dawn's WebGPU C ABI that the native backend calls.
//
// They match libwebgpu_wrapper.so from npm bun-webgpu-linux-x64@0.1.7 (a Dawn build of June 2025:
// WGPUStringView, callback-info structs with two userdata pointers, futures + wgpuInstanceWaitAny).
// Layouts were checked against that library (see WGPULimits below). Only gpu/dawn_device.cpp
// includes this file; nothing above the GPU layer sees a WebGPU type.
#ifndef SEISWG_GPU_DAWN_ABI_H_
#define SEISWG_GPU_DAWN_ABI_H_
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WGPU_STRLEN (SIZE_MAX)
typedef uint64_t WGPUFlags;
typedef uint32_t WGPUBool;

typedef struct WGPUAdapterImpl* WGPUAdapter;
typedef struct WGPUBindGroupImpl* WGPUBindGroup;
typedef struct WGPUBindGroupLayoutImpl* WGPUBindGroupLayout;
typedef struct WGPUBufferImpl* WGPUBuffer;
typedef struct WGPUCommandBufferImpl* WGPUCommandBuffer;
typedef struct WGPUCommandEncoderImpl* WGPUCommandEncoder;
typedef struct WGPUComputePassEncoderImpl* WGPUComputePassEncoder;
typedef struct WGPUComputePipelineImpl* WGPUComputePipeline;
typedef struct WGPUDeviceImpl* WGPUDevice;
typedef struct WGPUInstanceImpl* WGPUInstance;
typedef struct WGPUPipelineLayoutImpl* WGPUPipelineLayout;
typedef struct WGPUQuerySetImpl* WGPUQuerySet;
typedef struct WGPUQueueImpl* WGPUQueue;
typedef struct WGPUSamplerImpl* WGPUSampler;
typedef struct WGPUShaderModuleImpl* WGPUShaderModule;
typedef struct WGPUSurfaceImpl* WGPUSurface;
typedef struct WGPUTextureViewImpl* WGPUTextureView;

typedef struct WGPUStringView {
  char const* data;
  size_t length;
} WGPUStringView;

typedef enum WGPUSType {
  WGPUSType_ShaderSourceWGSL = 0x00000002,
  WGPUSType_DawnTogglesDescriptor = 0x0005000A,
  // dawn.json "s type" value 19 with tag dawn (+0x00050000), unchanged 2025-05-29 .. 2025-06-13.
  WGPUSType_AdapterPropertiesMemoryHeaps = 0x00050013,
  WGPUSType_Force32 = 0x7FFFFFFF
} WGPUSType;

typedef enum WGPUBackendType {
  WGPUBackendType_Undefined = 0,
  WGPUBackendType_Null = 1,
  WGPUBackendType_WebGPU = 2,
  WGPUBackendType_D3D11 = 3,
  WGPUBackendType_D3D12 = 4,
  WGPUBackendType_Metal = 5,
  WGPUBackendType_Vulkan = 6,
  WGPUBackendType_OpenGL = 7,
  WGPUBackendType_OpenGLES = 8,
  WGPUBackendType_Force32 = 0x7FFFFFFF
} WGPUBackendType;

typedef enum WGPUAdapterType {
  WGPUAdapterType_DiscreteGPU = 1,
  WGPUAdapterType_IntegratedGPU = 2,
  WGPUAdapterType_CPU = 3,
  WGPUAdapterType_Unknown = 4,
  WGPUAdapterType_Force32 = 0x7FFFFFFF
} WGPUAdapterType;

typedef enum WGPUFeatureLevel {
  WGPUFeatureLevel_Undefined = 0,
  WGPUFeatureLevel_Compatibility = 1,
  WGPUFeatureLevel_Core = 2,
  WGPUFeatureLevel_Force32 = 0x7FFFFFFF
} WGPUFeatureLevel;

typedef enum WGPUPowerPreference {
  WGPUPowerPreference_Undefined = 0,
  WGPUPowerPreference_LowPower = 1,
  WGPUPowerPreference_HighPerformance = 2,
  WGPUPowerPreference_Force32 = 0x7FFFFFFF
} WGPUPowerPreference;

typedef enum WGPUCallbackMode {
  WGPUCallbackMode_WaitAnyOnly = 1,
  WGPUCallbackMode_AllowProcessEvents = 2,
  WGPUCallbackMode_AllowSpontaneous = 3,
  WGPUCallbackMode_Force32 = 0x7FFFFFFF
} WGPUCallbackMode;

typedef enum WGPUStatus {
  WGPUStatus_Success = 1,
  WGPUStatus_Error = 2,
  WGPUStatus_Force32 = 0x7FFFFFFF
} WGPUStatus;
typedef enum WGPURequestAdapterStatus {
  WGPURequestAdapterStatus_Success = 1,
  WGPURequestAdapterStatus_Force32 = 0x7FFFFFFF
} WGPURequestAdapterStatus;
typedef enum WGPURequestDeviceStatus {
  WGPURequestDeviceStatus_Success = 1,
  WGPURequestDeviceStatus_Force32 = 0x7FFFFFFF
} WGPURequestDeviceStatus;
typedef enum WGPUMapAsyncStatus {
  WGPUMapAsyncStatus_Success = 1,
  WGPUMapAsyncStatus_Force32 = 0x7FFFFFFF
} WGPUMapAsyncStatus;
typedef enum WGPUQueueWorkDoneStatus {
  WGPUQueueWorkDoneStatus_Success = 1,
  WGPUQueueWorkDoneStatus_Force32 = 0x7FFFFFFF
} WGPUQueueWorkDoneStatus;
typedef enum WGPUPopErrorScopeStatus {
  WGPUPopErrorScopeStatus_Success = 1,
  WGPUPopErrorScopeStatus_Force32 = 0x7FFFFFFF
} WGPUPopErrorScopeStatus;
typedef enum WGPUErrorType {
  WGPUErrorType_NoError = 1,
  WGPUErrorType_Validation = 2,
  WGPUErrorType_OutOfMemory = 3,
  WGPUErrorType_Internal = 4,
  WGPUErrorType_Unknown = 5,
  WGPUErrorType_Force32 = 0x7FFFFFFF
} WGPUErrorType;
typedef enum WGPUErrorFilter {
  WGPUErrorFilter_Validation = 1,
  WGPUErrorFilter_OutOfMemory = 2,
  WGPUErrorFilter_Internal = 3,
  WGPUErrorFilter_Force32 = 0x7FFFFFFF
} WGPUErrorFilter;
typedef enum WGPUDeviceLostReason {
  WGPUDeviceLostReason_Unknown = 1,
  WGPUDeviceLostReason_Destroyed = 2,
  WGPUDeviceLostReason_CallbackCancelled = 3,
  WGPUDeviceLostReason_FailedCreation = 4,
  WGPUDeviceLostReason_Force32 = 0x7FFFFFFF
} WGPUDeviceLostReason;
typedef enum WGPUWaitStatus {
  WGPUWaitStatus_Success = 1,
  WGPUWaitStatus_TimedOut = 2,
  WGPUWaitStatus_Error = 3,
  WGPUWaitStatus_Force32 = 0x7FFFFFFF
} WGPUWaitStatus;
typedef uint32_t WGPUFeatureName;
typedef enum WGPUQueryType { WGPUQueryType_Timestamp = 2, WGPUQueryType_Force32 = 0x7FFFFFFF } WGPUQueryType;

typedef WGPUFlags WGPUBufferUsage;
typedef WGPUFlags WGPUMapMode;
#define WGPUBufferUsage_MapRead ((WGPUBufferUsage)0x1)
#define WGPUBufferUsage_CopySrc ((WGPUBufferUsage)0x4)
#define WGPUBufferUsage_CopyDst ((WGPUBufferUsage)0x8)
#define WGPUBufferUsage_Uniform ((WGPUBufferUsage)0x40)
#define WGPUBufferUsage_Storage ((WGPUBufferUsage)0x80)
#define WGPUBufferUsage_QueryResolve ((WGPUBufferUsage)0x200)
#define WGPUMapMode_Read ((WGPUMapMode)0x1)
#define WGPUFeatureName_TimestampQuery ((WGPUFeatureName)0x00000003)
// dawn.json "feature name" value 21 with tag dawn (+0x00050000), unchanged 2025-05-29 .. 2025-06-13;
// Dawn's Vulkan backend always offers it (lavapipe reports it).
#define WGPUFeatureName_AdapterPropertiesMemoryHeaps ((WGPUFeatureName)0x00050015)

typedef WGPUFlags WGPUHeapProperty;
#define WGPUHeapProperty_DeviceLocal ((WGPUHeapProperty)0x1)
#define WGPUHeapProperty_HostVisible ((WGPUHeapProperty)0x2)
#define WGPUHeapProperty_HostCoherent ((WGPUHeapProperty)0x4)
#define WGPUHeapProperty_HostUncached ((WGPUHeapProperty)0x8)
#define WGPUHeapProperty_HostCached ((WGPUHeapProperty)0x10)

typedef void (*WGPUBufferMapCallback)(WGPUMapAsyncStatus, WGPUStringView, void*, void*);
typedef void (*WGPUDeviceLostCallback)(WGPUDevice const*, WGPUDeviceLostReason, WGPUStringView, void*, void*);
// With the message argument that Dawn added on 2025-06-02: checked at run time on this library
// (userdata1/userdata2 arrive intact, which they would not with the older 3-argument callback).
typedef void (*WGPUQueueWorkDoneCallback)(WGPUQueueWorkDoneStatus, WGPUStringView, void*, void*);
typedef void (*WGPURequestAdapterCallback)(WGPURequestAdapterStatus, WGPUAdapter, WGPUStringView, void*,
                                           void*);
typedef void (*WGPURequestDeviceCallback)(WGPURequestDeviceStatus, WGPUDevice, WGPUStringView, void*, void*);
typedef void (*WGPUUncapturedErrorCallback)(WGPUDevice const*, WGPUErrorType, WGPUStringView, void*, void*);
typedef void (*WGPUPopErrorScopeCallback)(WGPUPopErrorScopeStatus, WGPUErrorType, WGPUStringView, void*,
                                          void*);

typedef struct WGPUChainedStruct {
  struct WGPUChainedStruct* next;
  WGPUSType sType;
} WGPUChainedStruct;

#define SEISWG_CALLBACK_INFO(Name, Callback) \
  typedef struct Name {                      \
    WGPUChainedStruct* nextInChain;          \
    WGPUCallbackMode mode;                   \
    Callback callback;                       \
    void* userdata1;                         \
    void* userdata2;                         \
  } Name
SEISWG_CALLBACK_INFO(WGPUBufferMapCallbackInfo, WGPUBufferMapCallback);
SEISWG_CALLBACK_INFO(WGPUDeviceLostCallbackInfo, WGPUDeviceLostCallback);
SEISWG_CALLBACK_INFO(WGPUQueueWorkDoneCallbackInfo, WGPUQueueWorkDoneCallback);
SEISWG_CALLBACK_INFO(WGPURequestAdapterCallbackInfo, WGPURequestAdapterCallback);
SEISWG_CALLBACK_INFO(WGPURequestDeviceCallbackInfo, WGPURequestDeviceCallback);
SEISWG_CALLBACK_INFO(WGPUPopErrorScopeCallbackInfo, WGPUPopErrorScopeCallback);
#undef SEISWG_CALLBACK_INFO

typedef struct WGPUUncapturedErrorCallbackInfo {
  WGPUChainedStruct* nextInChain;
  WGPUUncapturedErrorCallback callback;
  void* userdata1;
  void* userdata2;
} WGPUUncapturedErrorCallbackInfo;

typedef struct WGPUAdapterInfo {
  WGPUChainedStruct* nextInChain;
  WGPUStringView vendor;
  WGPUStringView architecture;
  WGPUStringView device;
  WGPUStringView description;
  WGPUBackendType backendType;
  WGPUAdapterType adapterType;
  uint32_t vendorID;
  uint32_t deviceID;
  uint32_t subgroupMinSize;
  uint32_t subgroupMaxSize;
} WGPUAdapterInfo;

typedef struct WGPUMemoryHeapInfo {
  WGPUHeapProperty properties;
  uint64_t size;
} WGPUMemoryHeapInfo;

// Chained (out) on WGPUAdapterInfo; needs WGPUFeatureName_AdapterPropertiesMemoryHeaps on the adapter,
// otherwise wgpuAdapterGetInfo fails. Free with wgpuAdapterPropertiesMemoryHeapsFreeMembers.
typedef struct WGPUAdapterPropertiesMemoryHeaps {
  WGPUChainedStruct chain;
  size_t heapCount;
  WGPUMemoryHeapInfo const* heapInfo;
} WGPUAdapterPropertiesMemoryHeaps;

// 152 bytes in this Dawn: read back from wgpuAdapterGetLimits on lavapipe, field by field
// (maxTextureDimension1D = 16384 at byte 8 ... maxComputeWorkgroupsPerDimension = 65535 at byte 144).
typedef struct WGPULimits {
  WGPUChainedStruct* nextInChain;
  uint32_t maxTextureDimension1D;
  uint32_t maxTextureDimension2D;
  uint32_t maxTextureDimension3D;
  uint32_t maxTextureArrayLayers;
  uint32_t maxBindGroups;
  uint32_t maxBindGroupsPlusVertexBuffers;
  uint32_t maxBindingsPerBindGroup;
  uint32_t maxDynamicUniformBuffersPerPipelineLayout;
  uint32_t maxDynamicStorageBuffersPerPipelineLayout;
  uint32_t maxSampledTexturesPerShaderStage;
  uint32_t maxSamplersPerShaderStage;
  uint32_t maxStorageBuffersPerShaderStage;
  uint32_t maxStorageTexturesPerShaderStage;
  uint32_t maxUniformBuffersPerShaderStage;
  uint64_t maxUniformBufferBindingSize;
  uint64_t maxStorageBufferBindingSize;
  uint32_t minUniformBufferOffsetAlignment;
  uint32_t minStorageBufferOffsetAlignment;
  uint32_t maxVertexBuffers;
  uint64_t maxBufferSize;
  uint32_t maxVertexAttributes;
  uint32_t maxVertexBufferArrayStride;
  uint32_t maxInterStageShaderVariables;
  uint32_t maxColorAttachments;
  uint32_t maxColorAttachmentBytesPerSample;
  uint32_t maxComputeWorkgroupStorageSize;
  uint32_t maxComputeInvocationsPerWorkgroup;
  uint32_t maxComputeWorkgroupSizeX;
  uint32_t maxComputeWorkgroupSizeY;
  uint32_t maxComputeWorkgroupSizeZ;
  uint32_t maxComputeWorkgroupsPerDimension;
  uint32_t maxImmediateSize;
} WGPULimits;

typedef struct WGPUBindGroupEntry {
  WGPUChainedStruct* nextInChain;
  uint32_t binding;
  WGPUBuffer buffer;
  uint64_t offset;
  uint64_t size;
  WGPUSampler sampler;
  WGPUTextureView textureView;
} WGPUBindGroupEntry;

typedef struct WGPUBufferDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUBufferUsage usage;
  uint64_t size;
  WGPUBool mappedAtCreation;
} WGPUBufferDescriptor;

typedef struct WGPUConstantEntry {
  WGPUChainedStruct* nextInChain;
  WGPUStringView key;
  double value;
} WGPUConstantEntry;

typedef struct WGPUFuture {
  uint64_t id;
} WGPUFuture;

typedef struct WGPUInstanceCapabilities {
  WGPUChainedStruct* nextInChain;
  WGPUBool timedWaitAnyEnable;
  size_t timedWaitAnyMaxCount;
} WGPUInstanceCapabilities;

typedef struct WGPUPassTimestampWrites {
  WGPUChainedStruct* nextInChain;
  WGPUQuerySet querySet;
  uint32_t beginningOfPassWriteIndex;
  uint32_t endOfPassWriteIndex;
} WGPUPassTimestampWrites;

// Dawn's own extension: toggles by name, chained on the instance, adapter or device descriptor.
typedef struct WGPUDawnTogglesDescriptor {
  WGPUChainedStruct chain;
  size_t enabledToggleCount;
  const char* const* enabledToggles;
  size_t disabledToggleCount;
  const char* const* disabledToggles;
} WGPUDawnTogglesDescriptor;

typedef struct WGPUQueueDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
} WGPUQueueDescriptor;

typedef struct WGPURequestAdapterOptions {
  WGPUChainedStruct* nextInChain;
  WGPUFeatureLevel featureLevel;
  WGPUPowerPreference powerPreference;
  WGPUBool forceFallbackAdapter;
  WGPUBackendType backendType;
  WGPUSurface compatibleSurface;
} WGPURequestAdapterOptions;

typedef struct WGPUShaderModuleDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
} WGPUShaderModuleDescriptor;

typedef struct WGPUShaderSourceWGSL {
  WGPUChainedStruct chain;
  WGPUStringView code;
} WGPUShaderSourceWGSL;

typedef struct WGPUBindGroupDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUBindGroupLayout layout;
  size_t entryCount;
  WGPUBindGroupEntry const* entries;
} WGPUBindGroupDescriptor;

typedef struct WGPUComputePassDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUPassTimestampWrites const* timestampWrites;
} WGPUComputePassDescriptor;

typedef struct WGPUComputeState {
  WGPUChainedStruct* nextInChain;
  WGPUShaderModule module;
  WGPUStringView entryPoint;
  size_t constantCount;
  WGPUConstantEntry const* constants;
} WGPUComputeState;

typedef struct WGPUDeviceDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  size_t requiredFeatureCount;
  WGPUFeatureName const* requiredFeatures;
  WGPULimits const* requiredLimits;
  WGPUQueueDescriptor defaultQueue;
  WGPUDeviceLostCallbackInfo deviceLostCallbackInfo;
  WGPUUncapturedErrorCallbackInfo uncapturedErrorCallbackInfo;
} WGPUDeviceDescriptor;

typedef struct WGPUFutureWaitInfo {
  WGPUFuture future;
  WGPUBool completed;
} WGPUFutureWaitInfo;

typedef struct WGPUInstanceDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUInstanceCapabilities capabilities;
} WGPUInstanceDescriptor;

typedef struct WGPUComputePipelineDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUPipelineLayout layout;
  WGPUComputeState compute;
} WGPUComputePipelineDescriptor;

typedef struct WGPUQuerySetDescriptor {
  WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUQueryType type;
  uint32_t count;
} WGPUQuerySetDescriptor;

WGPUInstance wgpuCreateInstance(WGPUInstanceDescriptor const* descriptor);
WGPUFuture wgpuInstanceRequestAdapter(WGPUInstance, WGPURequestAdapterOptions const*,
                                      WGPURequestAdapterCallbackInfo);
WGPUWaitStatus wgpuInstanceWaitAny(WGPUInstance, size_t futureCount, WGPUFutureWaitInfo* futures,
                                   uint64_t timeoutNS);
void wgpuInstanceProcessEvents(WGPUInstance);
void wgpuInstanceRelease(WGPUInstance);
WGPUStatus wgpuAdapterGetInfo(WGPUAdapter, WGPUAdapterInfo* info);
WGPUStatus wgpuAdapterGetLimits(WGPUAdapter, WGPULimits* limits);
WGPUBool wgpuAdapterHasFeature(WGPUAdapter, WGPUFeatureName feature);
void wgpuAdapterInfoFreeMembers(WGPUAdapterInfo value);
void wgpuAdapterPropertiesMemoryHeapsFreeMembers(WGPUAdapterPropertiesMemoryHeaps value);
WGPUFuture wgpuAdapterRequestDevice(WGPUAdapter, WGPUDeviceDescriptor const*, WGPURequestDeviceCallbackInfo);
void wgpuAdapterRelease(WGPUAdapter);
WGPUQueue wgpuDeviceGetQueue(WGPUDevice);
WGPUBuffer wgpuDeviceCreateBuffer(WGPUDevice, WGPUBufferDescriptor const*);
WGPUShaderModule wgpuDeviceCreateShaderModule(WGPUDevice, WGPUShaderModuleDescriptor const*);
WGPUComputePipeline wgpuDeviceCreateComputePipeline(WGPUDevice, WGPUComputePipelineDescriptor const*);
WGPUBindGroup wgpuDeviceCreateBindGroup(WGPUDevice, WGPUBindGroupDescriptor const*);
WGPUCommandEncoder wgpuDeviceCreateCommandEncoder(WGPUDevice, void const* descriptor);
WGPUQuerySet wgpuDeviceCreateQuerySet(WGPUDevice, WGPUQuerySetDescriptor const*);
void wgpuDevicePushErrorScope(WGPUDevice, WGPUErrorFilter filter);
WGPUFuture wgpuDevicePopErrorScope(WGPUDevice, WGPUPopErrorScopeCallbackInfo);
void wgpuDeviceDestroy(WGPUDevice);
void wgpuDeviceRelease(WGPUDevice);
WGPUBindGroupLayout wgpuComputePipelineGetBindGroupLayout(WGPUComputePipeline, uint32_t groupIndex);
void wgpuComputePipelineRelease(WGPUComputePipeline);
void wgpuBindGroupLayoutRelease(WGPUBindGroupLayout);
void wgpuBindGroupRelease(WGPUBindGroup);
void wgpuShaderModuleRelease(WGPUShaderModule);
void wgpuQuerySetDestroy(WGPUQuerySet);
void wgpuQuerySetRelease(WGPUQuerySet);
void wgpuQueueWriteBuffer(WGPUQueue, WGPUBuffer, uint64_t offset, void const* data, size_t size);
void wgpuQueueSubmit(WGPUQueue, size_t commandCount, WGPUCommandBuffer const* commands);
WGPUFuture wgpuQueueOnSubmittedWorkDone(WGPUQueue, WGPUQueueWorkDoneCallbackInfo);
void wgpuQueueRelease(WGPUQueue);
WGPUComputePassEncoder wgpuCommandEncoderBeginComputePass(WGPUCommandEncoder,
                                                          WGPUComputePassDescriptor const*);
void wgpuCommandEncoderCopyBufferToBuffer(WGPUCommandEncoder, WGPUBuffer source, uint64_t sourceOffset,
                                          WGPUBuffer destination, uint64_t destinationOffset, uint64_t size);
void wgpuCommandEncoderClearBuffer(WGPUCommandEncoder, WGPUBuffer buffer, uint64_t offset, uint64_t size);
void wgpuCommandEncoderResolveQuerySet(WGPUCommandEncoder, WGPUQuerySet, uint32_t firstQuery,
                                       uint32_t queryCount, WGPUBuffer destination,
                                       uint64_t destinationOffset);
WGPUCommandBuffer wgpuCommandEncoderFinish(WGPUCommandEncoder, void const* descriptor);
void wgpuCommandEncoderRelease(WGPUCommandEncoder);
void wgpuCommandBufferRelease(WGPUCommandBuffer);
void wgpuComputePassEncoderSetPipeline(WGPUComputePassEncoder, WGPUComputePipeline);
void wgpuComputePassEncoderSetBindGroup(WGPUComputePassEncoder, uint32_t groupIndex, WGPUBindGroup,
                                        size_t dynamicOffsetCount, uint32_t const* dynamicOffsets);
void wgpuComputePassEncoderDispatchWorkgroups(WGPUComputePassEncoder, uint32_t x, uint32_t y, uint32_t z);
void wgpuComputePassEncoderEnd(WGPUComputePassEncoder);
void wgpuComputePassEncoderRelease(WGPUComputePassEncoder);
WGPUFuture wgpuBufferMapAsync(WGPUBuffer, WGPUMapMode mode, size_t offset, size_t size,
                              WGPUBufferMapCallbackInfo);
void const* wgpuBufferGetConstMappedRange(WGPUBuffer, size_t offset, size_t size);
void wgpuBufferUnmap(WGPUBuffer);
void wgpuBufferDestroy(WGPUBuffer);
void wgpuBufferRelease(WGPUBuffer);

#ifdef __cplusplus
}
#endif
#endif  // SEISWG_GPU_DAWN_ABI_H_
