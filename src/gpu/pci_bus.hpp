#pragma once
// The PCI address of the GPU behind an adapter, for the line each rank of a job prints: WebGPU's
// adapter info has vendor and device ids but no bus address, so the Vulkan loader is asked directly.
#include <string>

#include "gpu/device.hpp"

namespace seiswg::gpu {

// "PCI 0000:41:00.0" for the Vulkan device with the adapter's vendor and device ids, from the
// driver's VK_EXT_pci_bus_info. Otherwise says why not: "PCI bus id unknown (<reason>)" when the
// backend is not Vulkan, the loader lists no such device, or its driver reports no bus; "no PCI bus id
// (a CPU adapter)" for lavapipe;
// "PCI bus id ambiguous (N devices ...: A, B)" when several identical GPUs are visible and nothing
// tells which one Dawn took. Looks in this process's environment, so that Mesa's device-select layer
// (DRI_PRIME) shows it what it shows Dawn.
std::string pci_bus_text(const AdapterInfo& adapter);

}  // namespace seiswg::gpu
