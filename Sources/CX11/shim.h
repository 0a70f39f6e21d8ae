#ifndef EXPOSURE_CX11_SHIM_H
#define EXPOSURE_CX11_SHIM_H
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/keysym.h>
#include <stdint.h>

// Swift does not import Xlib's function-like macros or long-typed mask macros; these wrap them.
static inline long exposure_x11_event_mask(void) {
    return KeyPressMask | StructureNotifyMask | ExposureMask;
}
static inline int exposure_x11_key_press(void) { return KeyPress; }
static inline int exposure_x11_client_message(void) { return ClientMessage; }
static inline int exposure_x11_destroy_notify(void) { return DestroyNotify; }

// The layout of VkXlibSurfaceCreateInfoKHR (vulkan_xlib.h), declared here so this module does not
// include the Vulkan headers a second time (two modules declaring VkInstance make Swift's types ambiguous).
typedef struct exposure_xlib_surface_create_info {
    int32_t sType;              // VK_STRUCTURE_TYPE_XLIB_SURFACE_CREATE_INFO_KHR = 1000004000
    const void *pNext;
    uint32_t flags;
    Display *dpy;
    Window window;
} exposure_xlib_surface_create_info;
#endif
