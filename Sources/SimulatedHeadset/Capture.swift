// Copies submitted projection views to PNG files, so tests can assert what the patient would have seen.
import COpenXR
import CVulkan
import Foundation
import PNG

/// A command pool and fence on the app's queue, used for layout transitions and read-back.
final class CaptureResources {
    let device: VkDevice
    let queue: VkQueue
    let pool: VkCommandPool
    let fence: VkFence
    let physical: VkPhysicalDevice

    init?(device: VkDevice, physical: VkPhysicalDevice, family: UInt32, index: UInt32) {
        self.device = device
        self.physical = physical
        var q: VkQueue?
        vkGetDeviceQueue(device, family, index, &q)
        var pci = VkCommandPoolCreateInfo(sType: VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, pNext: nil,
                                          flags: VkCommandPoolCreateFlags(VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT.rawValue),
                                          queueFamilyIndex: family)
        var p: VkCommandPool?
        var fci = VkFenceCreateInfo(sType: VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, pNext: nil, flags: 0)
        var f: VkFence?
        guard let q, vkCreateCommandPool(device, &pci, nil, &p) == VK_SUCCESS, let p else { return nil }
        guard vkCreateFence(device, &fci, nil, &f) == VK_SUCCESS, let f else { vkDestroyCommandPool(device, p, nil); return nil }
        queue = q; pool = p; fence = f
    }

    func destroy() {
        vkQueueWaitIdle(queue)
        vkDestroyFence(device, fence, nil)
        vkDestroyCommandPool(device, pool, nil)
    }

    /// Record, submit and wait. The app's earlier work on the same queue is ordered before it by the barriers.
    func submit(_ record: (VkCommandBuffer) -> Void) -> Bool {
        var ai = VkCommandBufferAllocateInfo(sType: VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, pNext: nil,
                                             commandPool: pool, level: VK_COMMAND_BUFFER_LEVEL_PRIMARY, commandBufferCount: 1)
        var cb: VkCommandBuffer?
        guard vkAllocateCommandBuffers(device, &ai, &cb) == VK_SUCCESS, let cmd = cb else { return false }
        defer { var c: VkCommandBuffer? = cmd; vkFreeCommandBuffers(device, pool, 1, &c) }
        var bi = VkCommandBufferBeginInfo(sType: VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, pNext: nil,
                                          flags: VkCommandBufferUsageFlags(VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT.rawValue),
                                          pInheritanceInfo: nil)
        guard vkBeginCommandBuffer(cmd, &bi) == VK_SUCCESS else { return false }
        record(cmd)
        guard vkEndCommandBuffer(cmd) == VK_SUCCESS else { return false }
        var c: VkCommandBuffer? = cmd
        var si = VkSubmitInfo()
        si.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO
        si.commandBufferCount = 1
        return withUnsafePointer(to: &c) { cp in
            si.pCommandBuffers = cp
            var fenceOpt: VkFence? = fence
            guard vkResetFences(device, 1, &fenceOpt) == VK_SUCCESS,
                  vkQueueSubmit(queue, 1, &si, fence) == VK_SUCCESS,
                  vkWaitForFences(device, 1, &fenceOpt, VkBool32(VK_TRUE), UInt64.max) == VK_SUCCESS else { return false }
            return true
        }
    }
}

extension SimSession {
    func captureResources() -> CaptureResources? {
        if let capture { return capture }
        guard let device, let physical = rt.instances[instance]?.vkPhysicalDevice else { return nil }
        capture = CaptureResources(device: device, physical: physical, family: queueFamily, index: queueIndex)
        return capture
    }
}

/// Read one eye's colour sub-image back and save it as PNG; returns a problem description or nil.
func captureView(session: SimSession, swapchain sc: SimSwapchain, subImage: XrSwapchainSubImage, to path: String) -> String? {
    guard !sc.isDepth else { return "the projection view names a depth swapchain as colour" }
    let w: Int, h: Int
    var pixels: [UInt8]
    do { (pixels, w, h) = try readBack(session: session, swapchain: sc, subImage: subImage, bytesPerTexel: 4) } catch { return "\(error)" }
    if sc.format == VK_FORMAT_B8G8R8A8_SRGB || sc.format == VK_FORMAT_B8G8R8A8_UNORM {
        for i in stride(from: 0, to: pixels.count, by: 4) { pixels.swapAt(i, i + 2) }
    }
    do {
        try PNG.write(RGBAImage(width: w, height: h, pixels: pixels), to: path)
    } catch {
        return "cannot write \(path): \(error)"
    }
    return nil
}

