import CVulkan
import PNG
@testable import Render
import SceneModel
import XCTest

final class VulkanErrorTests: XCTestCase {
    func testAFailingCallIsThrownWithItsNameAndResultCode() {
        XCTAssertThrowsError(try VulkanContext(applicationName: "exposure-tests", validation: false,
                                               extraInstanceExtensions: ["VK_EXT_exposure_no_such_extension"])) { error in
            XCTAssertEqual(error as? VulkanError, .call(name: "vkCreateInstance", result: "VK_ERROR_EXTENSION_NOT_PRESENT"))
            XCTAssertTrue("\(error)".contains("vkCreateInstance failed with VK_ERROR_EXTENSION_NOT_PRESENT"), "\(error)")
        }
    }

    func testResultCodesAreSpelledAsInTheHeaders() {
        XCTAssertEqual(vkResultName(VK_ERROR_DEVICE_LOST), "VK_ERROR_DEVICE_LOST")
        XCTAssertEqual(vkResultName(VK_ERROR_OUT_OF_POOL_MEMORY), "VK_ERROR_OUT_OF_POOL_MEMORY")
        XCTAssertEqual(vkResultName(VK_SUBOPTIMAL_KHR), "VK_SUBOPTIMAL_KHR")
        XCTAssertEqual(vkResultName(VkResult(rawValue: -123456)), "VkResult(-123456)")
        XCTAssertThrowsError(try vkCheck("vkQueueSubmit", VK_ERROR_DEVICE_LOST)) { error in
            XCTAssertEqual(error as? VulkanError, .call(name: "vkQueueSubmit", result: "VK_ERROR_DEVICE_LOST"))
        }
        XCTAssertNoThrow(try vkCheck("vkAcquireNextImageKHR", VK_SUBOPTIMAL_KHR), "positive codes are not failures")
    }

    func testTheValidationCollectorSeesRealMisuse() throws {
        // Proves the "no validation messages" assertions elsewhere can fail.
        let context = try validatedContext()
        var info = VkImageCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO
        info.imageType = VK_IMAGE_TYPE_2D
        info.format = VK_FORMAT_R8G8B8A8_UNORM
        info.extent = VkExtent3D(width: 4, height: 4, depth: 1)
        info.mipLevels = 1
        info.arrayLayers = 1
        info.samples = VK_SAMPLE_COUNT_1_BIT
        info.tiling = VK_IMAGE_TILING_OPTIMAL
        info.usage = 0   // invalid: an image needs at least one usage
        var image: VkImage?
        _ = vkCreateImage(context.device, &info, nil, &image)
        if let image = image { vkDestroyImage(context.device, image, nil) }
        XCTAssertTrue(context.validationMessages.contains { $0.contains("VUID-VkImageCreateInfo-usage-requiredbitmask") },
                      "\(context.validationMessages)")
        context.clearValidationMessages()
    }

    func testTargetsOfTheWrongSizeOrCountAreRejected() throws {
        let context = try validatedContext()
        let renderer = try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB, width: 32, height: 32)
        let other = try GPUImage(context: context, width: 16, height: 16, format: VK_FORMAT_R8G8B8A8_SRGB,
                                 usage: VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT.rawValue, samples: VK_SAMPLE_COUNT_1_BIT,
                                 aspect: VK_IMAGE_ASPECT_COLOR_BIT.rawValue)
        let views = EyeView.stereo(head: TestScene.defaultHead)
        let small = ColorTarget(image: other.image, format: VK_FORMAT_R8G8B8A8_SRGB, width: 16, height: 16)
        XCTAssertThrowsError(try renderer.render(scene: TestScene.make(), views: views, into: [small, small])) { error in
            guard case .invalidArgument(let why)? = error as? VulkanError else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("16x16"), why)
        }
        XCTAssertThrowsError(try renderer.render(scene: TestScene.make(), views: views, into: [small])) { error in
            guard case .invalidArgument(let why)? = error as? VulkanError else { return XCTFail("\(error)") }
            XCTAssertTrue(why.contains("2 views but 1 targets"), why)
        }
        XCTAssertThrowsError(try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB, width: 0, height: 10))
        assertNoValidationMessages(context)
    }

    func testTheDeviceIsDescribed() throws {
        let context = try validatedContext()
        XCTAssertFalse(context.deviceName.isEmpty)
        XCTAssertFalse(context.deviceType.isEmpty)
        XCTAssertEqual(VulkanContext.instanceRequirements(validation: true).layers, ["VK_LAYER_KHRONOS_validation"])
        XCTAssertEqual(VulkanContext.instanceRequirements(validation: true).extensions, ["VK_EXT_debug_utils"])
        XCTAssertEqual(VulkanContext.instanceRequirements(validation: false).layers, [])
    }
}
