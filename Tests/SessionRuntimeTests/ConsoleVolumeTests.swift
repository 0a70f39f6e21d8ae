import XCTest
import Audio
import Control
import Recording
import SceneModel
@testable import SessionRuntime

/// Volume and mute from the therapist console, end to end: a real session, the control server on
/// loopback, a WebSocket client, and the sound rendered through OpenAL Soft's loopback device.
final class ConsoleVolumeTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let rate = 48000
    var sessions: URL!

    override func setUpWithError() throws {
        sessions = FileManager.default.temporaryDirectory.appendingPathComponent("console-volume-\(UUID().uuidString)")
        _ = FileManager.default.changeCurrentDirectoryPath(Self.root.path)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: sessions) }

    func prepare() throws -> PreparedSession {
        try TestSession.heights(in: sessions, participant: "P-0001", idPrefix: "vol")
    }

    /// Starts the console server for `bridge` on a free loopback port.
    func startServer(_ bridge: ControlBridge) async throws -> (ControlServer, String) {
        let server = try ControlServer(session: bridge, configuration: ControlServerConfiguration(port: 0, telemetryHz: 30))
        let port = try await server.start()
        return (server, "ws://127.0.0.1:\(port)/v1/ws")
    }

    /// RMS over both channels of `seconds` of loopback output.
    func renderRMS(_ engine: AudioEngine, seconds: Double, skip: Double = 0.02) throws -> Float {
        _ = try engine.render(frames: Int(skip * Double(Self.rate)))   // past OpenAL's gain ramp
        let samples = try engine.render(frames: Int(seconds * Double(Self.rate)))
        guard !samples.isEmpty else { return 0 }
        let sum = samples.reduce(Double(0)) { $0 + Double($1) * Double($1) }
        return Float((sum / Double(samples.count)).squareRoot())
    }

    func isAck(_ message: ServerMessage) -> Bool { if case .applied = message { return true }; return false }

    func bool(_ value: Any?) -> Bool? { (value as? Bool) ?? (value as? NSNumber)?.boolValue }

    func testTherapistSetsVolumeAndMutesTheSoundObserverIsRefused() async throws {
        let s = try prepare()
        let engine = try AudioEngine(output: .loopback(sampleRate: Self.rate))
        let sound = SessionSound(engine: engine, warn: { _ in })
        let bridge = ControlBridge(session: s, mirror: nil, sound: sound)
        let (server, url) = try await startServer(bridge)

        sound.update(listener: Pose(position: Vec3(0, 1.6, 0)),
                     emitters: [SoundEmitter(id: 1, kind: .wind, position: nil, gain: 0.8)], safeRoom: false)
        _ = try engine.render(frames: Self.rate * 3 / 10)   // past the 250 ms fade-in
        let full = try renderRMS(engine, seconds: 0.5)
        XCTAssertGreaterThan(full, 0.001, "the wind must be audible before the therapist turns it down")

        let therapist = try await ControlClient.connect(url: url)
        let welcome = try await therapist.hello(token: server.keys.therapistToken)
        let first = try await therapist.telemetry { _ in true }
        XCTAssertEqual(first.volume, 1)
        XCTAssertFalse(first.muted)
        XCTAssertEqual(first.audioOutput, .playing)

        let volumeId = try await therapist.sendCommand(kind: "set_volume", fields: ["volume": 0.25])
        guard case .applied(_, let volumeSeq, _) = try await therapist.reply(to: volumeId) else { return XCTFail("set_volume not acked") }
        // No frame runs in this test: volume does not wait for the frame thread.
        XCTAssertEqual(engine.currentMasterVolume, 0.25)
        let afterVolume = try await therapist.telemetry { $0.lastAppliedCommandSeq >= volumeSeq }
        XCTAssertEqual(afterVolume.volume, 0.25)
        XCTAssertFalse(afterVolume.muted)
        let quieter = try renderRMS(engine, seconds: 0.5)
        XCTAssertEqual(quieter / full, 0.25, accuracy: 0.08, "full \(full) at volume 0.25: \(quieter)")

        let muteId = try await therapist.sendCommand(kind: "mute", fields: ["muted": true])
        guard case .applied(_, let muteSeq, _) = try await therapist.reply(to: muteId) else { return XCTFail("mute not acked") }
        XCTAssertTrue(engine.isMuted)
        XCTAssertEqual(engine.currentMasterVolume, 0.25, "muting keeps the volume")
        let afterMute = try await therapist.telemetry { $0.lastAppliedCommandSeq >= muteSeq }
        XCTAssertTrue(afterMute.muted)
        XCTAssertEqual(afterMute.volume, 0.25)
        let silent = try renderRMS(engine, seconds: 0.3)
        XCTAssertLessThan(silent, full * 0.001, "muted output must be silent: \(silent)")

        let observer = try await ControlClient.connect(url: url)
        try await observer.hello(token: server.keys.observerToken)
        let seenByObserver = try await observer.telemetry { $0.muted }
        XCTAssertEqual(seenByObserver.volume, 0.25)
        let refusedId = try await observer.sendCommand(kind: "set_volume", fields: ["volume": 1])
        guard case .error(let refusal) = try await observer.reply(to: refusedId) else { return XCTFail("observer was not refused") }
        XCTAssertEqual(refusal.code, .forbidden)
        let unmuteId = try await observer.sendCommand(kind: "mute", fields: ["muted": false])
        guard case .error(let unmuteRefusal) = try await observer.reply(to: unmuteId) else { return XCTFail("observer was not refused") }
        XCTAssertEqual(unmuteRefusal.code, .forbidden)
        XCTAssertEqual(engine.currentMasterVolume, 0.25)
        XCTAssertTrue(engine.isMuted)

        await observer.close()
        await therapist.close()
        await server.stop()
        try s.finish()
        engine.close()

        let record = try s.store.read(s.sessionID)
        let audio = record.events.filter { $0.kind == "audio" }
        XCTAssertEqual(audio.count, 2, "one audio event per accepted change; observers' attempts change nothing")
        XCTAssertTrue(audio.allSatisfy { $0.actor == .therapist })
        XCTAssertTrue(audio.allSatisfy { $0.payload["sender"] as? String == welcome.displayName }, "\(audio.map(\.payloadJSON))")
        XCTAssertEqual(audio.first?.number("volume"), 0.25)
        XCTAssertEqual(bool(audio.first?.payload["muted"]), false)
        XCTAssertEqual(bool(audio.last?.payload["muted"]), true)
        XCTAssertEqual(audio.last?.number("volume"), 0.25)
        XCTAssertEqual(audio.first?.payload["command_id"] as? String, String(volumeSeq))
        XCTAssertEqual(audio.first?.payload["audio_output"] as? String, "playing")
        let refusedInRecord = record.events.filter { $0.kind == "control" && $0.payload["refused"] as? String == "forbidden" }
        XCTAssertEqual(refusedInRecord.count, 2, "the observer's attempts are in the audit trail")
    }

    func testWithoutASoundDeviceTheValuesAreRememberedAndTelemetrySaysSo() async throws {
        let s = try prepare()
        XCTAssertNil(s.sound)
        let bridge = ControlBridge(session: s, mirror: nil)
        let (server, url) = try await startServer(bridge)
        let therapist = try await ControlClient.connect(url: url)
        try await therapist.hello(token: server.keys.therapistToken)
        let before = try await therapist.telemetry { _ in true }
        XCTAssertEqual(before.audioOutput, .noDevice)

        let id = try await therapist.sendCommand(kind: "set_volume", fields: ["volume": 0.6])
        let reply1 = try await therapist.reply(to: id)
        XCTAssertTrue(isAck(reply1), "accepted even without a device")
        let muteId = try await therapist.sendCommand(kind: "mute", fields: ["muted": true])
        let reply2 = try await therapist.reply(to: muteId)
        XCTAssertTrue(isAck(reply2))
        let after = try await therapist.telemetry { $0.volume == 0.6 && $0.muted }
        XCTAssertEqual(after.audioOutput, .noDevice)

        await therapist.close()
        await server.stop()
        try s.finish()
        let audio = try s.store.read(s.sessionID).events.filter { $0.kind == "audio" }
        XCTAssertEqual(audio.count, 2)
        XCTAssertTrue(audio.allSatisfy { $0.payload["audio_output"] as? String == "no_device" })
        XCTAssertTrue(audio.allSatisfy { $0.reason.contains("no sound is playing") }, "\(audio.map(\.reason))")
    }

    /// Volume is applied at once, but telemetry confirms sequences in order: a volume change sent
    /// after a pause is not reported as applied while the pause still waits for its frame.
    func testConfirmationKeepsCommandOrder() async throws {
        let s = try prepare()
        let bridge = ControlBridge(session: s, mirror: nil)
        let therapist = Sender(role: .therapist, connectionId: 1)
        let moment = { (i: Int) in FrameMoment(index: i, displayTimeNs: 1_000_000_000 + Int64(i) * 13_888_889, periodNs: 13_888_889,
                                               wallClock: 1_700_000_000, head: Pose(position: Vec3(0, 1.6, 0))) }
        _ = s.conductor.frame(moment(0))   // the session starts running
        // The pause waits for the engine's decision on the next frame; the volume is applied at once.
        let pause = Task { await bridge.submit(.pause, from: therapist) }
        for _ in 0..<500 where s.conductor.mailbox.waiting == 0 { try await Task.sleep(nanoseconds: 2_000_000) }
        guard case .applied(let volumeSeq, _) = await bridge.submit(.setVolume(0.4), from: therapist) else {
            return XCTFail("volume refused")
        }
        let waiting = bridge.latestTelemetry()
        XCTAssertEqual(waiting.volume, 0.4, "volume shows at once")
        XCTAssertLessThan(waiting.lastAppliedCommandSeq, volumeSeq - 1, "the pause has not reached a frame yet")

        _ = s.conductor.frame(moment(1))
        guard case .applied(let pauseSeq, let changes) = await pause.value else { return XCTFail("pause refused") }
        XCTAssertLessThan(pauseSeq, volumeSeq)
        XCTAssertEqual(changes, ["paused"], "the therapist hears what changed")
        XCTAssertEqual(bridge.latestTelemetry().lastAppliedCommandSeq, volumeSeq, "the frame applied the pause; the volume was already settled")
        guard case .applied(let muteSeq, _) = await bridge.submit(.setMuted(true), from: therapist) else { return XCTFail("mute refused") }
        XCTAssertEqual(bridge.latestTelemetry().lastAppliedCommandSeq, muteSeq)
        try s.finish()
    }
}
