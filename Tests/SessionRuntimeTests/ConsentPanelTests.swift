// The consent panel through XRBridge on a real heights session, frame by frame: asked only in the
// opted-out safe room, in place of the rating panel, the bar following the trigger hold, the
// trigger reaching the engine only while consent is awaited, thanks after it, gone on resume.
import ExposureCore
import Foundation
import SceneModel
import XCTest
import XR
@testable import SessionRuntime

extension RatingPromptTests.Harness {
    /// One frame with the trigger hold's progress as XR reports it (nil: trigger not held).
    @discardableResult
    func step(consentHold: Double?, input: [InputEvent] = [], head: Pose = RatingPromptTests.head) -> Scene {
        let info = FrameInfo(index: index, predictedDisplayTime: 1_000_000_000 * Int64(index + 1), displayPeriod: 1_000_000_000,
                             shouldRender: true, headPose: head, views: [], wallClock: 1_800_000_000 + Double(index),
                             consentHold: consentHold)
        index += 1
        return bridge.frame(info, input: input)
    }

    /// The patient opts out with the grips (XR's event) and the safe room shows on that frame.
    func optOut() { step(input: [.optOut]) }
}

final class ConsentPanelTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("consent-sessions-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    func harness() throws -> RatingPromptTests.Harness {
        RatingPromptTests.Harness(try TestSession.heights(in: sessions, participant: "P-0092", idPrefix: "consent"))
    }

    // MARK: the panel's geometry

    func testTextReadsAsTwoShortSentencesEachOnItsOwnLines() {
        let asking = ConsentPanel.draw(.asking(hold: 0), head: RatingPromptTests.head)
        XCTAssertEqual(asking.lines, ["READY TO GO ON?", "HOLD THE TRIGGER"])
        XCTAssertNotNil(asking.track)
        XCTAssertNil(asking.fill, "nothing held: an empty bar")
        let thanks = ConsentPanel.draw(.thanks, head: RatingPromptTests.head)
        XCTAssertEqual(thanks.lines, ["THANK YOU.", "YOUR THERAPIST", "WILL CONTINUE."])
        XCTAssertNil(thanks.track, "no bar once consent is given")
        XCTAssertTrue((asking.lines + thanks.lines).allSatisfy { DotMatrixText.canDraw($0) })
    }

    func testBarFillsWithTheHoldFromTheLeft() {
        let head = RatingPromptTests.head
        func fill(_ hold: Double) -> (width: Float, left: Float)? {
            let drawn = ConsentPanel.draw(.asking(hold: hold), head: head)
            guard let i = drawn.fill else { return nil }
            let box = drawn.batch.instances[i]
            let width = box.transform.columns.0.x   // the head faces -z: x is the bar's length
            return (width, box.transform.transformPoint(.zero).x - width / 2)
        }
        let half = fill(0.5), full = fill(1), over = fill(3)
        XCTAssertEqual((half?.width ?? 0) / (full?.width ?? 1), 0.5, accuracy: 1e-4)
        XCTAssertEqual(half?.left ?? 0, full?.left ?? 1, accuracy: 1e-5, "it grows from the same left edge")
        XCTAssertEqual(over?.width ?? 0, full?.width ?? 1, accuracy: 1e-6, "never past full")
    }

    func testPanelSitsBelowEyeLevelAheadReadsLeftToRightAndLeavesRoomForTheMessage() {
        let message = PatientMessagePanel.draw("You are safe, breathe slowly", head: RatingPromptTests.head)
        let messageBottom = PatientMessagePanel.boardBottom
        for yawDegrees: Float in [0, 90, -135] {
            let head = Pose(position: Vec3(1, 1.6, -2), orientation: .yawPitch(yaw: yawDegrees * .pi / 180, pitch: 0))
            let view = Mat4.view(from: head)
            for look in [ConsentPanel.Look.asking(hold: 0.5), .thanks] {
                let drawn = ConsentPanel.draw(look, head: head)
                for (i, box) in drawn.batch.instances.enumerated() {
                    let c = view.transformPoint(box.transform.transformPoint(.zero))
                    let col = box.transform.columns.1
                    let halfHeight = Vec3(col.x, col.y, col.z).length / 2
                    XCTAssertLessThan(c.y + halfHeight, 0, "\(look) box \(i): must stay below eye level")
                    XCTAssertLessThan(c.y + halfHeight, messageBottom, "\(look) box \(i): would overlap the therapist's message")
                    XCTAssertLessThan(abs(c.x), 0.3, "\(look) box \(i) too far to the side")
                    XCTAssertEqual(c.z, -ConsentPanel.distance, accuracy: 0.02)
                }
                // The first line's characters run left to right as the patient sees them.
                let xs = drawn.glyphs[0].filter { !$0.isEmpty }.map { chars in
                    chars.map { view.transformPoint(drawn.batch.instances[$0].transform.transformPoint(.zero)).x }.reduce(0, +) / Float(chars.count)
                }
                XCTAssertEqual(xs, xs.sorted(), "yaw \(yawDegrees): \(look) mirrored")
            }
        }
        XCTAssertFalse(message.lines.isEmpty)
    }

    // MARK: the bridge with a real session

    func testAskedOnlyAfterTheOptOutAndInPlaceOfTheRatingPanel() throws {
        let h = try harness()
        h.step()
        XCTAssertNil(h.bridge.consentShown, "nothing to consent to while the exposure runs")
        XCTAssertNotNil(h.bridge.panelShown, "the first floor asks SUDS")
        h.optOut()
        XCTAssertTrue(h.session.conductor.engine.isAwaitingConsent)
        XCTAssertEqual(h.bridge.consentShown, .asking(hold: 0))
        XCTAssertNil(h.bridge.panelShown, "the SUDS prompt still pending must not overlap the consent panel")
        // The patient moves the stick anyway: still only the consent panel.
        h.step(slider: 70)
        XCTAssertEqual(h.bridge.consentShown, .asking(hold: 0))
        XCTAssertNil(h.bridge.panelShown)
        _ = try h.session.finish()
    }

    func testBarFollowsTheHoldAndConsentThanksThenTheTherapistResumes() throws {
        let h = try harness()
        h.step()
        h.optOut()
        h.step(consentHold: 0.3)
        XCTAssertEqual(h.bridge.consentShown, .asking(hold: 0.3))
        h.step(consentHold: 0.9)
        XCTAssertEqual(h.bridge.consentShown, .asking(hold: 0.9))
        let given = h.step(consentHold: nil, input: [.consent])
        XCTAssertFalse(h.session.conductor.engine.isAwaitingConsent)
        XCTAssertEqual(h.bridge.consentShown, .thanks)
        XCTAssertEqual(given.batches.count, h.session.conductor.lastScene.batches.count + 1, "one panel, the consent panel")
        XCTAssertEqual(h.session.conductor.lastOutput?.events.filter { $0.kind == .consentGiven }.map(\.actor), [.patient])
        // Thanks for its few seconds (1 Hz frames), then the safe room alone while the therapist decides.
        for _ in 1..<Int(ConsentPrompt.thanksSeconds) { h.step() }
        XCTAssertEqual(h.bridge.consentShown, .thanks)
        h.step()
        XCTAssertNil(h.bridge.consentShown)
        h.session.conductor.mailbox.post(SessionInput(.therapist(.resume), from: .therapist("t")))
        h.step()
        XCTAssertTrue(h.session.conductor.engine.state.isRunning)
        XCTAssertNil(h.bridge.consentShown)
        _ = try h.session.finish()
    }

    func testResumeBeforeTheThanksRunOutHidesThePanel() throws {
        let h = try harness()
        h.step()
        h.optOut()
        h.step(input: [.consent])
        XCTAssertEqual(h.bridge.consentShown, .thanks)
        h.session.conductor.mailbox.post(SessionInput(.therapist(.resume), from: .therapist("t")))
        h.step()
        XCTAssertTrue(h.session.conductor.engine.state.isRunning)
        XCTAssertNil(h.bridge.consentShown)
        _ = try h.session.finish()
    }

    func testTriggerOutsideTheConsentPanelDoesNotReachTheEngine() throws {
        let h = try harness()
        h.step()
        h.step(input: [.consent])
        XCTAssertEqual(h.session.conductor.lastOutput?.events.filter { if case .rejected = $0.kind { return true }; return false }.count, 0,
                       "a trigger hold while running is not a refused consent in the record")
        h.optOut()
        h.step(input: [.consent])
        h.step(input: [.consent])
        XCTAssertEqual(h.session.conductor.lastOutput?.events.filter { if case .rejected = $0.kind { return true }; return false }.count, 0,
                       "consent already given: the second is not sent")
        XCTAssertEqual(XRBridge.sessionInput(.consent)?.origin, .headset)
        if case .patient(.consentToResume)? = XRBridge.sessionInput(.consent)?.input {} else {
            XCTFail("the trigger hold is the patient's consent to resume")
        }
        _ = try h.session.finish()
    }

    func testTherapistMessageShowsAboveTheConsentPanel() throws {
        let h = try harness()
        h.step()
        h.optOut()
        h.session.conductor.mailbox.post(SessionInput(request: .showMessage("Take your time"), from: .therapist("therapist-1")))
        let scene = h.step()
        XCTAssertNotNil(h.bridge.messageShown)
        XCTAssertNotNil(h.bridge.consentShown)
        XCTAssertEqual(scene.batches.count, h.session.conductor.lastScene.batches.count + 2, "both panels")
        _ = try h.session.finish()
    }

    func testEndedSessionShowsNoConsentPanel() throws {
        let h = try harness()
        h.step()
        h.optOut()
        h.session.conductor.mailbox.post(SessionInput(.therapist(.end), from: .therapist("therapist-1")))
        h.step()
        XCTAssertTrue(h.session.conductor.isEnded)
        XCTAssertNil(h.bridge.consentShown)
        _ = try h.session.finish()
    }
}
