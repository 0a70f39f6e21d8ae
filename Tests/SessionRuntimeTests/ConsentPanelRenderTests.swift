// What the patient sees of the consent panel, on real renders (lavapipe, validation on): in the
// opted-out safe room, a board in the lower centre and nothing above eye level; seen close up,
// light letters on a dark board and a bar that turns green as far as the trigger has been held;
// after consent, the thanks without a bar.
import Foundation
import PNG
import Render
import SceneModel
import XCTest
import XR
@testable import SessionRuntime

final class ConsentPanelRenderTests: XCTestCase {
    var sessions: URL!
    static let size = 96

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("consent-render-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    /// Pixels where green clearly leads (the bar's fill) in `image` but not in `before` (the same
    /// view with the bar empty), so a green thing in the room behind does not count.
    func greenPixels(_ image: RGBAImage, notIn before: RGBAImage) -> Int {
        func green(_ p: (r: UInt8, g: UInt8, b: UInt8, a: UInt8)) -> Bool { Int(p.g) > Int(p.r) + 30 && Int(p.g) > Int(p.b) + 25 }
        var n = 0
        for y in 0..<image.height { for x in 0..<image.width where green(image[x, y]) && !green(before[x, y]) { n += 1 } }
        return n
    }

    func testConsentPanelInTheSafeRoomShowsTheQuestionAndTheHoldThenTheThanks() throws {
        let context = try RatingPromptRenderTests.context.get()
        context.clearValidationMessages()
        let s = Self.size, half = s / 2
        let renderer = try StereoRenderer(context: context, width: s, height: s, samples: 1)
        let eye = EyeView(pose: RatingPromptTests.head, fov: .symmetric(horizontalDegrees: 90, verticalDegrees: 90))
        let h = RatingPromptTests.Harness(try TestSession.heights(in: sessions, participant: "P-0094", idPrefix: "consent-px"))
        h.step()
        h.optOut()

        // Opted out: the same frame with and without the bridge's panel.
        let asked = h.step(consentHold: nil)
        XCTAssertEqual(h.bridge.consentShown, .asking(hold: 0))
        let shown = try PanelPixels.render(renderer, asked, view: eye, name: "consent-asked")
        let plain = try PanelPixels.render(renderer, h.session.conductor.lastScene, view: eye, name: "consent-asked-plain")
        XCTAssertGreaterThan(PanelPixels.changed(shown, plain, rows: half..<(half + s / 5), columns: (s / 4)..<(s * 3 / 4)), s * s / 40,
                             "the panel must be clearly visible in the lower centre")
        XCTAssertEqual(PanelPixels.changed(shown, plain, rows: 0..<(half - 1), columns: 0..<s), 0,
                       "nothing above eye level: the therapist's message has that place")
        XCTAssertLessThan(PanelPixels.changed(shown, plain, rows: 0..<s, columns: 0..<s), s * s / 8, "the panel covers under 1/8 of the view")

        // Close up, looking at the board's middle.
        let board = ConsentPanel.draw(.asking(hold: 0), head: RatingPromptTests.head)
        let middle = board.batch.instances[board.board].transform.transformPoint(.zero) - RatingPromptTests.head.position
        let close = EyeView(pose: Pose(position: RatingPromptTests.head.position, orientation: .yawPitch(yaw: 0, pitch: atan2(middle.y, -middle.z))),
                            fov: .symmetric(horizontalDegrees: 36, verticalDegrees: 36))
        let empty = try PanelPixels.render(renderer, asked, view: close, name: "consent-close-empty")
        var dark = 0, light = 0
        for y in 0..<s { for x in (s / 4)..<(s * 3 / 4) {
            let p = empty[x, y], luminance = (Int(p.r) + Int(p.g) + Int(p.b)) / 3
            if luminance < 100 { dark += 1 } else if luminance > 170 { light += 1 }
        } }
        XCTAssertGreaterThan(dark, light, "a dark board")
        XCTAssertGreaterThan(light, s * s / 100, "with light letters: \(light)")

        // The trigger held: green fills the bar, more the longer it is held.
        let halfHeld = try PanelPixels.render(renderer, h.step(consentHold: 0.5), view: close, name: "consent-close-half")
        let nearlyHeld = try PanelPixels.render(renderer, h.step(consentHold: 0.95), view: close, name: "consent-close-nearly")
        let halfGreen = greenPixels(halfHeld, notIn: empty), nearlyGreen = greenPixels(nearlyHeld, notIn: empty)
        XCTAssertGreaterThan(halfGreen, s / 2, "half held: part of the bar turns green")
        XCTAssertGreaterThan(nearlyGreen, halfGreen * 3 / 2, "held longer: more of it")

        // Consent given: the thanks, no bar, and still nothing above eye level.
        let thanked = h.step(consentHold: nil, input: [.consent])
        XCTAssertEqual(h.bridge.consentShown, .thanks)
        XCTAssertEqual(greenPixels(try PanelPixels.render(renderer, thanked, view: close, name: "consent-close-thanks"), notIn: empty), 0,
                       "no bar once consent is given")
        let thanks = try PanelPixels.render(renderer, thanked, view: eye, name: "consent-thanks")
        let thanksPlain = try PanelPixels.render(renderer, h.session.conductor.lastScene, view: eye, name: "consent-thanks-plain")
        XCTAssertGreaterThan(PanelPixels.changed(thanks, thanksPlain, rows: half..<(half + s / 5), columns: (s / 4)..<(s * 3 / 4)), s * s / 40)
        XCTAssertEqual(PanelPixels.changed(thanks, thanksPlain, rows: 0..<(half - 1), columns: 0..<s), 0)
        XCTAssertNotEqual(thanks.pixels, shown.pixels, "the thanks reads differently from the question")
        XCTAssertEqual(context.validationMessages, [])
        _ = try h.session.finish()
    }
}
