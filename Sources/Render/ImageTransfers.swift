import CVulkan
import PNG

/// Pipeline stage and access that go with an image layout, for barriers into and out of it.
func stageAndAccess(for layout: VkImageLayout) -> (VkPipelineStageFlags, VkAccessFlags) {
    switch layout {
    case VK_IMAGE_LAYOUT_UNDEFINED:
        return (VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT.rawValue, 0)
    case VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL:
        return (VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT.rawValue,
                VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT.rawValue | VK_ACCESS_COLOR_ATTACHMENT_READ_BIT.rawValue)
    case VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL:
        return (VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue, VK_ACCESS_TRANSFER_READ_BIT.rawValue)
    case VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL:
        return (VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue, VK_ACCESS_TRANSFER_WRITE_BIT.rawValue)
    case VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL:
        return (VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT.rawValue | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT.rawValue
                    | VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT.rawValue,   // depth resolve writes happen here
                VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT.rawValue | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT.rawValue
                    | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT.rawValue)
    case VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL:
        return (VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT.rawValue, VK_ACCESS_SHADER_READ_BIT.rawValue)
    default:
        return (VK_PIPELINE_STAGE_ALL_COMMANDS_BIT.rawValue,
                VK_ACCESS_MEMORY_READ_BIT.rawValue | VK_ACCESS_MEMORY_WRITE_BIT.rawValue)
    }
}

/// Moves one layer of `image` (colour unless `aspect` says otherwise) from `old` to `new` layout,
/// ordering the work around it.
func transition(_ cmd: VkCommandBuffer, image: VkImage, layer: UInt32, from old: VkImageLayout, to new: VkImageLayout,
                aspect: VkImageAspectFlags = VK_IMAGE_ASPECT_COLOR_BIT.rawValue) {
    let (srcStage, srcAccess) = stageAndAccess(for: old)
    let (dstStage, dstAccess) = stageAndAccess(for: new)
    var barrier = VkImageMemoryBarrier()
    barrier.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER
    barrier.srcAccessMask = srcAccess
    barrier.dstAccessMask = dstAccess
    barrier.oldLayout = old
    barrier.newLayout = new
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED
    barrier.image = image
    barrier.subresourceRange = VkImageSubresourceRange(aspectMask: aspect, baseMipLevel: 0,
                                                       levelCount: 1, baseArrayLayer: layer, layerCount: 1)
    vkCmdPipelineBarrier(cmd, srcStage, dstStage, 0, 0, nil, 0, nil, 1, &barrier)
}

/// Copies one layer (in TRANSFER_SRC_OPTIMAL) into `buffer` at `offset`, tightly packed, and makes it host-readable.
/// `aspect` DEPTH copies the depth plane (4 bytes per texel for D32_SFLOAT).
func recordCopy(_ cmd: VkCommandBuffer, image: VkImage, layer: UInt32, width: Int, height: Int, into buffer: VkBuffer, offset: Int,
                aspect: VkImageAspectFlags = VK_IMAGE_ASPECT_COLOR_BIT.rawValue) {
    var region = VkBufferImageCopy()
    region.bufferOffset = VkDeviceSize(offset)
    region.imageSubresource = VkImageSubresourceLayers(aspectMask: aspect, mipLevel: 0,
                                                       baseArrayLayer: layer, layerCount: 1)
    region.imageExtent = VkExtent3D(width: UInt32(width), height: UInt32(height), depth: 1)
    vkCmdCopyImageToBuffer(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, buffer, 1, &region)
    var barrier = VkBufferMemoryBarrier()
    barrier.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER
    barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT.rawValue
    barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT.rawValue
    barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED
    barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED
    barrier.buffer = buffer
    barrier.offset = VkDeviceSize(offset)
    barrier.size = VkDeviceSize(width * height * 4)
    vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue, VK_PIPELINE_STAGE_HOST_BIT.rawValue,
                         0, 0, nil, 1, &barrier, 0, nil)
}

