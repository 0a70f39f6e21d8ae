import CVulkan
import PNG
@testable import Render
import SceneModel
import XCTest

/// The OpenXR path: someone else creates the instance and device (xrCreateVulkanInstanceKHR /
/// xrCreateVulkanDeviceKHR) with what `instanceRequirements` asks for, and the renderer borrows them.
final class BorrowedContextTests: XCTestCase {
    func testABorrowedDeviceRendersAndIsLeftToItsOwner() throws {
        let req = VulkanContext.instanceRequirements(validation: true)
        var instance: VkInstance?
        var app = VkApplicationInfo()
        app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO
        app.apiVersion = req.apiVersion
        try withUnsafePointer(to: &app) { appPtr in
            try withCStringArray(req.layers) { layers in
                try withCStringArray(req.extensions) { exts in
                    var info = VkInstanceCreateInfo()
                    info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
                    info.pApplicationInfo = appPtr
                    info.enabledLayerCount = UInt32(req.layers.count)
                    info.ppEnabledLayerNames = layers
                    info.enabledExtensionCount = UInt32(req.extensions.count)
                    info.ppEnabledExtensionNames = exts
                    try vkCheck("vkCreateInstance", vkCreateInstance(&info, nil, &instance))
                }
            }
        }
        let ownedInstance = try XCTUnwrap(instance)
        defer { vkDestroyInstance(ownedInstance, nil) }
        let (physical, family) = try XCTUnwrap(try VulkanContext.choosePhysicalDevice(ownedInstance))
        let ownedDevice = try VulkanContext.createDevice(physical, family: family, extensions: [])
        defer { vkDestroyDevice(ownedDevice, nil) }

        var messages: [String] = []
        do {
            let context = try VulkanContext(borrowingInstance: ownedInstance, physicalDevice: physical, device: ownedDevice,
                                            queueFamilyIndex: family, queueIndex: 0, validation: true)
            let renderer = try StereoRenderer(context: context, colorFormat: VK_FORMAT_B8G8R8A8_SRGB, width: 64, height: 64)
            let eyes = try renderer.renderOffscreen(scene: TestScene.make(), views: EyeView.stereo(head: TestScene.defaultHead))
            // BGRA targets read back as RGBA: the red box is still red.
            let centre = eyes[0].rgb(32, 32)
            XCTAssertGreaterThan(centre.0, 2 * centre.2, "red box in the centre of a BGRA target, got \(centre)")

            // Borrowed without saying the instance's version, Vulkan 1.2 is not assumed: MSAA depth
            // cannot be handed out (a clear refusal), single-sampled depth can.
            XCTAssertFalse(renderer.canWriteDepth)
            let color = try OwnedColorImage(context: context, format: VK_FORMAT_B8G8R8A8_SRGB, width: 64, height: 64)
            var target = color.target(layoutBefore: VK_IMAGE_LAYOUT_UNDEFINED, layoutAfter: VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL)
            target.depth = try OwnedDepthImage(for: renderer).target()
            XCTAssertThrowsError(try renderer.render(scene: TestScene.make(), views: [EyeView.stereo(head: TestScene.defaultHead)[0]],
                                                     into: [target])) { error in
                guard case .unsupported(let why)? = error as? VulkanError else { return XCTFail("\(error)") }
                XCTAssertTrue(why.contains("Vulkan 1.2"), why)
            }
            XCTAssertTrue(try StereoRenderer(context: context, colorFormat: VK_FORMAT_B8G8R8A8_SRGB, width: 64, height: 64, samples: 1).canWriteDepth)
            messages = context.validationMessages
        }
        do {
            // Told the instance is 1.2 (what instanceRequirements asked for), MSAA depth resolve is used.
            let context = try VulkanContext(borrowingInstance: ownedInstance, physicalDevice: physical, device: ownedDevice,
                                            queueFamilyIndex: family, queueIndex: 0, validation: true, instanceAPIVersion: req.apiVersion)
            XCTAssertEqual(req.apiVersion, exposure_vk_api_version_1_2(), "the loader here has Vulkan 1.2")
            XCTAssertTrue(try StereoRenderer(context: context, colorFormat: VK_FORMAT_B8G8R8A8_SRGB, width: 64, height: 64, samples: 4).canWriteDepth)
            messages += context.validationMessages
        }
        // The context is gone; the device must still work (it was only borrowed).
        XCTAssertEqual(vkDeviceWaitIdle(ownedDevice), VK_SUCCESS)
        XCTAssertEqual(messages, [])
    }

    func testBorrowingWithValidationNeedsDebugUtilsOnTheInstance() throws {
        // An instance without VK_EXT_debug_utils cannot report validation messages to us: say so.
        var instance: VkInstance?
        var info = VkInstanceCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
        try vkCheck("vkCreateInstance", vkCreateInstance(&info, nil, &instance))
        let ownedInstance = try XCTUnwrap(instance)
        defer { vkDestroyInstance(ownedInstance, nil) }
        // No device is needed to see the refusal: it happens before any device call that matters.
        let (physical, family) = try XCTUnwrap(try VulkanContext.choosePhysicalDevice(ownedInstance))
        let ownedDevice = try VulkanContext.createDevice(physical, family: family, extensions: [])
        defer { vkDestroyDevice(ownedDevice, nil) }
        XCTAssertThrowsError(try VulkanContext(borrowingInstance: ownedInstance, physicalDevice: physical, device: ownedDevice,
                                               queueFamilyIndex: family, queueIndex: 0, validation: true)) { error in
            guard case .unsupported(let why)? = error as? VulkanError else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("VK_EXT_debug_utils"), why)
        }
        XCTAssertEqual(vkDeviceWaitIdle(ownedDevice), VK_SUCCESS, "a refused borrow leaves the device alone")
    }
}
