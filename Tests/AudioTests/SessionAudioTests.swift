// The session's view of audio: it plays when it can, and runs on silently with one warning when it cannot.
import Audio
import Foundation
import SceneModel
import XCTest

final class SessionAudioTests: XCTestCase {
    private final class Warnings: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
    }

    func testNoDeviceMeansSilentSessionWithOneWarning() {
        let probe = AudioDeviceProbe.probe()
        let warnings = Warnings()
        let audio = SessionAudio(output: .defaultDevice) { warnings.add($0) }
        if probe.isUsable {
            XCTAssertTrue(audio.isPlaying)
            XCTAssertNil(audio.warning)
        } else {
            XCTAssertFalse(audio.isPlaying)
            XCTAssertEqual(warnings.all.count, 1)
            XCTAssertEqual(audio.warning, warnings.all.first)
            XCTAssertTrue(audio.warning?.contains(probe.problem ?? "<none>") ?? false, audio.warning ?? "")
        }
        // The session carries on: updates and console commands are accepted either way.
        for _ in 0..<3 {
            audio.update(listener: standingHead, emitters: [SoundEmitter(id: 1, kind: .wind, position: nil, gain: 1)], safeRoom: false)
        }
        audio.setMasterVolume(0.4)
        audio.setMuted(true)
        XCTAssertEqual(audio.currentMasterVolume, 0.4, accuracy: 1e-6)
        XCTAssertTrue(audio.isMuted)
        XCTAssertLessThanOrEqual(warnings.all.count, 1)
    }

    func testWrappedEngineFollowsSafeRoomFlagAndConsoleSettings() throws {
        let engine = try AudioEngine.testLoopback()
        let audio = SessionAudio(engine: engine)
        let scene = [SoundEmitter(id: 1, kind: .murmur, position: Vec3(0, 1.6, -2), gain: 1)]
        audio.update(listener: standingHead, emitters: scene, safeRoom: false)
        let exposed = try engine.renderClip(seconds: 0.5).rms(from: 0.3)
        audio.setMasterVolume(0.5)
        let halved = try engine.renderClip(seconds: 0.1).rms(from: 0.02)
        audio.update(listener: standingHead, emitters: scene, safeRoom: true)
        _ = try engine.renderClip(seconds: 0.3)
        audio.setMasterVolume(1)
        let safe = try engine.renderClip(seconds: 0.2).rms()
        XCTAssertGreaterThan(exposed, 0.005)
        XCTAssertEqual(halved / exposed, 0.5, accuracy: 0.1)
        XCTAssertLessThan(decibels(safe / exposed), -10, "murmur gone, only the quiet room tone")
        XCTAssertTrue(audio.isPlaying)
        XCTAssertEqual(audio.hrtfStatus, .enabled)
    }
}