/// Read one eye's depth sub-image (XR_KHR_composition_layer_depth) back and save it as a PFM
/// (Portable Float Map: grey, little-endian float32, rows bottom to top): the raw depth values
/// 0...1 the app submitted, D16 scaled to 0...1. Returns a problem description or nil.
func captureDepth(session: SimSession, swapchain sc: SimSwapchain, subImage: XrSwapchainSubImage, to path: String) -> String? {
    guard sc.isDepth else { return "the depth info names a colour swapchain" }
    let bytes = sc.format == VK_FORMAT_D16_UNORM ? 2 : 4
    let raw: [UInt8], w: Int, h: Int
    do { (raw, w, h) = try readBack(session: session, swapchain: sc, subImage: subImage, bytesPerTexel: bytes) } catch { return "\(error)" }
    let values: [Float] = raw.withUnsafeBytes { buf in
        bytes == 2 ? buf.bindMemory(to: UInt16.self).map { Float($0) / 65535 } : Array(buf.bindMemory(to: Float.self))
    }
    var file = Data("Pf\n\(w) \(h)\n-1.0\n".utf8)
    for row in (0..<h).reversed() {
        values[(row * w)..<((row + 1) * w)].withUnsafeBytes { file.append(contentsOf: $0) }
    }
    do {
        try file.write(to: URL(fileURLWithPath: path))
    } catch {
        return "cannot write \(path): \(error)"
    }
    return nil
}

struct CaptureProblem: Error, CustomStringConvertible {
    let text: String
    var description: String { text }
}

/// Copies the sub-image's texels (tightly packed rows) into memory.
private func readBack(session: SimSession, swapchain sc: SimSwapchain, subImage: XrSwapchainSubImage,
                      bytesPerTexel: Int) throws -> ([UInt8], Int, Int) {
    func fail(_ text: String) -> CaptureProblem { CaptureProblem(text: text) }
    guard let index = sc.lastReleased, let cap = session.captureResources() else { throw fail("no released image to read") }
    let rect = subImage.imageRect
    guard rect.offset.x >= 0, rect.offset.y >= 0, rect.extent.width > 0, rect.extent.height > 0,
          UInt32(rect.offset.x) + UInt32(rect.extent.width) <= sc.width,
          UInt32(rect.offset.y) + UInt32(rect.extent.height) <= sc.height,
          subImage.imageArrayIndex < sc.arraySize else { throw fail("imageRect or imageArrayIndex outside the swapchain") }
    let w = Int(rect.extent.width), h = Int(rect.extent.height)
    let size = VkDeviceSize(w * h * bytesPerTexel)
    var bci = VkBufferCreateInfo()
    bci.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO
    bci.size = size
    bci.usage = VkBufferUsageFlags(VK_BUFFER_USAGE_TRANSFER_DST_BIT.rawValue)
    bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE
    var buffer: VkBuffer?
    guard vkCreateBuffer(cap.device, &bci, nil, &buffer) == VK_SUCCESS, let buffer else { throw fail("vkCreateBuffer failed") }
    defer { vkDestroyBuffer(cap.device, buffer, nil) }
    var req = VkMemoryRequirements()
    vkGetBufferMemoryRequirements(cap.device, buffer, &req)
    let hostFlags = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT.rawValue | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT.rawValue
    guard let typeIndex = memoryType(cap.physical, bits: req.memoryTypeBits, flags: hostFlags) else { throw fail("no host-visible memory") }
    var ai = VkMemoryAllocateInfo(sType: VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, pNext: nil, allocationSize: req.size, memoryTypeIndex: typeIndex)
    var memory: VkDeviceMemory?
    guard vkAllocateMemory(cap.device, &ai, nil, &memory) == VK_SUCCESS, let memory else { throw fail("vkAllocateMemory failed") }
    defer { vkFreeMemory(cap.device, memory, nil) }
    guard vkBindBufferMemory(cap.device, buffer, memory, 0) == VK_SUCCESS else { throw fail("vkBindBufferMemory failed") }
    let image = sc.images[index]
    let layer = subImage.imageArrayIndex
    let ok = cap.submit { cmd in
        barrier(cmd, image, aspect: sc.aspect, layers: 1, baseLayer: layer, from: sc.steadyLayout, to: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)
        var region = VkBufferImageCopy()
        region.imageSubresource = VkImageSubresourceLayers(aspectMask: sc.aspect, mipLevel: 0, baseArrayLayer: layer, layerCount: 1)
        region.imageOffset = VkOffset3D(x: rect.offset.x, y: rect.offset.y, z: 0)
        region.imageExtent = VkExtent3D(width: UInt32(w), height: UInt32(h), depth: 1)
        vkCmdCopyImageToBuffer(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, buffer, 1, &region)
        barrier(cmd, image, aspect: sc.aspect, layers: 1, baseLayer: layer, from: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, to: sc.steadyLayout)
    }
    guard ok else { throw fail("read-back submission failed") }
    var mapped: UnsafeMutableRawPointer?
    guard vkMapMemory(cap.device, memory, 0, size, 0, &mapped) == VK_SUCCESS, let mapped else { throw fail("vkMapMemory failed") }
    let bytes = Array(UnsafeRawBufferPointer(start: mapped, count: Int(size)))
    vkUnmapMemory(cap.device, memory)
    return (bytes, w, h)
}
