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

// Loader <-> runtime negotiation (OpenXR loader spec, "Runtime Interface Negotiation").
// Debian's 1.0.20 headers do not ship loader_interfaces.h, so the structs are declared here
// for the simulated headset, with the layout the spec defines.
typedef enum XrLoaderInterfaceStructs {
    XR_LOADER_INTERFACE_STRUCT_UNINTIALIZED = 0,
    XR_LOADER_INTERFACE_STRUCT_LOADER_INFO,
    XR_LOADER_INTERFACE_STRUCT_API_LAYER_REQUEST,
    XR_LOADER_INTERFACE_STRUCT_RUNTIME_REQUEST,
    XR_LOADER_INTERFACE_STRUCT_API_LAYER_CREATE_INFO,
    XR_LOADER_INTERFACE_STRUCT_API_LAYER_NEXT_INFO,
    XR_LOADER_INTERFACE_STRUCTS_MAX_ENUM = 0x7FFFFFFF
} XrLoaderInterfaceStructs;

#define EXPOSURE_XR_LOADER_INFO_STRUCT_VERSION 1
#define EXPOSURE_XR_RUNTIME_INFO_STRUCT_VERSION 1
#define EXPOSURE_XR_CURRENT_LOADER_RUNTIME_VERSION 1

typedef struct XrNegotiateLoaderInfo {
    XrLoaderInterfaceStructs structType;
    uint32_t structVersion;
    size_t structSize;
    uint32_t minInterfaceVersion;
    uint32_t maxInterfaceVersion;
    XrVersion minApiVersion;
    XrVersion maxApiVersion;
} XrNegotiateLoaderInfo;

typedef struct XrNegotiateRuntimeRequest {
    XrLoaderInterfaceStructs structType;
    uint32_t structVersion;
    size_t structSize;
    uint32_t runtimeInterfaceVersion;
    XrVersion runtimeApiVersion;
    PFN_xrGetInstanceProcAddr getInstanceProcAddr;
} XrNegotiateRuntimeRequest;

static inline uint32_t exposure_xr_loader_info_struct_version(void) { return EXPOSURE_XR_LOADER_INFO_STRUCT_VERSION; }
static inline uint32_t exposure_xr_runtime_info_struct_version(void) { return EXPOSURE_XR_RUNTIME_INFO_STRUCT_VERSION; }
static inline uint32_t exposure_xr_current_loader_runtime_version(void) { return EXPOSURE_XR_CURRENT_LOADER_RUNTIME_VERSION; }

// XrResult -> its name, generated from openxr_reflection.h, so thrown errors say e.g. XR_ERROR_SESSION_LOST.
static inline const char *exposure_xr_result_name(XrResult r) {
    switch (r) {
#define EXPOSURE_XR_RESULT_CASE(name, value) case name: return #name;
    XR_LIST_ENUM_XrResult(EXPOSURE_XR_RESULT_CASE)
#undef EXPOSURE_XR_RESULT_CASE
    default: return "XR_RESULT_UNKNOWN";
    }
}
static inline const char *exposure_xr_structure_type_name(XrStructureType t) {
    switch (t) {
#define EXPOSURE_XR_TYPE_CASE(name, value) case name: return #name;
    XR_LIST_ENUM_XrStructureType(EXPOSURE_XR_TYPE_CASE)
#undef EXPOSURE_XR_TYPE_CASE
    default: return "XR_TYPE_UNKNOWN";
    }
}
#endif
