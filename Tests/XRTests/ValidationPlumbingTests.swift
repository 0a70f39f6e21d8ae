// Proves the validation checks used by the frame loop tests can fail: deliberate misuse is reported.
import COpenXR
import CVulkan
import HeadsetTestSupport
import XCTest
@testable import XR

final class ValidationPlumbingTests: XCTestCase {
    func testCoreValidationReportsAMisusedCall() throws {
        let fixture = try SimulatedHeadsetFixture("cv-negative", script: ["captureFrames": []])
        defer { fixture.cleanUp() }
        let messages = MessageLog()
        let instance = try XRInstance(appName: "validation-test", messages: messages, wantDepth: false)
        var props = XrSystemProperties()
        props.type = XR_TYPE_INSTANCE_PROPERTIES   // wrong structure type on purpose
        let result = xrGetSystemProperties(instance.handle, instance.systemId, &props)
        XCTAssertEqual(result, XR_ERROR_VALIDATION_FAILURE)
        withExtendedLifetime(instance) {}
        // The file is what the frame loop tests check. (With text export to a file, this layer
        // version sends nothing to XR_EXT_debug_utils messengers.)
        XCTAssertTrue(fixture.coreValidationProblems().contains { $0.contains("VUID") },
                      "core validation wrote nothing about a wrong structure type")
    }

    func testVulkanValidationReportsAMisusedCall() throws {
        let fixture = try SimulatedHeadsetFixture("vk-negative", script: ["captureFrames": []], coreValidation: false)
        defer { fixture.cleanUp() }
        let messages = MessageLog()
        let instance = try XRInstance(appName: "validation-test", messages: messages, wantDepth: false)
        let vulkan = try XRVulkan(xr: instance, validation: true, messages: messages)
        var info = VkFenceCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO   // wrong sType on purpose
        var fence: VkFence?
        if vkCreateFence(vulkan.context.device, &info, nil, &fence) == VK_SUCCESS, let fence {
            vkDestroyFence(vulkan.context.device, fence, nil)
        }
        XCTAssertTrue(messages.messages.contains { $0.contains("sType") }, "Vulkan validation silent: \(messages.messages)")
        withExtendedLifetime((vulkan, instance)) {}
    }
}
