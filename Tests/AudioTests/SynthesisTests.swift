// The procedural sounds: seeded, seamless loops with the character each kind should have.
@testable import Audio
import SceneModel
import XCTest

final class SynthesisTests: XCTestCase {
    private let rate = 24000   // half rate keeps these tests quick; the shapes do not depend on it

    func testSameSeedSameSamplesDifferentSeedDifferentSamples() {
        let a = SoundSynthesizer.loop(for: .murmur, sampleRate: rate, seed: 5)
        let b = SoundSynthesizer.loop(for: .murmur, sampleRate: rate, seed: 5)
        let c = SoundSynthesizer.loop(for: .murmur, sampleRate: rate, seed: 6)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testEveryKindIsALoudEnoughBoundedSeamlessLoop() {
        for kind in SoundKind.allCases {
            let s = SoundSynthesizer.loop(for: kind, sampleRate: rate, seed: 1)
            XCTAssertEqual(s.count, Int(SoundSynthesizer.loopSeconds(kind) * Float(rate)), "\(kind)")
            XCTAssertTrue(s.allSatisfy { $0.isFinite && abs($0) <= 0.95 + 1e-6 }, "\(kind) stays in range")
            // At its target level, unless its peaks (footsteps are all transient) hit the limit first.
            let rms = SignalShaping.rms(s), peak = s.map(abs).max() ?? 0, target = SoundSynthesizer.targetRMS(kind)
            XCTAssertTrue(abs(rms - target) < target * 0.01 || (rms < target && abs(peak - 0.95) < 0.001),
                          "\(kind) level: rms \(rms), peak \(peak)")
            XCTAssertGreaterThan(rms, target / 3, "\(kind) audible")
            // Seamless: the jump from the last sample back to the first is like any other step.
            let typicalStep = zip(s.dropFirst(), s).map { abs($0 - $1) }.reduce(0, +) / Float(s.count - 1)
            let wrapStep = abs(s[0] - s[s.count - 1])
            XCTAssertLessThan(wrapStep, max(typicalStep * 8, 0.02), "\(kind) loops without a click")
        }
    }

    func testRoomToneIsTheQuietestSound() {
        let tone = SignalShaping.rms(SoundSynthesizer.loop(for: .roomTone, sampleRate: rate))
        for kind in SoundKind.allCases where kind != .roomTone {
            XCTAssertLessThan(tone, SignalShaping.rms(SoundSynthesizer.loop(for: kind, sampleRate: rate)), "\(kind)")
        }
    }

    /// Footsteps are transients at a walking rate (about 2 per second), not a steady noise.
    func testFootstepsComeAtWalkingRate() {
        let s = SoundSynthesizer.loop(for: .footsteps, sampleRate: rate)
        let window = rate / 50   // 20 ms energy windows
        let energy = stride(from: 0, to: s.count - window, by: window).map { i in s[i..<i + window].reduce(0) { $0 + $1 * $1 } }
        let threshold = (energy.max() ?? 0) * 0.2
        var onsets = 0
        for i in 1..<energy.count where energy[i] > threshold && energy[i - 1] <= threshold { onsets += 1 }
        let perSecond = Float(onsets) / SoundSynthesizer.loopSeconds(.footsteps)
        XCTAssertEqual(perSecond, 1.9, accuracy: 0.6)
    }

    /// Murmur comes and goes at syllable rate: its 20 ms envelope varies far more than steady wind.
    func testMurmurIsModulatedAndTrafficIsLowPitched() {
        func envelopeVariation(_ s: [Float]) -> Float {
            let w = rate / 50
            let env = stride(from: 0, to: s.count - w, by: w).map { SignalShaping.rms(Array(s[$0..<$0 + w])) }
            let mean = env.reduce(0, +) / Float(env.count)
            return (env.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(env.count)).squareRoot() / mean
        }
        let murmur = SoundSynthesizer.loop(for: .murmur, sampleRate: rate)
        XCTAssertGreaterThan(envelopeVariation(murmur), 0.2)

        // Zero crossings per second as a rough pitch: traffic rumbles low, birds sing high.
        func crossings(_ s: [Float]) -> Float {
            Float(zip(s.dropFirst(), s).filter { ($0 < 0) != ($1 < 0) }.count) / (Float(s.count) / Float(rate))
        }
        let traffic = crossings(SoundSynthesizer.loop(for: .traffic, sampleRate: rate))
        let birds = crossings(SoundSynthesizer.loop(for: .birds, sampleRate: rate).filter { abs($0) > 0.01 })
        XCTAssertLessThan(traffic, 600)
        XCTAssertGreaterThan(birds, 3000)
    }
}
