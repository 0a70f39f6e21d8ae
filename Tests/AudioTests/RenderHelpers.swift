// Shared measuring tools for the loopback tests: RMS per channel over a time window.
import Audio
import Foundation
import SceneModel

let testRate = 48000

struct StereoClip {
    var samples: [Float]   // interleaved L R
    var rate: Int = testRate
    var frames: Int { samples.count / 2 }

    /// RMS of one channel (0 = left, 1 = right) between `from` and `to` seconds into the clip.
    func rms(channel: Int, from: Double = 0, to: Double? = nil) -> Float {
        let a = max(0, Int(from * Double(rate))), b = min(frames, Int((to ?? Double(frames) / Double(rate)) * Double(rate)))
        guard b > a else { return 0 }
        var sum: Double = 0
        for f in a..<b { let s = Double(samples[f * 2 + channel]); sum += s * s }
        return Float((sum / Double(b - a)).squareRoot())
    }
    func rms(from: Double = 0, to: Double? = nil) -> Float {
        let l = rms(channel: 0, from: from, to: to), r = rms(channel: 1, from: from, to: to)
        return ((l * l + r * r) / 2).squareRoot()
    }
    static func - (a: StereoClip, b: StereoClip) -> StereoClip {
        StereoClip(samples: zip(a.samples, b.samples).map { $0 - $1 }, rate: a.rate)
    }
}

func decibels(_ ratio: Float) -> Float { 20 * log10(max(ratio, 1e-12)) }

extension AudioEngine {
    static func testLoopback(hrtf: HRTFRequest = .on, maxVoices: Int = 48) throws -> AudioEngine {
        try AudioEngine(output: .loopback(sampleRate: testRate), hrtf: hrtf, maxVoices: maxVoices)
    }
    func renderClip(seconds: Double) throws -> StereoClip {
        StereoClip(samples: try render(frames: Int(seconds * Double(testRate))))
    }
}

/// The head 1.6 m above the floor at the origin, looking down -Z (OpenXR).
let standingHead = Pose(position: Vec3(0, 1.6, 0))
