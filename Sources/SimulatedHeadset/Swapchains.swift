// Swapchains: the runtime allocates the images itself on the app's Vulkan device (lavapipe in tests).
// Images are handed to the app in COLOR_ATTACHMENT_OPTIMAL (depth: DEPTH_STENCIL_ATTACHMENT_OPTIMAL),
// as XR_KHR_vulkan_enable2 requires, and must come back in that layout.
import COpenXR
import CVulkan

let colorFormats: [VkFormat] = [VK_FORMAT_R8G8B8A8_SRGB, VK_FORMAT_B8G8R8A8_SRGB, VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_B8G8R8A8_UNORM]
let depthFormats: [VkFormat] = [VK_FORMAT_D32_SFLOAT, VK_FORMAT_D16_UNORM]

final class SimSwapchain {
    let session: UInt
    let device: VkDevice
    let format: VkFormat
    let width: UInt32, height: UInt32, arraySize: UInt32
    let isDepth: Bool
    var images: [VkImage] = []
    var memories: [VkDeviceMemory] = []
    var nextAcquire = 0
    var acquired: [Int] = []
    var waited: Set<Int> = []
    var lastReleased: Int?

    init(session: UInt, device: VkDevice, format: VkFormat, width: UInt32, height: UInt32, arraySize: UInt32, isDepth: Bool) {
        self.session = session; self.device = device; self.format = format
        self.width = width; self.height = height; self.arraySize = arraySize; self.isDepth = isDepth
    }

    var steadyLayout: VkImageLayout { isDepth ? VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL : VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL }
    var aspect: VkImageAspectFlags { isDepth ? VkImageAspectFlags(VK_IMAGE_ASPECT_DEPTH_BIT.rawValue) : VkImageAspectFlags(VK_IMAGE_ASPECT_COLOR_BIT.rawValue) }

    func destroy() {
        for image in images { vkDestroyImage(device, image, nil) }
        for memory in memories { vkFreeMemory(device, memory, nil) }
        images = []; memories = []
    }
}

private func vkUsage(_ xr: XrSwapchainUsageFlags, depth: Bool) -> VkImageUsageFlags {
    // TRANSFER_SRC always: the runtime reads submitted images back to capture them.
    var u: UInt32 = (depth ? VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT.rawValue : VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT.rawValue)
        | VK_IMAGE_USAGE_TRANSFER_SRC_BIT.rawValue
    let map: [(XrSwapchainUsageFlags, VkImageUsageFlagBits)] = [
        (XR_SWAPCHAIN_USAGE_UNORDERED_ACCESS_BIT, VK_IMAGE_USAGE_STORAGE_BIT),
        (XR_SWAPCHAIN_USAGE_TRANSFER_SRC_BIT, VK_IMAGE_USAGE_TRANSFER_SRC_BIT),
        (XR_SWAPCHAIN_USAGE_TRANSFER_DST_BIT, VK_IMAGE_USAGE_TRANSFER_DST_BIT),
        (XR_SWAPCHAIN_USAGE_SAMPLED_BIT, VK_IMAGE_USAGE_SAMPLED_BIT),
        (XR_SWAPCHAIN_USAGE_INPUT_ATTACHMENT_BIT_KHR, VK_IMAGE_USAGE_INPUT_ATTACHMENT_BIT),
    ]
    for (x, v) in map where xr & x != 0 { u |= v.rawValue }
    return VkImageUsageFlags(u)
}

let simEnumerateSwapchainFormats: PFN_xrEnumerateSwapchainFormats = { session, capacity, count, formats in
    guard rt.withLock({ rt.sessions[handleValue(session)] != nil }) else { return XR_ERROR_HANDLE_INVALID }
    let all = (colorFormats + depthFormats).map { Int64($0.rawValue) }
    return twoCall(all, capacity: capacity, count: count, out: formats) { $0.pointee = $1 }
}

