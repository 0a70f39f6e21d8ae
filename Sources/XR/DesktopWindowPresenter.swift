// Shows each frame in the preview window: renders both eyes with StereoRenderer into two
// images, blits them side by side into the swapchain image, and presents (FIFO: paced by the screen).
import CVulkan
import Foundation
import Render
import SceneModel

final class DesktopWindowPresenter {
    let window: DesktopWindow
    private let gpu: DesktopWindowDevice
    private var context: VulkanContext?
    private var renderer: StereoRenderer?
    private var eyes: [OwnedColorImage] = []
    private var swapchain: VkSwapchainKHR?
    private var images: [VkImage?] = []
    private var extent = VkExtent2D()
    private var needsRecreate = false
    private var fence: VkFence?
    /// Frames handed to vkQueuePresentKHR successfully.
    private(set) var presentedFrames = 0

    init(eyeWidth: Int, eyeHeight: Int, samples: Int, validation: Bool, displayName: String?) throws {
        window = try DesktopWindow(width: eyeWidth * 2, height: eyeHeight, title: "exposure preview", displayName: displayName)
        gpu = try DesktopWindowDevice(window: window, validation: validation)
        let context = try VulkanContext(borrowingInstance: gpu.instance, physicalDevice: gpu.physicalDevice, device: gpu.device,
                                        queueFamilyIndex: gpu.queueFamilyIndex, queueIndex: 0, validation: validation)
        self.context = context
        renderer = try StereoRenderer(context: context, width: eyeWidth, height: eyeHeight, samples: samples)
        eyes = try (0..<2).map { _ in
            try OwnedColorImage(context: context, format: StereoRenderer.previewColorFormat, width: eyeWidth, height: eyeHeight)
        }
        var fenceInfo = VkFenceCreateInfo()
        fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO
        try check("vkCreateFence", vkCreateFence(gpu.device, &fenceInfo, nil, &fence))
        try createSwapchain()
        // On a throw above, deinit still runs (every stored property is set) and tears down.
    }

    deinit { tearDown() }

    /// Validation messages from the window's device (empty without validation).
    var validationMessages: [String] { context?.validationMessages ?? [] }

