#include "gpu/pci_bus.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>

#ifndef __EMSCRIPTEN__
#include <dlfcn.h>
// Types only (Debian's libvulkan-dev): the loader is opened at run time, not linked.
#define VK_NO_PROTOTYPES 1
#include <vulkan/vulkan.h>
#endif

namespace seiswg::gpu {

#ifdef __EMSCRIPTEN__

std::string pci_bus_text(const AdapterInfo&) { return "PCI bus id unknown (the browser does not tell)"; }

std::vector<VulkanDevice> vulkan_devices(std::string& reason) {
  reason = "no Vulkan in the browser";
  return {};
}

#else

namespace {

bool has_extension(PFN_vkEnumerateDeviceExtensionProperties enumerate, VkPhysicalDevice device,
                   const char* name) {
  std::uint32_t count = 0;
  if (enumerate(device, nullptr, &count, nullptr) != VK_SUCCESS) return false;
  std::vector<VkExtensionProperties> extensions(count);
  if (enumerate(device, nullptr, &count, extensions.data()) < 0) return false;
  for (std::uint32_t k = 0; k < count; ++k)
    if (std::strcmp(extensions[k].extensionName, name) == 0) return true;
  return false;
}

std::string hex4(std::uint32_t v) {
  char s[16];
  std::snprintf(s, sizeof s, "%04x", v);
  return s;
}

}  // namespace

std::vector<VulkanDevice> vulkan_devices(std::string& reason) {
  std::vector<VulkanDevice> out;
  void* loader = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!loader) return reason = "no Vulkan loader: " + std::string(dlerror()), out;
  const auto get = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(loader, "vkGetInstanceProcAddr"));
  const auto create =
      get ? reinterpret_cast<PFN_vkCreateInstance>(get(nullptr, "vkCreateInstance")) : nullptr;
  VkApplicationInfo app{};
  app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  app.pApplicationName = "seiswg";
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo info{};
  info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  info.pApplicationInfo = &app;
  VkInstance instance = VK_NULL_HANDLE;
  if (!create || create(&info, nullptr, &instance) != VK_SUCCESS) {
    dlclose(loader);
    return reason = "the Vulkan loader made no instance", out;
  }
  const auto destroy = reinterpret_cast<PFN_vkDestroyInstance>(get(instance, "vkDestroyInstance"));
  const auto enumerate =
      reinterpret_cast<PFN_vkEnumeratePhysicalDevices>(get(instance, "vkEnumeratePhysicalDevices"));
  const auto properties =
      reinterpret_cast<PFN_vkGetPhysicalDeviceProperties2>(get(instance, "vkGetPhysicalDeviceProperties2"));
  const auto extensions = reinterpret_cast<PFN_vkEnumerateDeviceExtensionProperties>(
      get(instance, "vkEnumerateDeviceExtensionProperties"));
  std::uint32_t count = 0;
  std::vector<VkPhysicalDevice> devices;
  if (enumerate && properties && extensions && enumerate(instance, &count, nullptr) == VK_SUCCESS) {
    devices.resize(count);
    if (enumerate(instance, &count, devices.data()) < 0) count = 0;
    devices.resize(count);
  }
  for (VkPhysicalDevice device : devices) {
    VkPhysicalDeviceProperties2 props{};
    props.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    VkPhysicalDevicePCIBusInfoPropertiesEXT bus{};
    bus.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PCI_BUS_INFO_PROPERTIES_EXT;
    const bool has_bus = has_extension(extensions, device, VK_EXT_PCI_BUS_INFO_EXTENSION_NAME);
    if (has_bus) props.pNext = &bus;
    properties(device, &props);
    VulkanDevice d;
    d.name = props.properties.deviceName;
    d.vendor_id = props.properties.vendorID;
    d.device_id = props.properties.deviceID;
    d.cpu = props.properties.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
    if (has_bus) {
      char address[32];
      std::snprintf(address, sizeof address, "%04x:%02x:%02x.%x", bus.pciDomain, bus.pciBus, bus.pciDevice,
                    bus.pciFunction);
      d.pci = address;
    }
    out.push_back(std::move(d));
  }
  if (destroy) destroy(instance, nullptr);
  dlclose(loader);
  return out;
}

std::string pci_bus_text(const AdapterInfo& adapter) {
  if (adapter.backend != "Vulkan")
    return "PCI bus id unknown (asked of Vulkan only; this is " + adapter.backend + ")";
  if (adapter.kind == AdapterKind::cpu) return "no PCI bus id (a CPU adapter)";
  std::string reason;
  bool matched = false;
  std::set<std::string> addresses;
  for (const VulkanDevice& d : vulkan_devices(reason)) {
    if (d.vendor_id != adapter.vendor_id || d.device_id != adapter.device_id) continue;
    matched = true;
    if (!d.pci.empty()) addresses.insert(d.pci);
  }
  if (reason.empty() && !matched)
    reason = "the Vulkan loader lists no device " + hex4(adapter.vendor_id) + ":" + hex4(adapter.device_id);
  else if (reason.empty() && addresses.empty())
    reason = "its Vulkan driver reports none: no VK_EXT_pci_bus_info";
  if (addresses.empty()) return "PCI bus id unknown (" + reason + ")";
  if (addresses.size() == 1) return "PCI " + *addresses.begin();
  std::string list;
  for (const auto& a : addresses) list += (list.empty() ? "" : ", ") + a;
  return "PCI bus id ambiguous (" + std::to_string(addresses.size()) + " devices " + hex4(adapter.vendor_id) +
         ":" + hex4(adapter.device_id) + " visible: " + list + ")";
}

#endif

std::vector<std::string> vulkan_gpu_addresses() {
  std::string reason;
  std::set<std::string> addresses;
  for (const VulkanDevice& d : vulkan_devices(reason))
    if (!d.cpu && !d.pci.empty()) addresses.insert(d.pci);
  return {addresses.begin(), addresses.end()};
}

}  // namespace seiswg::gpu
