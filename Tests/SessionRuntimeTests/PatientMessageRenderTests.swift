// What the patient sees of the therapist's message, on real renders (lavapipe, validation on):
// nothing above eye level before it arrives; then a board just above the centre, with the rating
// panel still below it and nothing of the message in the lower half; seen close up, light
// letters on a dark board.
import Foundation
import PNG
import Render
import SceneModel
import XCTest
@testable import SessionRuntime

final class PatientMessageRenderTests: XCTestCase {
    var sessions: URL!
    static let size = 96

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("message-render-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    func render(_ renderer: StereoRenderer, _ scene: Scene, view: EyeView, name: String) throws -> RGBAImage {
        try PanelPixels.render(renderer, scene, view: view, name: name)
    }

    func changed(_ a: RGBAImage, _ b: RGBAImage, rows: Range<Int>, columns: Range<Int>) -> Int {
        PanelPixels.changed(a, b, rows: rows, columns: columns)
    }

    func testMessageBoardShowsAboveTheCentreOnlyOnceSentWithLightLettersOnDarkBoard() throws {
        let context = try RatingPromptRenderTests.context.get()
        context.clearValidationMessages()
        let s = Self.size, half = s / 2
        let renderer = try StereoRenderer(context: context, width: s, height: s, samples: 1)
        let eye = EyeView(pose: RatingPromptTests.head, fov: .symmetric(horizontalDegrees: 90, verticalDegrees: 90))
        let h = RatingPromptTests.Harness(try TestSession.heights(in: sessions, participant: "P-0093", idPrefix: "message-px"))

        // Before: the first floor asks for SUDS, so the rating panel shows below; nothing above eye level.
        let before = try render(renderer, h.step(), view: eye, name: "message-before")
        XCTAssertNotNil(h.bridge.panelShown)
        let plainBefore = try render(renderer, h.session.conductor.lastScene, view: eye, name: "message-before-plain")
        XCTAssertEqual(changed(before, plainBefore, rows: 0..<(half - 1), columns: 0..<s), 0, "no message board before a message")

        // Sent: the same frame with and without the message's batch (the bridge draws it last).
        h.session.conductor.mailbox.post(SessionInput(request: .showMessage(PatientMessageTests.calm), from: .therapist("therapist-1")))
        let scene = h.step()
        XCTAssertEqual(h.bridge.messageShown?.text, PatientMessageTests.calm)
        var withoutMessage = scene
        withoutMessage.batches.removeLast()
        let shown = try render(renderer, scene, view: eye, name: "message-shown")
        let unshown = try render(renderer, withoutMessage, view: eye, name: "message-shown-without")
        let above = changed(shown, unshown, rows: (half - s / 6)..<half, columns: (s / 4)..<(s * 3 / 4))
        XCTAssertGreaterThan(above, s * s / 80, "the board must be clearly visible just above the centre")
        XCTAssertEqual(changed(shown, unshown, rows: (half + 1)..<s, columns: 0..<s), 0,
                       "nothing of the message in the lower half, where the rating panel is")
        XCTAssertLessThan(changed(shown, unshown, rows: 0..<s, columns: 0..<s), s * s / 12, "the board covers under 1/12 of the view")
        let plain = try render(renderer, h.session.conductor.lastScene, view: eye, name: "message-shown-plain")
        XCTAssertGreaterThan(changed(shown, plain, rows: (half + 1)..<s, columns: (s / 4)..<(s * 3 / 4)), s * s / 80,
                             "the rating panel still shows below")

        // Close up, looking at the board's middle: light letters on a dark board.
        let board = PatientMessagePanel.draw(PatientMessageTests.calm, head: RatingPromptTests.head)
        let middle = board.batch.instances[board.board].transform.transformPoint(.zero) - RatingPromptTests.head.position
        let pitch = atan2(middle.y, -middle.z)
        let close = EyeView(pose: Pose(position: RatingPromptTests.head.position, orientation: .yawPitch(yaw: 0, pitch: pitch)),
                            fov: .symmetric(horizontalDegrees: 24, verticalDegrees: 24))
        let zoomed = try render(renderer, scene, view: close, name: "message-close")
        var dark = 0, light = 0, total = 0
        // The middle rows lie inside the board (about 7 of 24 degrees tall): every pixel is board or ink.
        for y in (half - s / 10)..<(half + s / 10) { for x in 0..<s {
            let p = zoomed[x, y], luminance = (Int(p.r) + Int(p.g) + Int(p.b)) / 3
            total += 1
            // sRGB output: the board's 0.08 comes out near 70, the letters near 200.
            if luminance < 100 { dark += 1 } else if luminance > 170 { light += 1 }
        } }
        XCTAssertGreaterThan(dark, total / 2, "the board must be dark: \(dark) of \(total)")
        XCTAssertEqual(dark + light, total, "only board and letters in the board's middle rows")
        XCTAssertGreaterThan(light, total / 20, "the letters must be light: \(light) of \(total)")
        XCTAssertEqual(context.validationMessages, [])
        _ = try h.session.finish()
    }
}