let simCreateSwapchain: PFN_xrCreateSwapchain = { session, info, out in
    guard let info, let out else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        let sh = handleValue(session)
        guard let s = rt.sessions[sh], let device = s.device else { return XR_ERROR_HANDLE_INVALID }
        let ci = info.pointee
        let format = VkFormat(rawValue: UInt32(truncatingIfNeeded: ci.format))
        let isDepth = depthFormats.contains(format)
        guard isDepth || colorFormats.contains(format) else { return XR_ERROR_SWAPCHAIN_FORMAT_UNSUPPORTED }
        guard ci.width > 0, ci.height > 0, ci.width <= 4096, ci.height <= 4096, ci.arraySize >= 1, ci.faceCount == 1,
              ci.mipCount == 1, ci.sampleCount == 1 else {
            return XR_ERROR_VALIDATION_FAILURE
        }
        let sc = SimSwapchain(session: sh, device: device, format: format, width: ci.width, height: ci.height,
                              arraySize: ci.arraySize, isDepth: isDepth)
        let mutable = ci.usageFlags & XrSwapchainUsageFlags(XR_SWAPCHAIN_USAGE_MUTABLE_FORMAT_BIT) != 0
        for _ in 0..<3 {
            var ici = VkImageCreateInfo()
            ici.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO
            ici.flags = mutable ? VkImageCreateFlags(VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT.rawValue) : 0
            ici.imageType = VK_IMAGE_TYPE_2D
            ici.format = format
            ici.extent = VkExtent3D(width: ci.width, height: ci.height, depth: 1)
            ici.mipLevels = 1
            ici.arrayLayers = ci.arraySize
            ici.samples = VK_SAMPLE_COUNT_1_BIT
            ici.tiling = VK_IMAGE_TILING_OPTIMAL
            ici.usage = vkUsage(ci.usageFlags, depth: isDepth)
            ici.sharingMode = VK_SHARING_MODE_EXCLUSIVE
            ici.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED
            var image: VkImage?
            guard vkCreateImage(device, &ici, nil, &image) == VK_SUCCESS, let image else { sc.destroy(); return XR_ERROR_RUNTIME_FAILURE }
            sc.images.append(image)
            var req = VkMemoryRequirements()
            vkGetImageMemoryRequirements(device, image, &req)
            guard let physical = rt.instances[s.instance]?.vkPhysicalDevice,
                  let typeIndex = memoryType(physical, bits: req.memoryTypeBits, flags: VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT.rawValue) else {
                sc.destroy(); return XR_ERROR_RUNTIME_FAILURE
            }
            var ai = VkMemoryAllocateInfo(sType: VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, pNext: nil, allocationSize: req.size, memoryTypeIndex: typeIndex)
            var memory: VkDeviceMemory?
            guard vkAllocateMemory(device, &ai, nil, &memory) == VK_SUCCESS, let memory else { sc.destroy(); return XR_ERROR_RUNTIME_FAILURE }
            sc.memories.append(memory)
            guard vkBindImageMemory(device, image, memory, 0) == VK_SUCCESS else { sc.destroy(); return XR_ERROR_RUNTIME_FAILURE }
        }
        // Hand the images over in the layout the extension promises.
        let transitioned = s.captureResources().map { cap in
            cap.submit { cmd in
                for image in sc.images {
                    barrier(cmd, image, aspect: sc.aspect, layers: sc.arraySize, from: VK_IMAGE_LAYOUT_UNDEFINED, to: sc.steadyLayout)
                }
            }
        }
        guard transitioned == true else { sc.destroy(); return XR_ERROR_RUNTIME_FAILURE }
        let h = rt.newHandle()
        rt.swapchains[h] = sc
        out.pointee = makeHandle(h)
        rt.log("swapchain created \(ci.width)x\(ci.height) format=\(format.rawValue) depth=\(isDepth)")
        return XR_SUCCESS
    }
}

let simDestroySwapchain: PFN_xrDestroySwapchain = { swapchain in
    rt.withLock {
        let h = handleValue(swapchain)
        guard let sc = rt.swapchains.removeValue(forKey: h) else { return XR_ERROR_HANDLE_INVALID }
        sc.destroy()
        return XR_SUCCESS
    }
}

