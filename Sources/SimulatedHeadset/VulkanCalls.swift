// XR_KHR_vulkan_enable2: the runtime creates the Vulkan instance and device the app asked for.
// On lavapipe the runtime needs no extra extensions: it only copies swapchain images for capture.
import COpenXR
import CVulkan

let simGetVulkanGraphicsRequirements2: PFN_xrGetVulkanGraphicsRequirements2KHR = { instance, systemId, req in
    guard let req else { return XR_ERROR_VALIDATION_FAILURE }
    guard systemId == systemIdHMD else { return XR_ERROR_SYSTEM_INVALID }
    req.pointee.minApiVersionSupported = exposure_xr_make_version(1, 0, 0)
    req.pointee.maxApiVersionSupported = exposure_xr_make_version(1, 3, 0)
    return XR_SUCCESS
}

private func vkProc<T>(_ gipa: PFN_vkGetInstanceProcAddr?, _ instance: VkInstance?, _ name: String, as: T.Type) -> T? {
    let f = gipa ?? vkGetInstanceProcAddr
    guard let p = f(instance, name) else { return nil }
    return unsafeBitCast(p, to: T.self)
}

let simCreateVulkanInstance: PFN_xrCreateVulkanInstanceKHR = { instance, info, vkInstanceOut, vkResultOut in
    guard let info, let vkInstanceOut, let vkResultOut, let createInfo = info.pointee.vulkanCreateInfo else {
        return XR_ERROR_VALIDATION_FAILURE
    }
    guard rt.withLock({ rt.instances[handleValue(instance)] != nil }) else { return XR_ERROR_HANDLE_INVALID }
    guard let create = vkProc(info.pointee.pfnGetInstanceProcAddr, nil, "vkCreateInstance", as: PFN_vkCreateInstance.self) else {
        return XR_ERROR_RUNTIME_FAILURE
    }
    var out: VkInstance?
    let r = create(createInfo, info.pointee.vulkanAllocator, &out)
    vkResultOut.pointee = r
    guard r == VK_SUCCESS, let out else { return XR_ERROR_RUNTIME_FAILURE }
    vkInstanceOut.pointee = out
    rt.withLock {
        rt.instances[handleValue(instance)]?.vkInstance = out
        rt.log("vulkan instance created")
    }
    return XR_SUCCESS
}

let simGetVulkanGraphicsDevice2: PFN_xrGetVulkanGraphicsDevice2KHR = { instance, info, physicalDeviceOut in
    guard let info, let physicalDeviceOut, let vkInstance = info.pointee.vulkanInstance else { return XR_ERROR_VALIDATION_FAILURE }
    var count: UInt32 = 0
    guard vkEnumeratePhysicalDevices(vkInstance, &count, nil) == VK_SUCCESS, count > 0 else { return XR_ERROR_RUNTIME_FAILURE }
    var devices = [VkPhysicalDevice?](repeating: nil, count: Int(count))
    guard vkEnumeratePhysicalDevices(vkInstance, &count, &devices) == VK_SUCCESS, let first = devices.first, let device = first else {
        return XR_ERROR_RUNTIME_FAILURE
    }
    physicalDeviceOut.pointee = device
    rt.withLock { rt.instances[handleValue(instance)]?.vkPhysicalDevice = device }
    return XR_SUCCESS
}

let simCreateVulkanDevice: PFN_xrCreateVulkanDeviceKHR = { instance, info, deviceOut, vkResultOut in
    guard let info, let deviceOut, let vkResultOut, let createInfo = info.pointee.vulkanCreateInfo,
          let physicalDevice = info.pointee.vulkanPhysicalDevice else {
        return XR_ERROR_VALIDATION_FAILURE
    }
    let vkInstance = rt.withLock { rt.instances[handleValue(instance)]?.vkInstance }
    guard let create = vkProc(info.pointee.pfnGetInstanceProcAddr, vkInstance, "vkCreateDevice", as: PFN_vkCreateDevice.self) else {
        return XR_ERROR_RUNTIME_FAILURE
    }
    var out: VkDevice?
    let r = create(physicalDevice, createInfo, info.pointee.vulkanAllocator, &out)
    vkResultOut.pointee = r
    guard r == VK_SUCCESS, let out else { return XR_ERROR_RUNTIME_FAILURE }
    deviceOut.pointee = out
    rt.withLock { rt.log("vulkan device created") }
    return XR_SUCCESS
}
