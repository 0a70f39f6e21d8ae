// Consent given in the headset, end to end: a heights session through the real OpenXR loader and
// the simulated headset (core validation on). The scripted patient holds both grips (opt-out), then
// the trigger; the headset asks "Ready to go on?", fills its bar, thanks the patient, and the
// record says the patient consented from the headset; the therapist's resume then brings the
// session back to running.
import ExposureCore
import Foundation
import HeadsetTestSupport
import Recording
import SceneModel
import XCTest
import XR
@testable import SessionRuntime

final class ConsentEndToEndTests: XCTestCase {
    var sessions: URL!
    static let rate = 10.0

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("consent-e2e-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    /// The session's bridge, plus a therapist who resumes on the first frame after the patient's
    /// consent (as a console command would arrive), and a log of the consent panel per frame.
    final class TherapistAtTheConsole: FrameDelegate {
        let bridge: XRBridge
        var resumedAt: Double?
        var panels: [(seconds: Double, look: ConsentPanel.Look?)] = []
        var statesAfterResume: [EngineState] = []
        init(_ bridge: XRBridge) { self.bridge = bridge }

        var ratingSliderStart: Int? { bridge.ratingSliderStart }
        func stateChanged(_ state: XRSessionState) { bridge.stateChanged(state) }

        func frame(_ frame: FrameInfo, input: [InputEvent]) -> Scene {
            let scene = bridge.frame(frame, input: input)
            let engine = bridge.session.conductor.engine
            let seconds = HeadsetFixture.seconds(displayTime: frame.predictedDisplayTime)
            panels.append((seconds, bridge.consentShown))
            if resumedAt != nil { statesAfterResume.append(engine.state) }
            if resumedAt == nil, case .safeRoom(_, .optOut) = engine.state, !engine.isAwaitingConsent {
                bridge.session.conductor.mailbox.post(SessionInput(.therapist(.resume), from: .therapist("t")))
                resumedAt = seconds
            }
            return scene
        }
    }

    func testGripsThenTriggerGiveThePatientsConsentAndTheTherapistResumes() throws {
        let fixture = try HeadsetFixture("consent", script: [
            "displayRateHz": Self.rate, "width": 16, "height": 16, "realTime": false, "exitAfterFrames": 70,
            "captureFrames": [] as [Int],
            "headPath": [["t": 0, "position": [0, 1.65, 0], "yawDegrees": 0, "pitchDegrees": 0]],
            "inputs": [
                ["path": "/user/hand/left/input/squeeze/value", "from": 1.0, "to": 2.2, "value": 1.0],
                ["path": "/user/hand/right/input/squeeze/value", "from": 1.0, "to": 2.2, "value": 1.0],
                ["path": "/user/hand/right/input/trigger/value", "from": 3.0, "to": 4.5, "value": 1.0],
            ],
        ])
        defer { fixture.cleanUp() }
        var options = SessionOptions(protocolPath: E2E.packageRoot.appendingPathComponent("Protocols/heights-graded.yaml").path,
                                     participantID: "P-0091", sessionsDirectory: sessions.path)
        options.sound = false
        options.sessionID = "consent-e2e-\(UUID().uuidString.prefix(8))"
        let session = try PreparedSession(options, runtime: "OpenXR", headset: "simulated", displayRateHz: Self.rate, warn: { _ in })
        var xr = XRConfiguration()
        xr.recreateInitialDelay = 0.01
        let loop = OpenXRFrameLoop(configuration: xr)
        let delegate = TherapistAtTheConsole(XRBridge(session: session))
        let failure = try runOnFrameThread { try loop.run(delegate: delegate) }
        XCTAssertNil(failure)
        XCTAssertEqual(loop.validationMessages.messages, [], "OpenXR / Vulkan validation messages")
        XCTAssertEqual(fixture.coreValidationProblems(), [], "core validation layer problems")

        // Back to running once the therapist resumed, and it stayed so.
        XCTAssertNotNil(delegate.resumedAt, "the patient's consent never came")
        XCTAssertFalse(delegate.statesAfterResume.isEmpty)
        XCTAssertTrue(delegate.statesAfterResume.dropFirst().allSatisfy(\.isRunning), "\(delegate.statesAfterResume.prefix(3))")

        // The panel: asked from the opt-out, the bar filling while the trigger was held, then thanks.
        let panels = delegate.panels
        XCTAssertTrue(panels.filter { $0.seconds < 2.0 - 1e-6 }.allSatisfy { $0.look == nil }, "no panel before the opt-out")
        let holds = panels.compactMap { p -> Double? in if case .asking(let h)? = p.look, p.seconds < 4.0 { return h }; return nil }
        XCTAssertEqual(holds.filter { $0 > 0 }, holds.filter { $0 > 0 }.sorted(), "the bar only fills")
        XCTAssertGreaterThan(holds.max() ?? 0, 0.8, "the bar nearly full just before consent")
        XCTAssertEqual(panels.first { $0.look == .thanks }?.seconds ?? 0, 4.0, accuracy: 1e-6, "thanks on the consent frame")
        XCTAssertNil(panels.last?.look, "gone once the session runs again")

        _ = try session.finish()
        let record = try session.store.read(session.sessionID)
        let lines = record.events.map { "\($0.kind) \($0.actor) \($0.payload["state"] ?? "") \($0.payload["sender"] ?? "")" }
        let optOut = try XCTUnwrap(record.events.first { $0.kind == EventKind.optOut }, "\(lines)")
        XCTAssertEqual(optOut.actor, .patient)
        let consents = record.events.filter { $0.payload["state"] as? String == "consent_to_resume" }
        XCTAssertEqual(consents.count, 1, "one consent per hold: \(lines)")
        let consent = try XCTUnwrap(consents.first)
        // The patient's, from the trigger: nobody else was there (no scripted patient, no keyboard),
        // and it came on the frame the trigger had been held for a second.
        XCTAssertEqual(consent.actor, .patient)
        let consentSeconds = HeadsetFixture.seconds(displayTime: consent.displayTimeNs ?? 0)
        XCTAssertGreaterThanOrEqual(consentSeconds, 4.0 - 1e-6, "consent before the trigger was held for 1 s")
        XCTAssertLessThan(consentSeconds, 4.0 + 1 / Self.rate, "consent more than a frame late")
        let command = try XCTUnwrap(record.events.first { $0.kind == EventKind.command }, "\(lines)")
        XCTAssertEqual(command.payload["sender"] as? String, "t", "the therapist's resume, recorded with who sent it")
        let resumed = try XCTUnwrap(record.events.first { $0.payload["state"] as? String == "resumed" }, "\(lines)")
        XCTAssertEqual(resumed.actor, .therapist)
        XCTAssertGreaterThan(resumed.sessionTime, consent.sessionTime)
        XCTAssertFalse(record.events.contains { $0.kind == "rejected" && $0.payload["input"] as? String == "consent" },
                       "the trigger held on after consent must not be sent again: \(lines)")
    }

    /// Runs the frame loop on a thread of its own with a large stack, as SessionRunner does.
    private func runOnFrameThread(_ body: @escaping () throws -> Void) throws -> String? {
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var error: String? }
        let box = Box()
        let thread = Thread { do { try body() } catch { box.error = "\(error)" }; done.signal() }
        thread.stackSize = 8 << 20
        thread.start()
        guard done.wait(timeout: .now() + 300) == .success else { throw XCTSkip("the frame loop did not finish in 5 minutes") }
        return box.error
    }
}
