// Pause and opt-out: exposure sound must be gone (below -40 dB) within 300 ms of rendered audio,
// and the safe room's tone must be there. Also the therapist's master volume and mute.
import Audio
import SceneModel
import XCTest

final class SafeRoomFadeTests: XCTestCase {
    private let exposureScene = [
        SoundEmitter(id: 1, kind: .wind, position: nil, gain: 0.9),
        SoundEmitter(id: 2, kind: .murmur, position: Vec3(1, 1.6, -2), gain: 1),
        SoundEmitter(id: 3, kind: .footsteps, position: Vec3(-1, 0, -1), gain: 1),
        SoundEmitter(id: 4, kind: .traffic, position: Vec3(30, 0, -40), gain: 1),
        SoundEmitter(id: 5, kind: .birds, position: Vec3(-5, 6, -8), gain: 1),
    ]

    /// Plays 0.5 s of `emitters` in exposure mode, switches to the safe room (the session keeps
    /// passing `afterSwitch`), and renders 0.5 s more. Returns (before, after) clips.
    private func switchToSafeRoom(_ emitters: [SoundEmitter], afterSwitch: [SoundEmitter]) throws -> (StereoClip, StereoClip) {
        let engine = try AudioEngine.testLoopback()
        try engine.update(listener: standingHead, emitters: emitters, mode: .exposure)
        let before = try engine.renderClip(seconds: 0.5)
        try engine.update(listener: standingHead, emitters: afterSwitch, mode: .safeRoom)
        var after = StereoClip(samples: [])
        // The session updates every frame (about 11 ms at 90 Hz) while sound renders.
        for _ in 0..<45 {
            after.samples += try engine.render(frames: testRate / 90)
            try engine.update(listener: standingHead, emitters: afterSwitch, mode: .safeRoom)
        }
        return (before, after)
    }

    /// Pause: the exposure scene stays while the safe room comes up. The engine's own room
    /// tone is identical in both renders, so the difference is the exposure sound alone.
    func testPauseFadesExposureSoundOutWithin300ms() throws {
        let (before, withExposure) = try switchToSafeRoom(exposureScene, afterSwitch: exposureScene)
        let (_, roomToneOnly) = try switchToSafeRoom([], afterSwitch: [])
        let exposureAfter = withExposure - roomToneOnly

        let level = before.rms(from: 0.3, to: 0.5)
        XCTAssertGreaterThan(level, 0.005, "exposure sound must be playing before the switch")
        XCTAssertLessThan(decibels(exposureAfter.rms(from: 0.3, to: 0.5) / level), -40)
        // A fade, not a cut: shortly after the switch the exposure sound is still clearly there.
        XCTAssertGreaterThan(decibels(exposureAfter.rms(from: 0, to: 0.05) / level), -12)
    }

    func testRoomToneComesUpInTheSafeRoom() throws {
        let (before, after) = try switchToSafeRoom([], afterSwitch: [])
        XCTAssertLessThan(before.rms(), 1e-6, "no room tone during exposure")
        let tone = after.rms(from: 0.3, to: 0.5)
        XCTAssertGreaterThan(decibels(tone), -50, "room tone present: \(tone)")
        XCTAssertLessThan(decibels(tone), -20, "room tone is quiet: \(tone)")
    }

    /// Opt-out: the session swaps to the safe-room scene, whose only emitter is its room tone.
    /// Departed emitters fade out rather than stop dead, and are gone within 300 ms.
    func testOptOutSceneSwapFadesOldEmittersAndRetiresTheirVoices() throws {
        let safeRoom = [SoundEmitter(id: 90, kind: .roomTone, position: nil, gain: 1)]
        let engine = try AudioEngine.testLoopback()
        try engine.update(listener: standingHead, emitters: exposureScene, mode: .exposure)
        let before = try engine.renderClip(seconds: 0.5)
        try engine.update(listener: standingHead, emitters: safeRoom, mode: .safeRoom)
        XCTAssertEqual(engine.activeVoiceCount, exposureScene.count + 1, "old voices still fading")
        let after = try engine.renderClip(seconds: 0.5)
        XCTAssertEqual(engine.activeVoiceCount, 1, "only the room tone is left")
        let tone = after.rms(from: 0.3, to: 0.5)
        XCTAssertGreaterThan(decibels(tone), -50)
        XCTAssertLessThan(decibels(tone / before.rms(from: 0.3, to: 0.5)), -10)
    }

