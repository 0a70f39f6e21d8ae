// Sound rendered through OpenAL Soft's loopback device, faster than real time: where a sound
// is, and how loud the crowd gets, must show in the samples.
import Audio
import SceneModel
import XCTest

final class SpatialRenderTests: XCTestCase {
    /// Renders `seconds` of one placed emitter heard from `head`, after the fade-in has settled.
    private func renderSettled(_ emitters: [SoundEmitter], head: Pose = standingHead, hrtf: HRTFRequest = .on,
                               seconds: Double = 0.5) throws -> StereoClip {
        let engine = try AudioEngine.testLoopback(hrtf: hrtf)
        try engine.update(listener: head, emitters: emitters, mode: .exposure)
        _ = try engine.render(frames: testRate * 3 / 10)   // past the 250 ms fade-in
        return try engine.renderClip(seconds: seconds)
    }

    func testHRTFIsOnForTheLoopbackHeadphoneMix() throws {
        let engine = try AudioEngine.testLoopback()
        XCTAssertTrue(engine.hrtfEnabled, "HRTF status \(engine.hrtfStatus)")
        XCTAssertNotNil(engine.hrtfName)
        let plain = try AudioEngine.testLoopback(hrtf: .off)
        XCTAssertFalse(plain.hrtfEnabled)
    }

    func testEmitterOnTheLeftIsLouderInTheLeftChannel() throws {
        let left = SoundEmitter(id: 1, kind: .murmur, position: Vec3(-2, 1.6, 0), gain: 1)
        let clip = try renderSettled([left])
        let l = clip.rms(channel: 0), r = clip.rms(channel: 1)
        XCTAssertGreaterThan(l, 0.001, "the emitter must be audible")
        XCTAssertGreaterThan(decibels(l / r), 3, "left \(l) right \(r)")
    }

    func testEmitterOnTheRightIsLouderInTheRightChannel() throws {
        let right = SoundEmitter(id: 7, kind: .wind, position: Vec3(2, 1.6, -0.5), gain: 1)
        let clip = try renderSettled([right])
        let l = clip.rms(channel: 0), r = clip.rms(channel: 1)
        XCTAssertGreaterThan(r, 0.001)
        XCTAssertGreaterThan(decibels(r / l), 3, "left \(l) right \(r)")
    }

    func testStereoPanningWithoutHRTFStillPlacesTheSound() throws {
        let left = SoundEmitter(id: 1, kind: .wind, position: Vec3(-2, 1.6, 0), gain: 1)
        let clip = try renderSettled([left], hrtf: .off)
        XCTAssertGreaterThan(decibels(clip.rms(channel: 0) / clip.rms(channel: 1)), 6)
    }

    /// The listener follows the head: turned round (yaw 180 degrees), a sound on the world's left
    /// is on the patient's right.
    func testListenerFollowsHeadOrientation() throws {
        let left = SoundEmitter(id: 1, kind: .murmur, position: Vec3(-2, 1.6, 0), gain: 1)
        let turned = Pose(position: standingHead.position, orientation: Quat(axis: Vec3(0, 1, 0), angle: .pi))
        let clip = try renderSettled([left], head: turned)
        XCTAssertGreaterThan(decibels(clip.rms(channel: 1) / clip.rms(channel: 0)), 3)

        // Turned 90 degrees to the left (yaw +90 about +Y), what was straight ahead is on the right.
        let ahead = SoundEmitter(id: 1, kind: .murmur, position: Vec3(0, 1.6, -2), gain: 1)
        let turnedLeft = Pose(position: standingHead.position, orientation: Quat(axis: Vec3(0, 1, 0), angle: .pi / 2))
        let quarter = try renderSettled([ahead], head: turnedLeft)
        XCTAssertGreaterThan(decibels(quarter.rms(channel: 1) / quarter.rms(channel: 0)), 3)
    }

    /// The listener follows the head's position too: walk past the emitter and it changes side.
    func testListenerFollowsHeadPosition() throws {
        let emitter = SoundEmitter(id: 3, kind: .murmur, position: Vec3(0, 1.6, 0), gain: 1)
        let westOfIt = Pose(position: Vec3(-2, 1.6, 0))
        let clip = try renderSettled([emitter], head: westOfIt)
        XCTAssertGreaterThan(decibels(clip.rms(channel: 1) / clip.rms(channel: 0)), 3)
    }

    /// Lost tracking can hand over NaNs: the last good pose stays, and nothing throws or goes silent.
    func testNaNHeadPoseKeepsTheLastGoodPose() throws {
        let engine = try AudioEngine.testLoopback()
        let left = [SoundEmitter(id: 1, kind: .murmur, position: Vec3(-2, 1.6, 0), gain: 1)]
        try engine.update(listener: standingHead, emitters: left, mode: .exposure)
        _ = try engine.render(frames: testRate * 3 / 10)
        let lost = Pose(position: Vec3(.nan, 1.6, 0), orientation: Quat(x: .nan, y: 0, z: 0, w: 1))
        try engine.update(listener: lost, emitters: left, mode: .exposure)
        let clip = try engine.renderClip(seconds: 0.3)
        XCTAssertTrue(clip.samples.allSatisfy(\.isFinite))
        XCTAssertGreaterThan(decibels(clip.rms(channel: 0) / clip.rms(channel: 1)), 3)
    }

    func testAmbientEmitterIsCentred() throws {
        let wind = SoundEmitter(id: 2, kind: .wind, position: nil, gain: 1)
        let clip = try renderSettled([wind])
        XCTAssertGreaterThan(clip.rms(), 0.01)
        XCTAssertLessThan(abs(decibels(clip.rms(channel: 0) / clip.rms(channel: 1))), 1.5)
    }

    private func crowd(count: Int, distance: Float) -> [SoundEmitter] {
        (0..<count).map { i in
            let angle = Float(i) / Float(count) * 2 * .pi
            return SoundEmitter(id: 100 + i, kind: .murmur,
                                position: Vec3(distance * cos(angle), 1.6, distance * sin(angle)), gain: 0.8)
        }
    }

    func testMurmurRisesWithCrowdDensity() throws {
        let sparse = try renderSettled(crowd(count: 3, distance: 5)).rms()
        let dense = try renderSettled(crowd(count: 12, distance: 5)).rms()
        XCTAssertGreaterThan(sparse, 0.0005)
        // Incoherent voices add in power: 4x the people is about +6 dB.
        XCTAssertGreaterThan(decibels(dense / sparse), 4, "sparse \(sparse) dense \(dense)")
    }

    func testMurmurRisesAsTheCrowdComesCloser() throws {
        let far = try renderSettled(crowd(count: 6, distance: 8)).rms()
        let near = try renderSettled(crowd(count: 6, distance: 1.5)).rms()
        XCTAssertGreaterThan(decibels(near / far), 10, "far \(far) near \(near)")
    }

    func testVoiceLimitKeepsTheNearestEmitters() throws {
        let engine = try AudioEngine.testLoopback(maxVoices: 4)
        try engine.update(listener: standingHead, emitters: crowd(count: 20, distance: 3), mode: .exposure)
        XCTAssertEqual(engine.activeVoiceCount, 4)
        let clip = try engine.renderClip(seconds: 0.4)
        XCTAssertGreaterThan(clip.rms(from: 0.3), 0.001)
    }
}
