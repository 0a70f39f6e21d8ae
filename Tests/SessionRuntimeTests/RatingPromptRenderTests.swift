// What the patient sees of a rating prompt, on real renders (lavapipe, validation on): the panel in
// the lower centre of the eye image when the protocol asks, nothing when it does not, the view
// above eye level untouched (in the safe room too). And one whole session through the simulated
// headset: the thumbstick held after the protocol's FMS prompt ends up in the record as FMS.
import ExposureCore
import Foundation
import PNG
import Recording
import Render
import SceneModel
import XCTest
import XR
@testable import SessionRuntime

final class RatingPromptRenderTests: XCTestCase {
    var sessions: URL!
    static let context = Result { try VulkanContext(applicationName: "prompt-tests", validation: true) }
    static let size = 64

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("prompt-render-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    func render(_ renderer: StereoRenderer, _ scene: Scene, name: String) throws -> RGBAImage {
        try PanelPixels.render(renderer, scene, view: EyeView(pose: RatingPromptTests.head, fov: .symmetric(horizontalDegrees: 90, verticalDegrees: 90)),
                               name: name)
    }

    func changed(_ a: RGBAImage, _ b: RGBAImage, rows: Range<Int>, columns: Range<Int>) -> Int {
        PanelPixels.changed(a, b, rows: rows, columns: columns)
    }

    func testPromptPanelIsVisibleInTheLowerCentreOnlyWhenAskedAndLeavesTheViewAheadClear() throws {
        let context = try Self.context.get()
        context.clearValidationMessages()
        let renderer = try StereoRenderer(context: context, width: Self.size, height: Self.size, samples: 1)
        let h = RatingPromptTests.Harness(try TestSession.heights(in: sessions, participant: "P-0096", idPrefix: "prompt-px"))
        let s = Self.size, half = s / 2

        // Asked on the first floor: the same frame with and without the bridge's panel.
        let asked = try render(renderer, h.step(), name: "prompt-heights-asked")
        let environment = try render(renderer, h.session.conductor.lastScene, name: "prompt-heights-plain")
        let lowerCentre = changed(asked, environment, rows: half..<(half + s / 5), columns: (s / 4)..<(s * 3 / 4))
        XCTAssertGreaterThan(lowerCentre, s * s / 40, "the panel must be clearly visible in the lower centre")
        XCTAssertEqual(changed(asked, environment, rows: 0..<(half - 1), columns: 0..<s), 0,
                       "nothing of the panel above eye level: the view ahead stays clear")
        XCTAssertEqual(changed(asked, environment, rows: (half + s / 4)..<s, columns: 0..<s), 0, "small: nothing near the feet")

        // Answered: the next frame shows the environment alone.
        h.step(slider: 30)
        let answered = h.step(input: [.sudsRating(30)])
        XCTAssertEqual(try render(renderer, answered, name: "prompt-heights-answered").pixels,
                       try render(renderer, h.session.conductor.lastScene, name: "prompt-heights-answered-plain").pixels)

        // The safe room (the patient's pause) with a prompt pending: the panel shows, small and below
        // the view ahead. After an opt-out the consent panel takes its place (ConsentPanelRenderTests).
        h.session.conductor.mailbox.post(SessionInput(request: .askSUDS, from: .therapist("therapist-1")))
        h.session.conductor.mailbox.post(SessionInput(.patient(.pause), from: .headset))
        let safeRoom = try render(renderer, h.step(), name: "prompt-saferoom-asked")
        XCTAssertNotNil(h.bridge.panelShown)
        XCTAssertTrue(h.session.conductor.lastOutput?.target.safeRoom ?? false)
        let safeRoomPlain = try render(renderer, h.session.conductor.lastScene, name: "prompt-saferoom-plain")
        XCTAssertGreaterThan(changed(safeRoom, safeRoomPlain, rows: half..<(half + s / 5), columns: (s / 4)..<(s * 3 / 4)), s * s / 40)
        XCTAssertEqual(changed(safeRoom, safeRoomPlain, rows: 0..<(half - 1), columns: 0..<s), 0)
        XCTAssertLessThan(changed(safeRoom, safeRoomPlain, rows: 0..<s, columns: 0..<s), s * s / 8, "the panel covers under 1/8 of the view")
        XCTAssertEqual(context.validationMessages, [])
        _ = try h.session.finish()
    }

    /// The simulated headset plays the thumbstick: up after the first floor's SUDS prompt, and up
    /// again after the first minute's FMS prompt, where the slider starts at 0. Nobody else answers (no scripted patient).
    func testThumbstickAfterFMSPromptIsRecordedAsFMSThroughTheSimulatedHeadset() throws {
        let rate = 2.0
        let fixture = try HeadsetFixture("prompt-fms", script: [
            "displayRateHz": rate, "width": 16, "height": 16, "realTime": false, "exitAfterFrames": 130,
            "captureFrames": [] as [Int],
            "headPath": [["t": 0, "position": [0, 1.65, 0], "yawDegrees": 0, "pitchDegrees": 0]],
            "inputs": [
                ["path": "/user/hand/right/input/thumbstick", "from": 1.9, "to": 2.1, "x": 0, "y": 1.0],
                ["path": "/user/hand/right/input/thumbstick", "from": 61.9, "to": 62.1, "x": 0, "y": 1.0],
            ],
        ])
        defer { fixture.cleanUp() }
        var options = SessionOptions(protocolPath: E2E.packageRoot.appendingPathComponent("Protocols/heights-graded.yaml").path,
                                     participantID: "P-0095", sessionsDirectory: sessions.path)
        options.sound = false
        options.sessionID = "prompt-e2e-\(UUID().uuidString.prefix(8))"
        let session = try PreparedSession(options, runtime: "OpenXR", headset: "simulated", displayRateHz: rate, warn: { _ in })
        var xr = XRConfiguration()
        xr.recreateInitialDelay = 0.01
        let loop = OpenXRFrameLoop(configuration: xr)
        let runner = SessionRunner(session: session, loop: loop)
        let outcome = runner.run()
        XCTAssertNil(outcome.error, outcome.error ?? "")
        XCTAssertEqual(loop.validationMessages.messages, [])
        XCTAssertEqual(fixture.coreValidationProblems(), [])

        // One push of half a second at full deflection moves the slider 30 points from its start.
        let settings = InputSettings()
        let push = Int((settings.sudsPointsPerSecond / rate).rounded())
        let record = try session.store.read(session.sessionID)
        let headset = record.ratings.filter { $0.source == "headset" }
        XCTAssertEqual(headset.map { "\($0.kind.rawValue) \($0.value)" },
                       ["suds \(Double(settings.sudsStart + push))",
                        "fms \(Double(HeadsetRating.fms.value(fromSlider: 0 + push)))"],
                       "all ratings: \(record.ratings.map { "\($0.source) \($0.kind.rawValue) \($0.value)" })")
        if let fms = headset.last {
            let seconds = HeadsetFixture.seconds(displayTime: fms.displayTimeNs ?? 0)
            XCTAssertGreaterThan(seconds, 62, "given when the stick was let go")
            XCTAssertLessThan(seconds, 63)
        }
    }
}