/// The 8-bit formats we can read back into RGBAImage, and whether red and blue are swapped.
func readbackOrder(_ format: VkFormat) throws -> Bool {
    switch format {
    case VK_FORMAT_R8G8B8A8_SRGB, VK_FORMAT_R8G8B8A8_UNORM: return false
    case VK_FORMAT_B8G8R8A8_SRGB, VK_FORMAT_B8G8R8A8_UNORM: return true
    default: throw VulkanError.unsupported("reading back VkFormat \(format.rawValue): only 8-bit RGBA/BGRA images can be saved")
    }
}

func decodePixels(_ mapped: UnsafeMutableRawPointer, offset: Int, width: Int, height: Int, swapRedBlue: Bool) -> RGBAImage {
    let count = width * height * 4
    var pixels = [UInt8](UnsafeRawBufferPointer(start: mapped + offset, count: count))
    if swapRedBlue {
        for i in stride(from: 0, to: count, by: 4) { pixels.swapAt(i, i + 2) }
    }
    return RGBAImage(width: width, height: height, pixels: pixels)
}

extension VulkanContext {
    /// Reads one layer of a colour image (8-bit RGBA or BGRA) back to memory, leaving it in
    /// `layout` as found. For tests and tools (e.g. checking an OpenXR swapchain image), not per frame.
    public func readPixels(image: VkImage, format: VkFormat, width: Int, height: Int, arrayLayer: UInt32 = 0,
                           layout: VkImageLayout) throws -> RGBAImage {
        let swap = try readbackOrder(format)
        let buffer = try GPUBuffer(context: self, size: width * height * 4,
                                   usage: VK_BUFFER_USAGE_TRANSFER_DST_BIT.rawValue, hostVisible: true)
        try submitAndWait { cmd in
            transition(cmd, image: image, layer: arrayLayer, from: layout, to: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)
            recordCopy(cmd, image: image, layer: arrayLayer, width: width, height: height, into: buffer.buffer, offset: 0)
            if layout != VK_IMAGE_LAYOUT_UNDEFINED {
                transition(cmd, image: image, layer: arrayLayer, from: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, to: layout)
            }
        }
        guard let mapped = buffer.mapped else { throw VulkanError.unsupported("readback buffer is not host-visible") }
        return decodePixels(mapped, offset: 0, width: width, height: height, swapRedBlue: swap)
    }
}

extension VulkanContext {
    /// Reads a D32_SFLOAT depth image (layer 0) back as row-major floats, leaving it in `layout`
    /// as found. For tests and tools: what the compositor would receive as the eye's depth.
    public func readDepth(image: VkImage, format: VkFormat, width: Int, height: Int, layout: VkImageLayout) throws -> [Float] {
        guard format == VK_FORMAT_D32_SFLOAT else {
            throw VulkanError.unsupported("reading back depth VkFormat \(format.rawValue): only D32_SFLOAT can be read back")
        }
        let depthAspect = VK_IMAGE_ASPECT_DEPTH_BIT.rawValue
        let buffer = try GPUBuffer(context: self, size: width * height * 4,
                                   usage: VK_BUFFER_USAGE_TRANSFER_DST_BIT.rawValue, hostVisible: true)
        try submitAndWait { cmd in
            transition(cmd, image: image, layer: 0, from: layout, to: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, aspect: depthAspect)
            recordCopy(cmd, image: image, layer: 0, width: width, height: height, into: buffer.buffer, offset: 0, aspect: depthAspect)
            if layout != VK_IMAGE_LAYOUT_UNDEFINED {
                transition(cmd, image: image, layer: 0, from: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, to: layout, aspect: depthAspect)
            }
        }
        guard let mapped = buffer.mapped else { throw VulkanError.unsupported("readback buffer is not host-visible") }
        return Array(UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: Float.self), count: width * height))
    }
}