    /// Renders `scene` for the two eye views and shows it. A frame is skipped (not an error) when the
    /// window is minimised or was resized in between: the swapchain is rebuilt for the next one.
    func present(scene: Scene, views: [EyeView]) throws {
        guard let renderer, let context, eyes.count == 2, views.count == 2 else { return }
        if needsRecreate { try createSwapchain() }
        guard let swapchain, let fence, extent.width > 0, extent.height > 0 else { return }
        var index: UInt32 = 0
        // A bounded wait: a window that is never shown (no compositor) must not hang the session.
        let acquired = vkAcquireNextImageKHR(gpu.device, swapchain, 1_000_000_000, nil, fence, &index)
        if acquired == VK_ERROR_OUT_OF_DATE_KHR { needsRecreate = true; return }
        if acquired == VK_TIMEOUT || acquired == VK_NOT_READY { return }
        try check("vkAcquireNextImageKHR", acquired)
        var f: VkFence? = fence
        try check("vkWaitForFences", vkWaitForFences(gpu.device, 1, &f, 1, UInt64.max))
        try check("vkResetFences", vkResetFences(gpu.device, 1, &f))
        if acquired == VK_SUBOPTIMAL_KHR { needsRecreate = true }
        guard Int(index) < images.count, let target = images[Int(index)] else { return }

        try renderer.render(scene: scene, views: views, into: eyes.map {
            $0.target(layoutBefore: VK_IMAGE_LAYOUT_UNDEFINED, layoutAfter: VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL)
        })
        let extent = self.extent
        let eyeImages = eyes.map { ($0.image, $0.width, $0.height) }
        try context.submitAndWait { cmd in
            DesktopWindowPresenter.transition(cmd, target, from: VK_IMAGE_LAYOUT_UNDEFINED, to: VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                                              srcAccess: 0, dstAccess: VK_ACCESS_TRANSFER_WRITE_BIT.rawValue)
            let half = Int32(extent.width / 2)
            for (eye, (image, w, h)) in eyeImages.enumerated() {
                let x0 = Int32(eye) * half
                let x1 = eye == 0 ? half : Int32(extent.width)
                var blit = VkImageBlit()
                blit.srcSubresource = VkImageSubresourceLayers(aspectMask: VK_IMAGE_ASPECT_COLOR_BIT.rawValue, mipLevel: 0,
                                                               baseArrayLayer: 0, layerCount: 1)
                blit.srcOffsets = (VkOffset3D(x: 0, y: 0, z: 0), VkOffset3D(x: Int32(w), y: Int32(h), z: 1))
                blit.dstSubresource = blit.srcSubresource
                blit.dstOffsets = (VkOffset3D(x: x0, y: 0, z: 0), VkOffset3D(x: x1, y: Int32(extent.height), z: 1))
                vkCmdBlitImage(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, target, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                               1, &blit, VK_FILTER_LINEAR)
            }
            DesktopWindowPresenter.transition(cmd, target, from: VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, to: VK_IMAGE_LAYOUT_PRESENT_SRC_KHR,
                                              srcAccess: VK_ACCESS_TRANSFER_WRITE_BIT.rawValue, dstAccess: 0)
        }
        // The copy has finished (submitAndWait), so presenting needs no semaphore.
        var chain: VkSwapchainKHR? = swapchain
        let queued: VkResult = withUnsafePointer(to: &chain) { chainPtr in
            withUnsafePointer(to: &index) { indexPtr in
                var info = VkPresentInfoKHR()
                info.sType = VK_STRUCTURE_TYPE_PRESENT_INFO_KHR
                info.swapchainCount = 1
                info.pSwapchains = chainPtr
                info.pImageIndices = indexPtr
                return vkQueuePresentKHR(context.queue, &info)
            }
        }
        if queued == VK_ERROR_OUT_OF_DATE_KHR || queued == VK_SUBOPTIMAL_KHR { needsRecreate = true }
        if queued == VK_SUCCESS || queued == VK_SUBOPTIMAL_KHR { presentedFrames += 1; return }
        if queued != VK_ERROR_OUT_OF_DATE_KHR { try check("vkQueuePresentKHR", queued) }
    }

    private func createSwapchain() throws {
        vkDeviceWaitIdle(gpu.device)
        needsRecreate = false
        var caps = VkSurfaceCapabilitiesKHR()
        try check("vkGetPhysicalDeviceSurfaceCapabilitiesKHR",
                  vkGetPhysicalDeviceSurfaceCapabilitiesKHR(gpu.physicalDevice, gpu.surface, &caps))
        guard caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_DST_BIT.rawValue != 0 else {
            throw DesktopWindowError.unsupported("swapchain images cannot be copied into (no TRANSFER_DST usage)")
        }
        if caps.currentExtent.width == UInt32.max {
            extent = VkExtent2D(width: UInt32(window.width), height: UInt32(window.height))
        } else {
            extent = caps.currentExtent
        }
        if extent.width == 0 || extent.height == 0 { needsRecreate = true; return }
        let format = try chooseFormat()
        var imageCount = caps.minImageCount + 1
        if caps.maxImageCount > 0 { imageCount = min(imageCount, caps.maxImageCount) }
        let alpha = [VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR, VK_COMPOSITE_ALPHA_INHERIT_BIT_KHR,
                     VK_COMPOSITE_ALPHA_PRE_MULTIPLIED_BIT_KHR, VK_COMPOSITE_ALPHA_POST_MULTIPLIED_BIT_KHR]
            .first { caps.supportedCompositeAlpha & $0.rawValue != 0 } ?? VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR
        var info = VkSwapchainCreateInfoKHR()
        info.sType = VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR
        info.surface = gpu.surface
        info.minImageCount = imageCount
        info.imageFormat = format.format
        info.imageColorSpace = format.colorSpace
        info.imageExtent = extent
        info.imageArrayLayers = 1
        info.imageUsage = VK_IMAGE_USAGE_TRANSFER_DST_BIT.rawValue
        info.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE
        info.preTransform = caps.currentTransform
        info.compositeAlpha = alpha
        info.presentMode = VK_PRESENT_MODE_FIFO_KHR   // always available; paced by the screen
        info.clipped = 1
        info.oldSwapchain = swapchain
        var created: VkSwapchainKHR?
        let result = vkCreateSwapchainKHR(gpu.device, &info, nil, &created)
        if let old = swapchain { vkDestroySwapchainKHR(gpu.device, old, nil); swapchain = nil; images = [] }
        try check("vkCreateSwapchainKHR", result)
        swapchain = created
        var count: UInt32 = 0
        try check("vkGetSwapchainImagesKHR", vkGetSwapchainImagesKHR(gpu.device, created, &count, nil))
        images = [VkImage?](repeating: nil, count: Int(count))
        try check("vkGetSwapchainImagesKHR", vkGetSwapchainImagesKHR(gpu.device, created, &count, &images))
    }