    /// Environments number their emitters from 1, so the safe room's room tone may take the id
    /// the heights' wind had: the wind must still fade out, not stop dead.
    func testReusedEmitterIdWithAnotherKindStillFadesOut() throws {
        let heights = [SoundEmitter(id: 1, kind: .wind, position: nil, gain: 1)]
        let safeRoom = [SoundEmitter(id: 1, kind: .roomTone, position: nil, gain: 0.05)]
        let engine = try AudioEngine.testLoopback()
        try engine.update(listener: standingHead, emitters: heights, mode: .exposure)
        let before = try engine.renderClip(seconds: 0.5).rms(from: 0.3)
        try engine.update(listener: standingHead, emitters: safeRoom, mode: .safeRoom)
        XCTAssertEqual(engine.activeVoiceCount, 2, "the wind fades while the room tone comes in")
        let after = try engine.renderClip(seconds: 0.5)
        XCTAssertGreaterThan(decibels(after.rms(from: 0, to: 0.03) / before), -6, "no cut")
        XCTAssertLessThan(decibels(after.rms(from: 0.3, to: 0.5) / before), -30, "wind gone")
        XCTAssertEqual(engine.activeVoiceCount, 1)
    }

    func testManySceneChangesNeverRunOutOfSources() throws {
        let engine = try AudioEngine.testLoopback(maxVoices: 4)
        for round in 0..<30 {
            let scene = (0..<6).map { SoundEmitter(id: round * 10 + $0, kind: .footsteps, position: Vec3(Float($0), 0, -2), gain: 1) }
            try engine.update(listener: standingHead, emitters: scene, mode: .exposure)
            _ = try engine.render(frames: 240)
        }
        XCTAssertLessThanOrEqual(engine.activeVoiceCount, 4 * 2 + 6)
        _ = try engine.render(frames: testRate / 2)
        XCTAssertEqual(engine.activeVoiceCount, 4)
    }

    func testBackToExposureFadesTheEnvironmentIn() throws {
        let engine = try AudioEngine.testLoopback()
        try engine.update(listener: standingHead, emitters: exposureScene, mode: .safeRoom)
        let paused = try engine.renderClip(seconds: 0.5)
        try engine.update(listener: standingHead, emitters: exposureScene, mode: .exposure)
        let resumed = try engine.renderClip(seconds: 0.5)
        XCTAssertGreaterThan(decibels(resumed.rms(from: 0.3, to: 0.5) / paused.rms(from: 0.3, to: 0.5)), 10)
    }

    func testMasterVolumeScalesTheOutput() throws {
        func render(volume: Float) throws -> Float {
            let engine = try AudioEngine.testLoopback()
            engine.setMasterVolume(volume)
            try engine.update(listener: standingHead, emitters: exposureScene, mode: .exposure)
            return try engine.renderClip(seconds: 0.5).rms(from: 0.3)
        }
        let full = try render(volume: 1), half = try render(volume: 0.5)
        XCTAssertGreaterThan(full, 0.005)
        XCTAssertEqual(half / full, 0.5, accuracy: 0.05)
    }

    func testMuteSilencesAndUnmuteRestores() throws {
        let engine = try AudioEngine.testLoopback()
        try engine.update(listener: standingHead, emitters: exposureScene, mode: .exposure)
        let playing = try engine.renderClip(seconds: 0.4).rms(from: 0.3)
        engine.setMuted(true)
        XCTAssertTrue(engine.isMuted)
        let muted = try engine.renderClip(seconds: 0.1).rms(from: 0.02)
        engine.setMuted(false)
        let unmuted = try engine.renderClip(seconds: 0.1).rms(from: 0.02)
        XCTAssertGreaterThan(playing, 0.005)
        XCTAssertLessThan(muted, 1e-6)
        XCTAssertGreaterThan(decibels(unmuted / playing), -6)
    }

    func testOutOfRangeVolumeIsClamped() throws {
        let engine = try AudioEngine.testLoopback()
        engine.setMasterVolume(3)
        XCTAssertEqual(engine.currentMasterVolume, 1)
        engine.setMasterVolume(-1)
        XCTAssertEqual(engine.currentMasterVolume, 0)
        engine.setMasterVolume(.nan)
        XCTAssertEqual(engine.currentMasterVolume, 0)
    }

    func testSameInputsGiveTheSameSamples() throws {
        func run() throws -> [Float] {
            let engine = try AudioEngine.testLoopback()
            var out: [Float] = []
            for frame in 0..<20 {
                let head = Pose(position: standingHead.position, orientation: Quat(axis: Vec3(0, 1, 0), angle: Float(frame) * 0.05))
                try engine.update(listener: head, emitters: exposureScene, mode: frame < 12 ? .exposure : .safeRoom)
                out += try engine.render(frames: 960)
            }
            return out
        }
        let a = try run(), b = try run()
        XCTAssertEqual(a.count, 20 * 960 * 2)
        XCTAssertGreaterThan(StereoClip(samples: a).rms(), 0.001)
        XCTAssertEqual(a, b)
    }

    func testRenderOnARealDeviceEngineIsATypedError() throws {
        do {
            let engine = try AudioEngine(output: .defaultDevice)
            XCTAssertThrowsError(try engine.render(frames: 10)) { XCTAssertEqual($0 as? AudioError, .notLoopback) }
        } catch let error as AudioError {
            guard case .noDevice = error else { return XCTFail("unexpected \(error)") }
        }
    }
}
