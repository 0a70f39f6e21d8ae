import Control
import ExposureCore
import Foundation
import XCTest

/// enter_rating over real sockets: the therapist types in the patient's spoken SUDS/FMS/expectancy
/// or a whole SSQ; observers are refused, bad answers are refused naming the field, floods are limited.
final class RatingCommandTests: XCTestCase {
    static let ssq = [0, 1, 0, 2, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 1, 0]

    func testEveryRatingKindIsAckedAndReachesTheSession() async throws {
        let fixture = try await ServerFixture()
        let therapist = try await fixture.therapist()
        let sent: [(String, [String: Any], ConsoleRating)] = [
            ("suds", ["value": 40], .suds(40)), ("fms", ["value": 3], .fms(3)),
            ("expectancy_before", ["value": 80], .expectancyBefore(80)), ("expectancy_after", ["value": 25.5], .expectancyAfter(25.5)),
            ("ssq_pre", ["items": Self.ssq], .ssqPre(Self.ssq)), ("ssq_post", ["items": Array(repeating: 3, count: 16)], .ssqPost(Array(repeating: 3, count: 16))),
        ]
        var last: UInt64 = 0
        for (kind, fields, _) in sent {
            var f = fields
            f["rating"] = kind
            let id = try await therapist.sendCommand(kind: "enter_rating", fields: f)
            let reply = try await therapist.reply(to: id)
            last = try XCTUnwrap(ackSequence(reply), "\(kind): \(reply)")
        }
        let telemetry = try await therapist.telemetry { $0.lastAppliedCommandSeq >= last }
        XCTAssertEqual(telemetry.suds.last?.value, 40)
        XCTAssertEqual(telemetry.fms.last?.value, 3)
        let applied = fixture.session.appliedCommands.map(\.command)
        XCTAssertEqual(applied, sent.map { ControlCommand.enterRating($0.2) })
        XCTAssertTrue(fixture.session.appliedCommands.allSatisfy { $0.sender.role == .therapist })
        await therapist.close()
        await fixture.stop()
    }

    func testObserverCannotEnterRatings() async throws {
        let fixture = try await ServerFixture()
        let observer = try await fixture.observer()
        for fields in [["rating": "suds", "value": 50], ["rating": "ssq_pre", "items": Self.ssq]] as [[String: Any]] {
            let id = try await observer.sendCommand(kind: "enter_rating", fields: fields)
            let reply = try await observer.reply(to: id)
            XCTAssertEqual(errorCode(reply), .forbidden, "\(fields): \(reply)")
        }
        XCTAssertTrue(fixture.session.appliedCommands.isEmpty)
        XCTAssertTrue(fixture.session.latestTelemetry().suds.isEmpty)
        await observer.close()
        await fixture.stop()
    }

    func testBadRatingsAreRefusedNamingTheField() async throws {
        let fixture = try await ServerFixture()
        let therapist = try await fixture.therapist()
        var tooHigh = Self.ssq
        tooHigh[7] = 4
        let cases: [([String: Any], String, String)] = [
            (["value": 40], "command.rating", "required"),
            (["rating": "mood", "value": 4], "command.rating", "ssq_post"),
            (["rating": "suds", "value": 101], "command.value", "SUDS"),
            (["rating": "suds", "value": -1], "command.value", "0.0-100.0"),
            (["rating": "suds"], "command.value", "required"),
            (["rating": "fms", "value": 21], "command.value", "FMS"),
            (["rating": "expectancy_after", "value": "high"], "command.value", "number"),
            (["rating": "ssq_pre"], "command.items", "16"),
            (["rating": "ssq_pre", "items": [1, 2, 3]], "command.items", "expected 16 item answers, got 3"),
            (["rating": "ssq_post", "items": tooHigh], "command.items", "'Nausea' answered 4"),
            (["rating": "ssq_post", "items": [0, 0, 0, 0, 0, 1.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]], "command.items[5]", "whole number"),
            (["rating": "ssq_post", "items": "0000000000000000"], "command.items", "array"),
        ]
        for (fields, field, words) in cases {
            let id = try await therapist.sendCommand(kind: "enter_rating", fields: fields)
            let reply = try await therapist.reply(to: id)
            guard case .error(let error) = reply else { XCTFail("accepted \(fields): \(reply)"); continue }
            XCTAssertEqual(error.code, .invalidField, "\(fields)")
            XCTAssertTrue(error.message.contains("\"\(field)\""), "\(fields): \(error.message)")
            XCTAssertTrue(error.message.contains(words), "\(fields): \(error.message)")
        }
        XCTAssertTrue(fixture.session.appliedCommands.isEmpty)
        await therapist.close()
        await fixture.stop()
    }

    func testRatingFloodsAreRateLimited() async throws {
        var configuration = ControlServerConfiguration(port: 0, telemetryHz: 10)
        configuration.commandsPerSecond = 4
        let fixture = try await ServerFixture(configuration: configuration)
        let therapist = try await fixture.therapist()
        var ids: [String] = []
        for index in 0..<12 {
            ids.append(try await therapist.sendCommand(kind: "enter_rating", fields: ["rating": "suds", "value": index]))
        }
        var accepted = 0, limited = 0
        for id in ids {
            let reply = try await therapist.reply(to: id)
            if ackSequence(reply) != nil { accepted += 1 }
            if errorCode(reply) == .rateLimited { limited += 1 }
        }
        XCTAssertEqual(accepted + limited, 12)
        XCTAssertGreaterThan(limited, 0)
        await therapist.close()
        await fixture.stop()
    }

    func testTelemetryCarriesThePromptsTheSessionIsAsking() throws {
        let t = Telemetry(sessionId: "s", state: .running, elapsed: 1, step: StepInfo(index: 0, count: 1, name: "a"),
                          intensity: 0, intensityStepLimit: 10, frameHealth: FrameHealth(frameRate: 72, missedFrames: 0, cpuMilliseconds: 1),
                          prompts: ["suds", "fms"])
        let text = ServerMessage.telemetry(seq: 1, t).jsonText()
        XCTAssertTrue(text.contains(#""prompts":["suds","fms"]"#), text)
        guard case .telemetry(_, let back) = try ServerMessage.parse(text) else { return XCTFail(text) }
        XCTAssertEqual(back.prompts, ["suds", "fms"])
    }
}
