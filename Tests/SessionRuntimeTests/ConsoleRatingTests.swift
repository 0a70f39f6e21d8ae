// Ratings typed in by the therapist at the console, against a real heights session stepped frame
// by frame: SUDS and FMS reach the engine (which judges them like headset ratings), SSQ before and
// after are scored and recorded, the record says they came from the console, and the clinician's
// report shows the SSQ table.
import Control
import ExposureCore
import Foundation
import Recording
import XCTest
@testable import SessionRuntime

final class ConsoleRatingTests: XCTestCase {
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("rating-sessions-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    func prepare() throws -> PreparedSession {
        try TestSession.heights(in: sessions, participant: "P-0098", idPrefix: "ratings")
    }

    static let ssqBefore = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    static let ssqAfter = [2, 1, 1, 2, 1, 0, 1, 2, 1, 0, 1, 1, 0, 1, 2, 0]

    func testTherapistEntersSUDSFMSAndBothSSQsAndTheRecordAndReportKeepThem() async throws {
        let session = try prepare()
        let frames = FrameDriver(conductor: session.conductor)
        frames.start()
        var options = ConsoleOptions()
        options.port = 0
        options.telemetryHz = 30
        let host = try ConsoleHost(session: session, mirror: nil, options: options)
        let port = try await onThread { try host.start() }
        let url = "ws://127.0.0.1:\(port)/v1/ws"
        let therapist = try await ControlClient.connect(url: url)
        _ = try await therapist.hello(token: host.server.keys.therapistToken)
        _ = try await therapist.telemetry { $0.state == .running }

        var lastSeq: UInt64 = 0
        for (rating, fields) in [("ssq_pre", ["items": Self.ssqBefore]), ("suds", ["value": 40]), ("fms", ["value": 3]),
                                 ("ssq_post", ["items": Self.ssqAfter])] as [(String, [String: Any])] {
            var f = fields
            f["rating"] = rating
            let id = try await therapist.sendCommand(kind: "enter_rating", fields: f)
            let reply = try await therapist.reply(to: id)
            guard case .applied(_, let seq, _) = reply else { return XCTFail("\(rating) was not accepted: \(reply)") }
            lastSeq = seq
        }
        let applied = try await therapist.telemetry { $0.lastAppliedCommandSeq >= lastSeq }
        XCTAssertEqual(applied.suds.last?.value, 40, "the engine took the SUDS: telemetry's SUDS history shows it")
        XCTAssertEqual(applied.fms.last?.value, 3)

        // A refused rating (out of range) names the field and changes nothing.
        let bad = try await therapist.sendCommand(kind: "enter_rating", fields: ["rating": "suds", "value": 140])
        let badReply = try await therapist.reply(to: bad)
        guard case .error(let badError) = badReply else { return XCTFail("SUDS 140 accepted: \(badReply)") }
        XCTAssertEqual(badError.code, .invalidField)
        XCTAssertTrue(badError.message.contains("command.value"), badError.message)

        await therapist.close()
        try await onThread { host.stop() }
        frames.stop()
        try session.finish()

        let record = try session.store.read(session.sessionID)
        let suds = record.ratings.filter { $0.kind == .suds }
        XCTAssertEqual(suds.map(\.value), [40])
        XCTAssertEqual(suds.map(\.source), ["console"])
        let fms = record.ratings.filter { $0.kind == .fms }
        XCTAssertEqual(fms.map(\.value), [3])
        XCTAssertEqual(fms.map(\.source), ["console"])
        // The engine judged the SUDS and FMS: both show as rating events mapped from ratingRecorded.
        let ratingEvents = record.events.filter { $0.kind == "rating" }
        XCTAssertTrue(ratingEvents.contains { ($0.payload["rating"] as? String) == "suds" && ($0.payload["value"] as? NSNumber)?.doubleValue == 40 },
                      "\(ratingEvents.map(\.payloadJSON))")
        XCTAssertTrue(ratingEvents.contains { ($0.payload["rating"] as? String) == "fms" && ($0.payload["value"] as? NSNumber)?.doubleValue == 3 })

        let pre = try XCTUnwrap(record.ratings.first { $0.kind == .ssqPre }, "\(record.ratings)")
        let post = try XCTUnwrap(record.ratings.first { $0.kind == .ssqPost })
        XCTAssertEqual(pre.items, Self.ssqBefore)
        XCTAssertEqual(post.items, Self.ssqAfter)
        XCTAssertEqual(pre.value, try SSQ.score(Self.ssqBefore).total, accuracy: 1e-9)
        XCTAssertEqual(post.value, try SSQ.score(Self.ssqAfter).total, accuracy: 1e-9)
        XCTAssertGreaterThan(post.value, pre.value)
        XCTAssertEqual([pre.source, post.source], ["console", "console"])
        let ssqEvents = ratingEvents.filter { ($0.payload["rating"] as? String)?.hasPrefix("ssq") == true }
        XCTAssertEqual(ssqEvents.count, 2)
        XCTAssertTrue(ssqEvents.allSatisfy { $0.actor == .therapist })

        let html = SessionReport.html(record)
        XCTAssertTrue(html.contains("<table class=\"ssq\">"), "the report has no SSQ table")
        let postScore = try SSQ.score(Self.ssqAfter)
        XCTAssertTrue(html.contains("<tr><td>Before</td>"))
        XCTAssertTrue(html.contains("<tr><td>After</td>"))
        XCTAssertTrue(html.contains(String(format: "<td>%.2f</td>", postScore.total)), "post total missing from the report")
        XCTAssertTrue(html.contains(String(format: "<td>%.2f</td>", try SSQ.score(Self.ssqBefore).total)))
    }

