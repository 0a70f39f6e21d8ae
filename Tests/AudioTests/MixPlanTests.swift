// The engine's plain decisions: fades and which emitters get a voice.
@testable import Audio
import SceneModel
import XCTest

final class MixPlanTests: XCTestCase {
    func testFadeReachesTargetInTheFadeTimeAndStops() {
        var fade = Fade(level: 1, target: 0)
        fade.step(seconds: 0.125, duration: 0.25)
        XCTAssertEqual(fade.level, 0.5, accuracy: 1e-6)
        fade.step(seconds: 0.2, duration: 0.25)
        XCTAssertEqual(fade.level, 0)
        XCTAssertTrue(fade.isSilentAndSettled)
        fade.target = 1
        fade.step(seconds: 1, duration: 0.25)
        XCTAssertEqual(fade.level, 1)
    }

    func testSafeRoomSilencesExposureSoundButKeepsRoomTone() {
        XCTAssertEqual(MixPlan.fadeTarget(kind: .murmur, mode: .safeRoom), 0)
        XCTAssertEqual(MixPlan.fadeTarget(kind: .roomTone, mode: .safeRoom), 1)
        XCTAssertEqual(MixPlan.fadeTarget(kind: .wind, mode: .exposure), 1)
        XCTAssertEqual(MixPlan.fadeTarget(kind: .roomTone, mode: .exposure), 1)
    }

    func testVoiceLimitKeepsAmbientThenLoudestAtTheListener() {
        let emitters = [
            SoundEmitter(id: 1, kind: .murmur, position: Vec3(20, 0, 0), gain: 1),   // far
            SoundEmitter(id: 2, kind: .wind, position: nil, gain: 0.1),               // ambient: always kept
            SoundEmitter(id: 3, kind: .murmur, position: Vec3(1, 0, 0), gain: 1),    // near
            SoundEmitter(id: 4, kind: .murmur, position: Vec3(2, 0, 0), gain: 0.1),  // near but quiet
        ]
        XCTAssertEqual(MixPlan.audible(emitters, listener: .zero, maxVoices: 2).map(\.id), [2, 3])
        XCTAssertEqual(MixPlan.audible(emitters, listener: .zero, maxVoices: 3).map(\.id), [1, 2, 3])
        XCTAssertEqual(MixPlan.audible(emitters, listener: .zero, maxVoices: 10).count, 4)
    }

    func testInvalidAndDuplicateEmittersAreSkipped() {
        let emitters = [
            SoundEmitter(id: 1, kind: .murmur, position: Vec3(.nan, 0, 0), gain: 1),
            SoundEmitter(id: 2, kind: .murmur, position: nil, gain: .infinity),
            SoundEmitter(id: 3, kind: .murmur, position: nil, gain: 0),
            SoundEmitter(id: 4, kind: .birds, position: nil, gain: 0.5),
            SoundEmitter(id: 4, kind: .wind, position: nil, gain: 0.5),
        ]
        let kept = MixPlan.audible(emitters, listener: .zero, maxVoices: 10)
        XCTAssertEqual(kept.map(\.id), [4])
        XCTAssertEqual(kept.first?.kind, .birds)
    }

    func testStartOffsetsSpreadAcrossTheLoop() {
        let offsets = (0..<50).map { MixPlan.startOffset(id: $0, loopLength: 192_000) }
        XCTAssertTrue(offsets.allSatisfy { (0..<192_000).contains($0) })
        XCTAssertGreaterThan(Set(offsets).count, 45)
        XCTAssertEqual(MixPlan.startOffset(id: -3, loopLength: 0), 0)
    }
}