let simEnumerateSwapchainImages: PFN_xrEnumerateSwapchainImages = { swapchain, capacity, count, images in
    rt.withLock {
        guard let sc = rt.swapchains[handleValue(swapchain)] else { return XR_ERROR_HANDLE_INVALID }
        guard let count else { return XR_ERROR_VALIDATION_FAILURE }
        count.pointee = UInt32(sc.images.count)
        if capacity == 0 { return XR_SUCCESS }
        guard let images else { return XR_ERROR_VALIDATION_FAILURE }
        guard capacity >= sc.images.count else { return XR_ERROR_SIZE_INSUFFICIENT }
        let out = UnsafeMutableRawPointer(images).bindMemory(to: XrSwapchainImageVulkan2KHR.self, capacity: sc.images.count)
        for (i, image) in sc.images.enumerated() {
            guard out[i].type == XR_TYPE_SWAPCHAIN_IMAGE_VULKAN2_KHR else { return XR_ERROR_VALIDATION_FAILURE }
            out[i].image = image
        }
        return XR_SUCCESS
    }
}

let simAcquireSwapchainImage: PFN_xrAcquireSwapchainImage = { swapchain, info, index in
    guard let index else { return XR_ERROR_VALIDATION_FAILURE }
    return rt.withLock {
        guard let sc = rt.swapchains[handleValue(swapchain)] else { return XR_ERROR_HANDLE_INVALID }
        guard sc.acquired.count < sc.images.count else { return XR_ERROR_CALL_ORDER_INVALID }
        let i = sc.nextAcquire
        sc.nextAcquire = (i + 1) % sc.images.count
        sc.acquired.append(i)
        index.pointee = UInt32(i)
        return XR_SUCCESS
    }
}

let simWaitSwapchainImage: PFN_xrWaitSwapchainImage = { swapchain, info in
    rt.withLock {
        guard let sc = rt.swapchains[handleValue(swapchain)] else { return XR_ERROR_HANDLE_INVALID }
        guard let first = sc.acquired.first, !sc.waited.contains(first) else { return XR_ERROR_CALL_ORDER_INVALID }
        sc.waited.insert(first)
        return XR_SUCCESS
    }
}

let simReleaseSwapchainImage: PFN_xrReleaseSwapchainImage = { swapchain, info in
    rt.withLock {
        guard let sc = rt.swapchains[handleValue(swapchain)] else { return XR_ERROR_HANDLE_INVALID }
        guard let first = sc.acquired.first, sc.waited.contains(first) else { return XR_ERROR_CALL_ORDER_INVALID }
        sc.acquired.removeFirst()
        sc.waited.remove(first)
        sc.lastReleased = first
        return XR_SUCCESS
    }
}

func memoryType(_ physical: VkPhysicalDevice, bits: UInt32, flags: UInt32) -> UInt32? {
    var props = VkPhysicalDeviceMemoryProperties()
    vkGetPhysicalDeviceMemoryProperties(physical, &props)
    let types = withUnsafeBytes(of: &props.memoryTypes) { Array($0.bindMemory(to: VkMemoryType.self).prefix(Int(props.memoryTypeCount))) }
    for (i, t) in types.enumerated() where bits & (1 << UInt32(i)) != 0 && t.propertyFlags & flags == flags {
        return UInt32(i)
    }
    return nil
}

func barrier(_ cmd: VkCommandBuffer, _ image: VkImage, aspect: VkImageAspectFlags, layers: UInt32,
             baseLayer: UInt32 = 0, from: VkImageLayout, to: VkImageLayout) {
    var b = VkImageMemoryBarrier()
    b.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER
    b.srcAccessMask = VkAccessFlags(VK_ACCESS_MEMORY_WRITE_BIT.rawValue)
    b.dstAccessMask = VkAccessFlags(VK_ACCESS_MEMORY_READ_BIT.rawValue | VK_ACCESS_MEMORY_WRITE_BIT.rawValue)
    b.oldLayout = from
    b.newLayout = to
    b.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED
    b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED
    b.image = image
    b.subresourceRange = VkImageSubresourceRange(aspectMask: aspect, baseMipLevel: 0, levelCount: 1, baseArrayLayer: baseLayer, layerCount: layers)
    vkCmdPipelineBarrier(cmd, VkPipelineStageFlags(VK_PIPELINE_STAGE_ALL_COMMANDS_BIT.rawValue),
                         VkPipelineStageFlags(VK_PIPELINE_STAGE_ALL_COMMANDS_BIT.rawValue), 0, 0, nil, 0, nil, 1, &b)
}