    /// The prompts the engine asks (SUDS on entering a floor, FMS every minute) reach telemetry, and
    /// the therapist's typed-in FMS answers the FMS prompt.
    func testTelemetryShowsTheEnginePromptsAndAConsoleFMSAnswersIt() async throws {
        let session = try prepare()
        let bridge = ControlBridge(session: session, mirror: nil, sound: nil)
        var i = 0
        // The heights protocol asks FMS every 60 s of exposure; stop once it does (or give up at 3 minutes).
        while !session.conductor.board.latest.prompts.contains("fms") && i < 72 * 180 {
            _ = session.conductor.frame(FrameDriver.moment(i)); i += 1
        }
        let asked = bridge.latestTelemetry().prompts
        XCTAssertTrue(asked.contains("fms"), "no FMS prompt after \(i) frames: \(asked)")
        // The engine names a prompt on one tick; the console keeps showing it until it is answered.
        for _ in 0..<36 { _ = session.conductor.frame(FrameDriver.moment(i)); i += 1 }
        XCTAssertTrue(bridge.latestTelemetry().prompts.contains("fms"), "the FMS prompt vanished unanswered")
        let outcome = await submitAndRunOneFrame(bridge, session, .enterRating(.fms(2)),
                                                 from: Sender(role: .therapist, connectionId: 1, displayName: "therapist-1")) {
            _ = session.conductor.frame(FrameDriver.moment(i)); i += 1
        }
        guard case .applied = outcome else { return XCTFail("\(outcome)") }
        for _ in 0..<3 { _ = session.conductor.frame(FrameDriver.moment(i)); i += 1 }
        let after = bridge.latestTelemetry()
        XCTAssertFalse(after.prompts.contains("fms"), "the FMS prompt stayed after the answer: \(after.prompts)")
        XCTAssertEqual(after.fms.last?.value, 2)
        try session.finish()
        let record = try session.store.read(session.sessionID)
        XCTAssertEqual(record.ratings.filter { $0.kind == .fms }.map(\.source), ["console"])
    }

    /// The mapping from console ratings to session inputs: engine ratings go to the engine, SSQ
    /// to the conductor; a therapist's rating is recorded as from the console.
    func testConsoleRatingsBecomeEngineInputsOrSSQRequests() {
        XCTAssertEqual(ControlBridge.action(.enterRating(.suds(40)))?.engineInput, .suds(40))
        XCTAssertEqual(ControlBridge.action(.enterRating(.fms(3)))?.engineInput, .fms(3))
        XCTAssertEqual(ControlBridge.action(.enterRating(.expectancyBefore(70)))?.engineInput, .expectancy(70, .before))
        XCTAssertEqual(ControlBridge.action(.enterRating(.expectancyAfter(20)))?.engineInput, .expectancy(20, .after))
        guard case .ssq(let items, let moment)? = ControlBridge.action(.enterRating(.ssqPost(Self.ssqAfter))) else {
            return XCTFail("SSQ post is not an SSQ request")
        }
        XCTAssertEqual(items, Self.ssqAfter)
        XCTAssertEqual(moment, .after)
        XCTAssertEqual(SessionInput.Origin.therapist("therapist-3").ratingSource, "console")
        XCTAssertEqual(SessionInput.Origin.headset.ratingSource, "headset")
    }
}

private extension SessionInput.Action {
    var engineInput: EngineInput? { if case .engine(let i) = self { return i }; return nil }
}
