#ifndef EXPOSURE_COPENXR_SHIM_H
#define EXPOSURE_COPENXR_SHIM_H
// Vulkan first (through CVulkan's own shim so Swift sees one set of Vk types),
// then the platform defines, then the OpenXR headers.
#include "../CVulkan/shim.h"
#include <time.h>
#define XR_USE_GRAPHICS_API_VULKAN 1
#define XR_USE_TIMESPEC 1
#include <openxr/openxr.h>
#include <openxr/openxr_platform.h>
#include <openxr/openxr_reflection.h>

static inline XrVersion exposure_xr_make_version(uint16_t major, uint16_t minor, uint32_t patch) {
    return XR_MAKE_VERSION(major, minor, patch);
}
static inline XrVersion exposure_xr_current_api_version(void) { return XR_CURRENT_API_VERSION; }
static inline uint16_t exposure_xr_version_major(XrVersion v) { return XR_VERSION_MAJOR(v); }
static inline uint16_t exposure_xr_version_minor(XrVersion v) { return XR_VERSION_MINOR(v); }
static inline uint32_t exposure_xr_version_patch(XrVersion v) { return XR_VERSION_PATCH(v); }
static inline int exposure_xr_succeeded(XrResult r) { return XR_SUCCEEDED(r); }
static inline int exposure_xr_failed(XrResult r) { return XR_FAILED(r); }
#endif
