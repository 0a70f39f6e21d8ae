// Debian's hello_xr (libopenxr-utils) as an outside client of the simulated headset.
import Foundation
import HeadsetTestSupport
import PNG
import XCTest

final class HelloXRTests: XCTestCase {
    func testHelloXRReachesFocusedAndSubmitsFrames() throws {
        let helloXR = "/usr/bin/hello_xr"
        guard FileManager.default.isExecutableFile(atPath: helloXR) else { throw XCTSkip("hello_xr not installed (apt install libopenxr-utils)") }
        let fixture = try SimulatedHeadsetFixture("helloxr", script: ["width": 48, "height": 48, "exitAfterFrames": 12, "captureFrames": [6]],
                                                  coreValidation: false)
        defer { fixture.cleanUp() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helloXR)
        process.arguments = ["-g", "Vulkan2"]
        process.environment = fixture.environment
        // hello_xr quits on any key; give it a stdin that stays open and silent.
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { process.terminate(); process.waitUntilExit(); XCTFail("hello_xr did not exit within 30 s") }
        stdin.fileHandleForWriting.closeFile()

        let log = fixture.runtimeLog()
        XCTAssertTrue(log.contains { $0.hasPrefix("state FOCUSED") }, "hello_xr never reached FOCUSED:\n\(log.joined(separator: "\n"))")
        let submitted = log.filter { $0.hasPrefix("frame ") && $0.contains("projection=1") }
        XCTAssertGreaterThanOrEqual(submitted.count, 10, "too few frames with a projection layer")
        XCTAssertTrue(log.contains("state EXITING frame 12"), "no clean exit after the frame limit")
        XCTAssertEqual(process.terminationStatus, 0)
        // hello_xr clears to a dark slate blue and draws cubes: the captured eye is not one flat colour.
        let image = try PNG.read(path: fixture.framePath(6, eye: 0))
        XCTAssertEqual(image.width, 48)
        let distinct = Set(stride(from: 0, to: image.pixels.count, by: 4).map { Array(image.pixels[$0..<$0 + 3]) })
        XCTAssertGreaterThan(distinct.count, 2, "captured frame is flat: cubes missing")
    }
}
