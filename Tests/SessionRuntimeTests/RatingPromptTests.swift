// The in-headset rating prompt: the protocol's SUDS and FMS prompts appear in front of the patient
// without their touching the stick, with the number they are giving in dot-matrix digits that read
// left to right from where they stand, and the slider's release reaches the engine as the rating
// that was asked (FMS on 0-20 when only FMS is wanted). Driven through XRBridge against a real
// heights session, frame by frame, with the record read back from disk.
import ExposureCore
import Foundation
import Recording
import SceneModel
import XCTest
import XR
@testable import SessionRuntime

final class RatingPromptTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("prompt-sessions-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    static let head = Pose(position: Vec3(0, 1.6, 0))

    /// A bridge on a heights session nobody answers for (no scripted patient), stepped at 1 Hz so
    /// the protocol's minute-by-minute FMS prompts come within a few dozen frames.
    final class Harness {
        let session: PreparedSession
        let bridge: XRBridge
        var index = 0
        init(_ session: PreparedSession) { self.session = session; bridge = XRBridge(session: session) }

        /// Session time of the next frame (the first frame is session time 0).
        var nextTime: Double { Double(index) }

        @discardableResult
        func step(slider: Int? = nil, input: [InputEvent] = [], head: Pose = RatingPromptTests.head) -> Scene {
            let info = FrameInfo(index: index, predictedDisplayTime: 1_000_000_000 * Int64(index + 1), displayPeriod: 1_000_000_000,
                                 shouldRender: true, headPose: head, views: [], wallClock: 1_800_000_000 + Double(index),
                                 sudsSlider: slider)
            index += 1
            return bridge.frame(info, input: input)
        }

        /// Steps without input until session time `t` has been shown.
        func run(until t: Double) { while nextTime <= t { step() } }

        /// Moves the slider to `value` on one frame and lets go on the next, as XR reports it.
        func rate(_ value: Int) {
            step(slider: value)
            step(input: [.sudsRating(value)])
        }

        /// True when the bridge added a panel to the environment's scene this frame.
        func panelIn(_ scene: Scene) -> Bool { scene.batches.count == session.conductor.lastScene.batches.count + 1 }
    }

    func harness() throws -> Harness {
        Harness(try TestSession.heights(in: sessions, participant: "P-0097", idPrefix: "prompt"))
    }

    // MARK: the font and the panel's geometry

    func testFontDrawsEveryCharacterTheCaptionsNeedOnAFiveBySevenGrid() {
        XCTAssertTrue(DotMatrixText.canDraw("SUDS FMS 0123456789"))
        XCTAssertFalse(DotMatrixText.canDraw("x"), "a character the font lacks must be reported, not drawn blank")
        for (ch, rows) in DotMatrixText.glyphs {
            XCTAssertEqual(rows.count, 7, "\(ch)")
            XCTAssertTrue(rows.allSatisfy { $0.count == 5 && $0.allSatisfy { $0 == "#" || $0 == " " } }, "\(ch): \(rows)")
        }
        let digits = (0...9).map { DotMatrixText.glyphs[Character(String($0))] ?? [] }
        XCTAssertEqual(Set(digits.map { $0.joined() }).count, 10, "every digit has its own shape")
        // Runs cover exactly the lit dots, in the right columns: "4" then "5" one advance further on.
        let runs = DotMatrixText.runs("45")
        XCTAssertEqual(runs.filter { $0.character == 0 }.reduce(0) { $0 + $1.length }, 14)
        XCTAssertEqual(runs.first { $0.character == 0 && $0.row == 4 }, DotMatrixText.Run(character: 0, row: 4, column: 0, length: 5))
        XCTAssertEqual(runs.first { $0.character == 1 && $0.row == 1 }, DotMatrixText.Run(character: 1, row: 1, column: 6, length: 1))
        XCTAssertEqual(DotMatrixText.width("SUDS  45"), 47)
    }

    /// Eye-space centre of some of the panel's boxes (x right, y up, -z ahead, as the patient sees).
    func eyeCentre(_ drawn: RatingPanel.Drawn, _ indices: [Int], head: Pose) -> Vec3 {
        let view = Mat4.view(from: head)
        let points = indices.map { view.transformPoint(drawn.batch.instances[$0].transform.transformPoint(.zero)) }
        return points.reduce(Vec3.zero, +) / Float(max(1, points.count))
    }

    func testCaptionReadsLeftToRightAndUnmirroredFromTheHeadWhereverThePatientFaces() {
        let look = RatingPanel.Look(rating: .suds, slider: 45, asking: true, adjusting: true, displayTimeNs: 0)
        for yawDegrees: Float in [0, 90, -135, 180] {
            let head = Pose(position: Vec3(1, 1.6, -2), orientation: .yawPitch(yaw: yawDegrees * .pi / 180, pitch: -0.3))
            let drawn = RatingPanel.draw(look, head: head)
            XCTAssertEqual(drawn.caption, "SUDS  45")
            let xs = drawn.glyphs.enumerated().filter { !$0.element.isEmpty }.map { eyeCentre(drawn, $0.element, head: head).x }
            XCTAssertEqual(xs.count, 6, "S U D S 4 5 each drawn")
            XCTAssertEqual(xs, xs.sorted(), "yaw \(yawDegrees): characters must run left to right as seen: \(xs)")
            // Not mirrored: the "4"'s top dot sits right of its centre, the "5"'s middle stroke left of its right edge.
            let four = drawn.glyphs[6], five = drawn.glyphs[7]
            let fourCentre = eyeCentre(drawn, four, head: head)
            let fourTop = four.map { eyeCentre(drawn, [$0], head: head) }.max { $0.y < $1.y } ?? .zero
            XCTAssertGreaterThan(fourTop.x, fourCentre.x, "yaw \(yawDegrees): the 4 is mirrored")
            XCTAssertLessThan(eyeCentre(drawn, four, head: head).x, eyeCentre(drawn, five, head: head).x)
            // In front of the patient, not behind or beside.
            XCTAssertLessThan(fourCentre.z, -0.5)
        }
    }

    func testPanelSitsBelowEyeLevelAheadAndStaysSmall() {
        let look = RatingPanel.Look(rating: .fms, slider: 50, asking: true, adjusting: false, displayTimeNs: 0)
        let drawn = RatingPanel.draw(look, head: Self.head)
        let view = Mat4.view(from: Self.head)
        for (i, box) in drawn.batch.instances.enumerated() {
            let c = view.transformPoint(box.transform.transformPoint(.zero))
            // A box's top edge: centre plus half its height (scale is the length of the y column).
            let col = box.transform.columns.1
            let halfHeight = (Vec3(col.x, col.y, col.z)).length / 2
            XCTAssertLessThan(c.y + halfHeight, 0, "box \(i) reaches eye level: the panel must leave the view ahead clear")
            XCTAssertLessThan(abs(c.x), 0.35, "box \(i) too far to the side")
            XCTAssertEqual(c.z, -RatingPanel.distance, accuracy: 0.02)
        }
        XCTAssertEqual(drawn.caption, "FMS 10", "50 on the slider is FMS 10")
    }

    func testAskingFramePulsesOnceASecondFromTheDisplayClock() {
        XCTAssertEqual(RatingPanel.pulse(displayTimeNs: 3_000_000_000), 1, accuracy: 1e-5)
        XCTAssertEqual(RatingPanel.pulse(displayTimeNs: 3_500_000_000), 0.3, accuracy: 1e-5)
        XCTAssertEqual(RatingPanel.pulse(displayTimeNs: 4_250_000_000), 0.65, accuracy: 1e-5)
        func frameColour(_ ns: Int64) -> Vec4? {
            let drawn = RatingPanel.draw(.init(rating: .suds, slider: 50, asking: true, adjusting: false, displayTimeNs: ns), head: Self.head)
            XCTAssertEqual(drawn.frame.count, 4)
            return drawn.frame.first.map { drawn.batch.instances[$0].color }
        }
        XCTAssertNotEqual(frameColour(0), frameColour(500_000_000))
        XCTAssertEqual(frameColour(0), frameColour(7_000_000_000), "same phase, same brightness")
        let quiet = RatingPanel.draw(.init(rating: .suds, slider: 50, asking: false, adjusting: true, displayTimeNs: 0), head: Self.head)
        XCTAssertTrue(quiet.frame.isEmpty, "no pulsing frame when nothing is asked")
    }

    func testFMSScaleMapsTheSliderInStepsOfFive() {
        XCTAssertEqual([0, 2, 3, 50, 62, 63, 98, 100].map { HeadsetRating.fms.value(fromSlider: $0) }, [0, 0, 1, 10, 12, 13, 20, 20])
        XCTAssertEqual(HeadsetRating.suds.value(fromSlider: 45), 45)
        let bar = { (slider: Int) -> Float in
            let d = RatingPanel.draw(.init(rating: .fms, slider: slider, asking: false, adjusting: true, displayTimeNs: 0), head: Self.head)
            return d.batch.instances[1].transform.columns.0.x   // the fill's width (the head faces -z)
        }
        XCTAssertEqual(bar(62), bar(61), accuracy: 1e-6, "FMS 12 both: the bar shows the mapped value")
        XCTAssertEqual(bar(62) / bar(100), 12.0 / 20, accuracy: 1e-4)
    }

    // MARK: the bridge with a real session

    func testProtocolPromptShowsThePanelUntilTheHeadsetAnswers() throws {
        let h = try harness()
        // Entering the first floor asks for SUDS: the panel appears without the stick being touched.
        let first = h.step()
        XCTAssertTrue(h.panelIn(first), "SUDS asked on the first frame: the panel must show")
        XCTAssertEqual(h.bridge.asking, .suds)
        XCTAssertEqual(h.bridge.panelShown?.rating, .suds)
        XCTAssertEqual(h.bridge.panelShown?.value, h.bridge.sliderStart)
        XCTAssertEqual(h.bridge.panelShown?.asking, true)
        // Still asking a few frames later: nobody has answered.
        h.step(); h.step()
        XCTAssertTrue(h.panelIn(h.step()))
        // The patient moves the stick: the number follows the slider.
        let moving = h.step(slider: 35)
        XCTAssertTrue(h.panelIn(moving))
        XCTAssertEqual(h.bridge.panelShown?.value, 35)
        // Let go: the rating reaches the engine and the panel is gone the same frame.
        let answered = h.step(input: [.sudsRating(35)])
        XCTAssertFalse(h.panelIn(answered), "the rating arrived: the prompt must clear")
        XCTAssertNil(h.bridge.asking)
        XCTAssertNil(h.bridge.panelShown)
        XCTAssertFalse(h.panelIn(h.step()))

        _ = try h.session.finish()
        let record = try h.session.store.read(h.session.sessionID)
        XCTAssertEqual(record.ratings.filter { $0.kind == .suds }.map { "\($0.source) \($0.value)" }, ["headset 35.0"])
    }

    func testSliderReleaseWhileOnlyFMSIsAskedReachesTheEngineAsFMSOnItsScale() throws {
        let h = try harness()
        h.step()
        XCTAssertEqual(h.bridge.ratingSliderStart, 50, "SUDS starts mid-scale")
        h.rate(40)                                   // answers the first SUDS prompt
        XCTAssertNil(h.bridge.asking)
        h.run(until: 59)
        XCTAssertNil(h.bridge.asking, "nothing asked between the prompts")
        h.run(until: 60)                             // the protocol asks FMS every minute
        XCTAssertEqual(h.bridge.asking, .fms)
        XCTAssertEqual(h.bridge.panelShown?.rating, .fms)
        XCTAssertEqual(h.bridge.panelShown?.value, 0, "the FMS slider starts at 0, no sickness, not mid-scale")
        XCTAssertEqual(h.bridge.ratingSliderStart, 0, "the frame loop starts the stick where the panel shows it")
        let moving = h.step(slider: 62)
        XCTAssertTrue(h.panelIn(moving))
        XCTAssertEqual(h.bridge.panelShown?.value, 12, "62 on the slider is FMS round(62 / 5) = 12")
        h.step(input: [.sudsRating(62)])
        XCTAssertNil(h.bridge.asking)
        XCTAssertEqual(h.session.conductor.board.latest.fmsHistory.last?.value, 12)

        _ = try h.session.finish()
        let record = try h.session.store.read(h.session.sessionID)
        let headset = record.ratings.filter { $0.source == "headset" }.map { "\($0.kind.rawValue) \($0.value)" }
        XCTAssertEqual(headset, ["suds 40.0", "fms 12.0"], "the FMS answer must not be recorded as SUDS 62")
        // With no prompt pending the stick gives SUDS, as before prompts were shown.
    }

    func testSUDSHasPriorityWhenBothAreAskedAndFMSFollows() throws {
        let h = try harness()
        h.step()
        h.rate(40)
        h.run(until: 60)
        h.rate(50)                                   // FMS 10 at the first minute
        h.run(until: 120)                            // SUDS every two minutes and FMS every minute: both due
        XCTAssertEqual(h.bridge.asking, .suds, "SUDS first: it steers the exposure")
        XCTAssertEqual(h.bridge.panelShown?.rating, .suds)
        h.rate(30)
        XCTAssertEqual(h.bridge.asking, .fms, "FMS is still wanted once SUDS is in")
        h.rate(20)
        XCTAssertNil(h.bridge.asking)
        // No prompt: a spontaneous rating is SUDS on 0-100.
        h.rate(70)

        _ = try h.session.finish()
        let record = try h.session.store.read(h.session.sessionID)
        let headset = record.ratings.filter { $0.source == "headset" }.map { "\($0.kind.rawValue) \($0.value)" }
        XCTAssertEqual(headset, ["suds 40.0", "fms 10.0", "suds 30.0", "fms 4.0", "suds 70.0"])
    }

    func testAnswerFromTheConsoleAlsoClearsTheHeadsetPrompt() throws {
        let h = try harness()
        XCTAssertTrue(h.panelIn(h.step()))
        h.session.conductor.mailbox.post(SessionInput(.suds(25), from: .therapist("therapist-1")))
        XCTAssertFalse(h.panelIn(h.step()), "answered aloud and typed in by the therapist: the headset stops asking")
        // The therapist's "ask for SUDS now" brings the panel back.
        h.session.conductor.mailbox.post(SessionInput(request: .askSUDS, from: .therapist("therapist-1")))
        XCTAssertTrue(h.panelIn(h.step()))
        XCTAssertEqual(h.bridge.asking, .suds)
        h.rate(55)
        XCTAssertNil(h.bridge.asking)
        XCTAssertFalse(h.panelIn(h.step()))
        _ = try h.session.finish()
    }

    func testEndedSessionStopsAsking() throws {
        let h = try harness()
        XCTAssertTrue(h.panelIn(h.step()))
        h.session.conductor.mailbox.post(SessionInput(.therapist(.end), from: .therapist("therapist-1")))
        let ended = h.step()
        XCTAssertTrue(h.session.conductor.isEnded)
        XCTAssertNil(h.bridge.asking)
        XCTAssertFalse(h.panelIn(ended), "nothing left to answer once the session has ended")
        _ = try h.session.finish()
    }

    func testPanelFollowsTheSliderWithoutAPromptAsBefore() throws {
        let h = try harness()
        h.step()
        h.rate(40)
        XCTAssertFalse(h.panelIn(h.step()))
        let moving = h.step(slider: 80)
        XCTAssertTrue(h.panelIn(moving))
        XCTAssertEqual(h.bridge.panelShown?.rating, .suds)
        XCTAssertEqual(h.bridge.panelShown?.value, 80)
        XCTAssertEqual(h.bridge.panelShown?.asking, false, "not asked: no pulsing frame")
        _ = try h.session.finish()
    }
}