    /// sRGB first: the eye images hold sRGB-encoded colour, and a blit into an sRGB image keeps it.
    private func chooseFormat() throws -> VkSurfaceFormatKHR {
        var count: UInt32 = 0
        try check("vkGetPhysicalDeviceSurfaceFormatsKHR", vkGetPhysicalDeviceSurfaceFormatsKHR(gpu.physicalDevice, gpu.surface, &count, nil))
        var formats = [VkSurfaceFormatKHR](repeating: VkSurfaceFormatKHR(), count: Int(count))
        try check("vkGetPhysicalDeviceSurfaceFormatsKHR", vkGetPhysicalDeviceSurfaceFormatsKHR(gpu.physicalDevice, gpu.surface, &count, &formats))
        let preferred = [VK_FORMAT_B8G8R8A8_SRGB, VK_FORMAT_R8G8B8A8_SRGB]
        if let f = formats.first(where: { preferred.contains($0.format) }) { return f }
        guard let first = formats.first else { throw DesktopWindowError.unsupported("the window surface offers no formats") }
        return first
    }

    private static func transition(_ cmd: VkCommandBuffer, _ image: VkImage, from: VkImageLayout, to: VkImageLayout,
                                   srcAccess: UInt32, dstAccess: UInt32) {
        var barrier = VkImageMemoryBarrier()
        barrier.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER
        barrier.srcAccessMask = srcAccess
        barrier.dstAccessMask = dstAccess
        barrier.oldLayout = from
        barrier.newLayout = to
        barrier.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED
        barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED
        barrier.image = image
        barrier.subresourceRange = VkImageSubresourceRange(aspectMask: VK_IMAGE_ASPECT_COLOR_BIT.rawValue, baseMipLevel: 0,
                                                           levelCount: 1, baseArrayLayer: 0, layerCount: 1)
        vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue, VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue,
                             0, 0, nil, 0, nil, 1, &barrier)
    }

    /// Reverse order of creation: the context (and everything holding it) before the device.
    private func tearDown() {
        vkDeviceWaitIdle(gpu.device)
        if let swapchain { vkDestroySwapchainKHR(gpu.device, swapchain, nil) }
        swapchain = nil
        if let fence { vkDestroyFence(gpu.device, fence, nil) }
        fence = nil
        eyes = []
        renderer = nil
        context = nil
        gpu.destroy()
    }

    private func check(_ call: String, _ result: VkResult) throws {
        guard result.rawValue >= 0 else { throw DesktopWindowError.vulkan(call: call, result: vkResultName(result)) }
    }
}
