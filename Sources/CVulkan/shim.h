#ifndef EXPOSURE_CVULKAN_SHIM_H
#define EXPOSURE_CVULKAN_SHIM_H
#include <vulkan/vulkan.h>

// Swift does not import function-like macros; these wrap the ones we need.
static inline uint32_t exposure_vk_make_api_version(uint32_t variant, uint32_t major, uint32_t minor, uint32_t patch) {
    return VK_MAKE_API_VERSION(variant, major, minor, patch);
}
static inline uint32_t exposure_vk_api_version_1_1(void) { return VK_API_VERSION_1_1; }
static inline uint32_t exposure_vk_api_version_1_2(void) { return VK_API_VERSION_1_2; }
static inline uint32_t exposure_vk_api_version_major(uint32_t v) { return VK_API_VERSION_MAJOR(v); }
static inline uint32_t exposure_vk_api_version_minor(uint32_t v) { return VK_API_VERSION_MINOR(v); }
static inline uint32_t exposure_vk_api_version_patch(uint32_t v) { return VK_API_VERSION_PATCH(v); }
#endif
