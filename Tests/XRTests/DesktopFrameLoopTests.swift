import Foundation
import HeadsetTestSupport
import PNG
import SceneModel
import XCTest
@testable import XR

final class DesktopFrameLoopTests: XCTestCase {
    func testRendersFramesOnAVirtualClockAndDeliversInjectedKeys() throws {
        var config = DesktopConfiguration()
        config.realTime = false
        config.displayRateHz = 50
        config.eyeSize = (24, 16)
        config.samples = 1
        config.vulkanValidation = true
        config.frameLimit = 6
        var images: [(FrameInfo, [RGBAImage])] = []
        config.frameSink = { images.append(($0, $1)) }
        let loop = DesktopFrameLoop(configuration: config)
        let delegate = RecordingDelegate()
        delegate.scene = RecordingDelegate.safeRoom
        delegate.onFrame = { f in if f.index == 2 { loop.inject(.key("o")) } }
        try loop.run(delegate: delegate)

        XCTAssertEqual(delegate.frames.map { $0.index }, Array(0..<6))
        XCTAssertEqual(delegate.frames.map { $0.predictedDisplayTime }, (1...6).map { Int64($0) * 20_000_000 })
        XCTAssertEqual(delegate.states, [.ready, .synchronized, .visible, .focused, .stopping, .idle, .exiting])
        // Injected during frame 2, delivered with frame 3.
        XCTAssertEqual(delegate.inputs.map { $0.frame.index }, [3])
        XCTAssertEqual(delegate.inputs.first?.events, [.key("o")])
        XCTAssertEqual(images.count, 6)
        let eye = try XCTUnwrap(images.last?.1.first)
        XCTAssertEqual(eye.width, 24)
        XCTAssertTrue(assertPixel(eye[12, 8], linear: RecordingDelegate.safeRoom.background, tolerance: 3, ""), "\(eye[12, 8])")
        XCTAssertEqual(loop.validationMessages, [])
    }

    func testRequestStopEndsTheLoop() throws {
        var config = DesktopConfiguration()
        config.realTime = false
        config.eyeSize = nil
        let loop = DesktopFrameLoop(configuration: config)
        let delegate = RecordingDelegate()
        delegate.onFrame = { f in if f.index == 9 { loop.requestStop() } }
        try loop.run(delegate: delegate)
        XCTAssertEqual(delegate.frames.count, 10)
        XCTAssertEqual(delegate.states.last, .exiting)
    }
}

final class OpenXRRuntimeProbeTests: XCTestCase {
    func testManifestSearchOrder() {
        let files: Set<String> = ["/home/p/.config/openxr/1/active_runtime.json", "/etc/xdg/openxr/1/active_runtime.json"]
        let exists = { files.contains($0) }
        XCTAssertEqual(OpenXRRuntimeProbe.findManifest(environment: ["HOME": "/home/p"], exists: exists)?.path,
                       "/home/p/.config/openxr/1/active_runtime.json")
        XCTAssertEqual(OpenXRRuntimeProbe.findManifest(environment: ["HOME": "/nobody"], exists: exists)?.path,
                       "/etc/xdg/openxr/1/active_runtime.json")
        XCTAssertNil(OpenXRRuntimeProbe.findManifest(environment: ["XR_RUNTIME_JSON": "/missing.json", "HOME": "/home/p"], exists: exists),
                     "an explicit XR_RUNTIME_JSON is the only place the loader looks")
        XCTAssertNil(OpenXRRuntimeProbe.findManifest(environment: ["HOME": "/nobody", "XDG_CONFIG_DIRS": "/opt/cfg"], exists: { _ in false }))
    }

    func testProbeNamesTheSimulatedHeadset() throws {
        let fixture = try SimulatedHeadsetFixture("probe", script: ["captureFrames": []], coreValidation: false)
        defer { fixture.cleanUp() }
        let report = OpenXRRuntimeProbe.probe(environment: fixture.environment)
        XCTAssertTrue(report.ok, report.description)
        XCTAssertEqual(report.runtimeName, "Exposure Simulated Headset")
        XCTAssertEqual(report.manifestSource, "XR_RUNTIME_JSON")
    }

    func testProbeWithoutRuntimeSaysHowToInstallOne() {
        let report = OpenXRRuntimeProbe.probe(environment: ["XR_RUNTIME_JSON": "/nonexistent/runtime.json"])
        XCTAssertFalse(report.ok)
        XCTAssertTrue(report.description.contains("monado-service"), report.description)
        XCTAssertTrue(report.description.contains("SteamVR"), report.description)
    }
}
