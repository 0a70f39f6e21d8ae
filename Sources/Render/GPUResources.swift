import CVulkan

/// A VkBuffer with its own memory. Host-visible buffers stay mapped for their lifetime.
final class GPUBuffer {
    let context: VulkanContext
    let buffer: VkBuffer
    let memory: VkDeviceMemory
    let size: Int
    let mapped: UnsafeMutableRawPointer?

    init(context: VulkanContext, size: Int, usage: VkBufferUsageFlags, hostVisible: Bool) throws {
        self.context = context
        self.size = size
        let device = context.device
        var info = VkBufferCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO
        info.size = VkDeviceSize(max(size, 16))
        info.usage = usage
        info.sharingMode = VK_SHARING_MODE_EXCLUSIVE
        var b: VkBuffer?
        try vkCheck("vkCreateBuffer", vkCreateBuffer(device, &info, nil, &b))
        guard let buffer = b else { throw VulkanError.call(name: "vkCreateBuffer", result: "no buffer returned") }
        var req = VkMemoryRequirements()
        vkGetBufferMemoryRequirements(device, buffer, &req)
        let flags = hostVisible
            ? VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT.rawValue | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT.rawValue
            : VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT.rawValue
        do {
            let memory = try allocateMemory(context, req, flags)
            try vkCheck("vkBindBufferMemory", vkBindBufferMemory(device, buffer, memory, 0))
            var ptr: UnsafeMutableRawPointer?
            if hostVisible {
                let r = vkMapMemory(device, memory, 0, VkDeviceSize(VK_WHOLE_SIZE), 0, &ptr)
                if r.rawValue < 0 { vkFreeMemory(device, memory, nil); try vkCheck("vkMapMemory", r) }
            }
            self.memory = memory
            self.mapped = ptr
            self.buffer = buffer
        } catch {
            vkDestroyBuffer(device, buffer, nil)
            throw error
        }
    }

    deinit {
        if mapped != nil { vkUnmapMemory(context.device, memory) }
        vkDestroyBuffer(context.device, buffer, nil)
        vkFreeMemory(context.device, memory, nil)
    }

    /// Copies `values` to the start of a mapped buffer (must fit).
    func write<T>(_ values: [T], at byteOffset: Int = 0) {
        guard let mapped = mapped else { return }
        values.withUnsafeBytes { raw in
            precondition(byteOffset + raw.count <= size, "GPUBuffer.write past the end")
            (mapped + byteOffset).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
        }
    }
}

/// A 2D image (optionally layered or multisampled) with its memory and one view over all layers.
final class GPUImage {
    let context: VulkanContext
    let image: VkImage
    let memory: VkDeviceMemory
    let view: VkImageView
    let format: VkFormat
    let width: Int, height: Int

    init(context: VulkanContext, width: Int, height: Int, format: VkFormat, usage: VkImageUsageFlags,
         samples: VkSampleCountFlagBits, aspect: VkImageAspectFlags, layers: UInt32 = 1) throws {
        self.context = context
        self.format = format; self.width = width; self.height = height
        let device = context.device
        var info = VkImageCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO
        info.imageType = VK_IMAGE_TYPE_2D
        info.format = format
        info.extent = VkExtent3D(width: UInt32(width), height: UInt32(height), depth: 1)
        info.mipLevels = 1
        info.arrayLayers = layers
        info.samples = samples
        info.tiling = VK_IMAGE_TILING_OPTIMAL
        info.usage = usage
        info.sharingMode = VK_SHARING_MODE_EXCLUSIVE
        info.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED
        var i: VkImage?
        try vkCheck("vkCreateImage", vkCreateImage(device, &info, nil, &i))
        guard let image = i else { throw VulkanError.call(name: "vkCreateImage", result: "no image returned") }
        var req = VkMemoryRequirements()
        vkGetImageMemoryRequirements(device, image, &req)
        do {
            let memory = try allocateMemory(context, req, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT.rawValue)
            do {
                try vkCheck("vkBindImageMemory", vkBindImageMemory(device, image, memory, 0))
                view = try makeImageView(context, image: image, format: format, aspect: aspect,
                                         baseLayer: 0, layers: layers)
            } catch {
                vkFreeMemory(device, memory, nil)
                throw error
            }
            self.memory = memory
            self.image = image
        } catch {
            vkDestroyImage(device, image, nil)
            throw error
        }
    }

    deinit {
        vkDestroyImageView(context.device, view, nil)
        vkDestroyImage(context.device, image, nil)
        vkFreeMemory(context.device, memory, nil)
    }
}

func allocateMemory(_ context: VulkanContext, _ req: VkMemoryRequirements, _ flags: VkMemoryPropertyFlags) throws -> VkDeviceMemory {
    var alloc = VkMemoryAllocateInfo()
    alloc.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO
    alloc.allocationSize = req.size
    alloc.memoryTypeIndex = try context.memoryType(bits: req.memoryTypeBits, flags: flags)
    var m: VkDeviceMemory?
    try vkCheck("vkAllocateMemory", vkAllocateMemory(context.device, &alloc, nil, &m))
    guard let memory = m else { throw VulkanError.call(name: "vkAllocateMemory", result: "no memory returned") }
    return memory
}

/// A 2D (single layer) or 2D-array view of `layers` layers starting at `baseLayer`.
func makeImageView(_ context: VulkanContext, image: VkImage, format: VkFormat, aspect: VkImageAspectFlags,
                   baseLayer: UInt32, layers: UInt32) throws -> VkImageView {
    var info = VkImageViewCreateInfo()
    info.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO
    info.image = image
    info.viewType = layers == 1 ? VK_IMAGE_VIEW_TYPE_2D : VK_IMAGE_VIEW_TYPE_2D_ARRAY
    info.format = format
    info.subresourceRange = VkImageSubresourceRange(aspectMask: aspect, baseMipLevel: 0, levelCount: 1,
                                                    baseArrayLayer: baseLayer, layerCount: layers)
    var v: VkImageView?
    try vkCheck("vkCreateImageView", vkCreateImageView(context.device, &info, nil, &v))
    guard let view = v else { throw VulkanError.call(name: "vkCreateImageView", result: "no view returned") }
    return view
}
