import XCTest
import ExposureCore
import Environments
import Recording
import SceneModel
@testable import SessionRuntime

/// The frame-by-frame session without a headset: the same conductor the OpenXR and desktop
/// frame loops call, driven with display times as a 72 Hz runtime would report them.
final class ConductorTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var sessions: URL!
    var periodNs: Int64 = 13_888_889

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("conductor-\(UUID().uuidString)")
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(Self.root.path))
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    func prepare(script: PatientScript? = nil) throws -> PreparedSession {
        try TestSession.heights(in: sessions, idPrefix: "test", script: script)
    }

    func moment(_ i: Int) -> FrameMoment {
        FrameMoment(index: i, displayTimeNs: 1_000_000_000 + Int64(i) * periodNs, periodNs: periodNs,
                    wallClock: 1_700_000_000 + Double(i) * Double(periodNs) / 1e9, head: Pose(position: Vec3(0, 1.6, 0)))
    }

    func testScriptedPatientClimbsAndEverythingIsRecorded() throws {
        let script = try PatientScriptParser.load(path: Self.root.appendingPathComponent("Protocols/patients/demo-habituating.yaml").path)
        let s = try prepare(script: script)
        periodNs = 250_000_000   // a 4 Hz display clock: 16 session minutes in 3840 frames
        let frames = 4 * 60 * 16
        // At 9:00 the patient holds both grips: the headset reports an opt-out.
        let optOutFrame = 9 * 60 * 4
        for i in 0..<frames {
            _ = s.conductor.frame(moment(i), headset: i == optOutFrame ? [SessionInput(.patient(.optOut), from: .headset)] : [])
        }
        XCTAssertGreaterThanOrEqual(s.conductor.engine.currentStepIndex ?? 0, 2, "a habituating patient climbs past floor 2 within 16 minutes")
        try s.finish()
        let record = try s.store.read(s.sessionID)
        XCTAssertEqual(record.poses.count, frames, "one head pose per displayed frame")
        XCTAssertEqual(record.frames.count, frames - 1, "a frame's cost is known when the next frame starts")
        let steps = record.events.filter { $0.kind == EventKind.step }
        XCTAssertGreaterThanOrEqual(steps.count, 3)
        XCTAssertTrue(steps.allSatisfy { ($0.actor == .protocol || $0.actor == .safety) && !$0.reason.isEmpty })
        XCTAssertTrue(steps.contains { $0.actor == .safety }, "coming back after the 9:00 opt-out is one step lower")
        XCTAssertEqual(steps.first?.payload["name"] as? String, s.plan.steps[0].title)
        XCTAssertFalse(record.ratings.filter { $0.kind == .suds }.isEmpty, "SUDS answers are stored as ratings")
        XCTAssertFalse(record.physio.filter { $0.kind == "heart_rate_bpm" }.isEmpty)
        XCTAssertEqual(record.metadata.protocolHash.count, 64)
        XCTAssertEqual(record.metadata.protocolHash,
                       ContentHash.sha256Hex(file: Self.root.appendingPathComponent("Protocols/heights-graded.yaml").path))
        XCTAssertTrue(record.events.allSatisfy { $0.displayTimeNs != nil }, "every event carries the display time")
    }

    func testOptOutShowsTheSafeRoomOnThatFrameAndBlocksEscalation() throws {
        let s = try prepare()
        var i = 0
        for _ in 0..<10 { XCTAssertNotNil(s.conductor.frame(moment(i)).sky, "heights are outdoors"); i += 1 }
        let optOutFrame = s.conductor.frame(moment(i), headset: [SessionInput(.patient(.optOut), from: .headset)])
        i += 1
        XCTAssertNil(optOutFrame.sky, "the frame that carries the opt-out already shows the safe room")
        XCTAssertEqual(s.conductor.world.showing, "safe_room")

        // A therapist tries to raise the level during the opt-out: refused, and recorded with who asked.
        s.conductor.mailbox.post(SessionInput(.therapist(.setIntensity(60, confirm: true)), from: .therapist("therapist-1"), commandID: "c-7"))
        let next = s.conductor.frame(moment(i)); i += 1
        XCTAssertNil(next.sky)
        XCTAssertEqual(s.conductor.engine.intensity, s.plan.steps[0].intensity ?? 0, accuracy: 0.001)
        for _ in 0..<3 { _ = s.conductor.frame(moment(i)); i += 1 }
        let snap = s.conductor.board.latest
        XCTAssertTrue(snap.appliedCommandIDs.contains("c-7"))
        XCTAssertTrue(snap.stateCode.hasPrefix("safe_room"), snap.stateCode)
        XCTAssertFalse(snap.alerts.isEmpty)

        try s.finish()
        let record = try s.store.read(s.sessionID)
        let command = try XCTUnwrap(record.events.first { $0.kind == EventKind.command })
        XCTAssertEqual(command.actor, .therapist)
        XCTAssertEqual(command.payload["sender"] as? String, "therapist-1")
        XCTAssertEqual(command.payload["command_id"] as? String, "c-7")
        XCTAssertTrue(record.events.contains { $0.kind == EventKind.optOut && $0.actor == .patient })
        XCTAssertTrue(record.events.contains { $0.kind == "rejected" && $0.sequence > command.sequence })
        XCTAssertEqual(record.state, .aborted, "a session stopped before its end is not marked completed")
    }

    func testMailboxIsBoundedAndKeepsOrder() {
        let m = Mailbox<Int>(capacity: 3)
        XCTAssertTrue(m.post(1)); XCTAssertTrue(m.post(2)); XCTAssertTrue(m.post(3))
        XCTAssertFalse(m.post(4))
        XCTAssertEqual(m.dropped, 1)
        XCTAssertEqual(m.drain(), [1, 2, 3])
        XCTAssertEqual(m.drain(), [])
        XCTAssertTrue(m.post(5))
        XCTAssertEqual(m.drain(), [5])
    }

    func testContentHashMatchesKnownSHA256() {
        XCTAssertEqual(ContentHash.sha256Hex(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(ContentHash.sha256Hex(Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(ContentHash.sha256Hex(Data(repeating: 0x61, count: 1000)),
                       "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}

final class RatingPanelTests: XCTestCase {
    func testPanelFillFollowsTheRatingAndFacesTheHead() {
        let head = Pose(position: Vec3(0, 1.6, 0), orientation: Quat(axis: Vec3(0, 1, 0), angle: .pi / 2))  // facing -X
        let low = RatingPanel.batch(value: 10, head: head), high = RatingPanel.batch(value: 90, head: head)
        func fillWidth(_ b: DrawBatch) -> Float { (b.instances[1].transform.transformPoint(Vec3(0.5, 0, 0)) - b.instances[1].transform.transformPoint(Vec3(-0.5, 0, 0))).length }
        XCTAssertEqual(fillWidth(low), 0.05, accuracy: 0.001)
        XCTAssertEqual(fillWidth(high), 0.45, accuracy: 0.001)
        let centre = low.instances[0].transform.transformPoint(.zero)
        XCTAssertEqual(centre.x, -RatingPanel.distance, accuracy: 0.01, "in front of a head that faces -X")
        XCTAssertLessThan(centre.y, 1.6)
        XCTAssertGreaterThan(high.instances[1].color.x, low.instances[1].color.x, "redder when distress is higher")
    }
}

extension ConductorTests {
    func testTherapistSUDSRequestStaysAskedUntilAnswered() throws {
        let s = try prepare()
        var i = 0
        func step(_ inputs: [SessionInput] = []) { for input in inputs { s.conductor.mailbox.post(input) }; _ = s.conductor.frame(moment(i)); i += 1 }
        for _ in 0..<3 { step() }
        // Answer the entry prompt so no SUDS is pending from the protocol itself.
        step([SessionInput(.suds(30), from: .headset)])
        XCTAssertFalse(s.conductor.board.latest.prompts.contains("suds"))
        step([SessionInput(request: .askSUDS, from: .therapist("therapist-1"), commandID: "9")])
        for _ in 0..<40 { step() }
        XCTAssertTrue(s.conductor.board.latest.prompts.contains("suds"), "asked until the patient answers")
        step([SessionInput(.suds(25), from: .headset)])
        step()
        XCTAssertFalse(s.conductor.board.latest.prompts.contains("suds"))
        try s.finish()
        let record = try s.store.read(s.sessionID)
        XCTAssertTrue(record.events.contains { $0.kind == "suds_requested" && $0.actor == .therapist })
    }
}
