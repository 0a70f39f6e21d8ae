import Control
import Foundation
import XCTest

/// set_volume and mute over real sockets: therapist only, validated, rate-limited, applied at
/// once (no frame needed) and shown to every console through telemetry.
final class VolumeCommandTests: XCTestCase {
    func testVolumeAndMuteApplyWithoutAFrameAndReachEveryConsole() async throws {
        let fixture = try await ServerFixture(runFrames: false)
        let observer = try await fixture.observer()
        let therapist = try await fixture.therapist()
        let initial = try await observer.telemetry { _ in true }
        XCTAssertEqual(initial.volume, 1)
        XCTAssertFalse(initial.muted)

        let volumeId = try await therapist.sendCommand(kind: "set_volume", fields: ["volume": 0.25])
        let volumeAck = try await therapist.reply(to: volumeId)
        XCTAssertNotNil(ackSequence(volumeAck), "expected an ack, got \(volumeAck)")
        XCTAssertEqual(fixture.session.latestTelemetry().volume, 0.25, "volume is not held back until the next frame")
        XCTAssertEqual(fixture.session.frameCount, 0)

        let muteId = try await therapist.sendCommand(kind: "mute", fields: ["muted": true])
        let muteAck = try await therapist.reply(to: muteId)
        XCTAssertNotNil(ackSequence(muteAck), "expected an ack, got \(muteAck)")

        let seenByObserver = try await observer.telemetry { $0.muted }
        XCTAssertEqual(seenByObserver.volume, 0.25, "muting keeps the volume")
        let seenByTherapist = try await therapist.telemetry { $0.muted && $0.volume == 0.25 }
        XCTAssertEqual(seenByTherapist.audioOutput, .playing)

        let unmuteId = try await therapist.sendCommand(kind: "mute", fields: ["muted": false])
        let reply1 = try await therapist.reply(to: unmuteId)
        XCTAssertNotNil(ackSequence(reply1))
        let unmuted = try await observer.telemetry { !$0.muted }
        XCTAssertEqual(unmuted.volume, 0.25)

        let audited = fixture.session.auditLog.filter { $0.sender?.role == .therapist }.map(\.kind)
        XCTAssertEqual(audited, ["set_volume", "mute", "mute"])
        await observer.close()
        await therapist.close()
        await fixture.stop()
    }

    func testObserverCannotChangeVolumeOrMute() async throws {
        let fixture = try await ServerFixture()
        let observer = try await fixture.observer()
        for (kind, fields) in [("set_volume", ["volume": 0.1] as [String: Any]), ("mute", ["muted": true])] {
            let id = try await observer.sendCommand(kind: kind, fields: fields)
            let reply = try await observer.reply(to: id)
            XCTAssertEqual(errorCode(reply), .forbidden, "\(kind): \(reply)")
        }
        let telemetry = fixture.session.latestTelemetry()
        XCTAssertEqual(telemetry.volume, 1)
        XCTAssertFalse(telemetry.muted)
        XCTAssertTrue(fixture.session.appliedCommands.isEmpty)
        let refused = fixture.session.auditLog.filter { $0.sender?.role == .observer }
        XCTAssertEqual(refused.map(\.kind), ["set_volume", "mute"])
        XCTAssertTrue(refused.allSatisfy { if case .refused("forbidden", _) = $0.result { return true }; return false })
        await observer.close()
        await fixture.stop()
    }

    func testOutOfRangeVolumeIsRefusedAndChangesNothing() async throws {
        let fixture = try await ServerFixture()
        let therapist = try await fixture.therapist()
        for fields in [["volume": 1.2], ["volume": -0.5], ["volume": "loud"], [:]] as [[String: Any]] {
            let id = try await therapist.sendCommand(kind: "set_volume", fields: fields)
            let reply = try await therapist.reply(to: id)
            guard case .error(let error) = reply else { XCTFail("accepted \(fields): \(reply)"); continue }
            XCTAssertEqual(error.code, .invalidField)
            XCTAssertTrue(error.message.contains("command.volume"), error.message)
        }
        let id = try await therapist.sendCommand(kind: "mute", fields: ["muted": "yes"])
        let reply2 = try await therapist.reply(to: id)
        XCTAssertEqual(errorCode(reply2), .invalidField)
        XCTAssertEqual(fixture.session.latestTelemetry().volume, 1)
        XCTAssertFalse(fixture.session.latestTelemetry().muted)
        await therapist.close()
        await fixture.stop()
    }

    func testVolumeFloodsAreRateLimitedLikeOtherCommands() async throws {
        var configuration = ControlServerConfiguration(port: 0, telemetryHz: 10)
        configuration.commandsPerSecond = 4
        let fixture = try await ServerFixture(configuration: configuration)
        let therapist = try await fixture.therapist()
        var ids: [String] = []
        for index in 0..<12 {
            ids.append(try await therapist.sendCommand(kind: "set_volume", fields: ["volume": Double(index) / 20]))
        }
        var accepted: [Double] = []
        var limited = 0
        for (index, id) in ids.enumerated() {
            let reply = try await therapist.reply(to: id)
            if ackSequence(reply) != nil { accepted.append(Double(index) / 20) }
            if errorCode(reply) == .rateLimited { limited += 1 }
        }
        XCTAssertEqual(accepted.count + limited, 12)
        XCTAssertGreaterThan(limited, 0)
        XCTAssertEqual(fixture.session.latestTelemetry().volume, accepted.last, "the last accepted volume is the one in force")
        await therapist.close()
        await fixture.stop()
    }

    func testTelemetrySaysWhenThereIsNoSoundDevice() async throws {
        let fixture = try await ServerFixture()
        fixture.session.setAudioOutput(.noDevice)
        let therapist = try await fixture.therapist()
        let id = try await therapist.sendCommand(kind: "set_volume", fields: ["volume": 0.5])
        let reply3 = try await therapist.reply(to: id)
        XCTAssertNotNil(ackSequence(reply3), "accepted and remembered even without a device")
        let telemetry = try await therapist.telemetry { $0.volume == 0.5 }
        XCTAssertEqual(telemetry.audioOutput, .noDevice)
        let text = ServerMessage.telemetry(seq: 1, telemetry).jsonText()
        XCTAssertTrue(text.contains(#""audio_output":"no_device""#), text)
        await therapist.close()
        await fixture.stop()
    }
}
