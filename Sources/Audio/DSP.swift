// Small signal-processing parts for the procedural sounds. Everything is seeded and
// deterministic: the same seed gives the same samples on every machine.
import Foundation

/// SplitMix64: tiny, fast, and the same sequence everywhere (unlike the system generator).
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<1.
    mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
    /// Uniform in lo..<hi.
    mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * unit() }
    /// White noise sample in -1..<1.
    mutating func noise() -> Float { unit() * 2 - 1 }
}

/// RBJ biquad (band-pass with constant 0 dB peak gain, or low-pass).
struct Biquad {
    private var b0: Float = 1, b1: Float = 0, b2: Float = 0, a1: Float = 0, a2: Float = 0
    private var x1: Float = 0, x2: Float = 0, y1: Float = 0, y2: Float = 0

    static func bandPass(centre: Float, q: Float, sampleRate: Float) -> Biquad {
        var f = Biquad()
        let w = 2 * Float.pi * centre / sampleRate, alpha = sin(w) / (2 * q), a0 = 1 + alpha
        f.b0 = alpha / a0; f.b1 = 0; f.b2 = -alpha / a0
        f.a1 = -2 * cos(w) / a0; f.a2 = (1 - alpha) / a0
        return f
    }

    static func lowPass(cutoff: Float, q: Float = 0.707, sampleRate: Float) -> Biquad {
        var f = Biquad()
        let w = 2 * Float.pi * cutoff / sampleRate, alpha = sin(w) / (2 * q), c = cos(w), a0 = 1 + alpha
        f.b0 = (1 - c) / 2 / a0; f.b1 = (1 - c) / a0; f.b2 = (1 - c) / 2 / a0
        f.a1 = -2 * c / a0; f.a2 = (1 - alpha) / a0
        return f
    }

    mutating func process(_ x: Float) -> Float {
        let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2 = x1; x1 = x; y2 = y1; y1 = y
        return y
    }
}

/// One-pole low-pass whose cutoff can move every sample (for gusting wind).
struct OnePole {
    private var y: Float = 0
    mutating func process(_ x: Float, cutoff: Float, sampleRate: Float) -> Float {
        let a = 1 - exp(-2 * Float.pi * cutoff / sampleRate)
        y += a * (x - y)
        return y
    }
}

/// Pink noise (Paul Kellet's economy filter): equal energy per octave, a soft "air" sound.
struct PinkNoise {
    private var b0: Float = 0, b1: Float = 0, b2: Float = 0
    mutating func process(white w: Float) -> Float {
        b0 = 0.99765 * b0 + w * 0.0990460
        b1 = 0.96300 * b1 + w * 0.2965164
        b2 = 0.57000 * b2 + w * 1.0526913
        return (b0 + b1 + b2 + w * 0.1848) * 0.25
    }
}

/// Brown (red) noise: leaky integrated white noise, a deep rumble.
struct BrownNoise {
    private var y: Float = 0
    mutating func process(white w: Float) -> Float {
        y = 0.995 * y + 0.05 * w
        return y
    }
}

enum SignalShaping {
    /// Makes `samples` loop without a click: the tail beyond `length` is cross-faded into the head.
    /// `samples.count` must be `length + overlap`.
    static func loopCrossfade(_ samples: [Float], length: Int, overlap: Int) -> [Float] {
        precondition(samples.count == length + overlap && overlap <= length, "internal: crossfade sizes")
        var out = Array(samples[0..<length])
        for i in 0..<overlap {
            let t = Float(i) / Float(overlap)
            out[i] = samples[i] * t + samples[length + i] * (1 - t)
        }
        return out
    }

    static func rms(_ samples: [Float]) -> Float {
        guard !samples.isEmpty else { return 0 }
        return (samples.reduce(0) { $0 + $1 * $1 } / Float(samples.count)).squareRoot()
    }

    /// Scales to `targetRMS`, then pulls the peak under `peakLimit` if needed.
    static func normalize(_ samples: [Float], targetRMS: Float, peakLimit: Float = 0.95) -> [Float] {
        let r = rms(samples)
        guard r > 0 else { return samples }
        var gain = targetRMS / r
        let peak = samples.reduce(0) { max($0, abs($1)) } * gain
        if peak > peakLimit { gain *= peakLimit / peak }
        return samples.map { $0 * gain }
    }

    /// Smoothly interpolated random values, one new value every `period` samples (for gusts, swells).
    static func smoothRandom(count: Int, period: Int, rng: inout SeededRandom) -> [Float] {
        let points = count / max(1, period) + 2
        let knots = (0..<points).map { _ in rng.unit() }
        return (0..<count).map { i in
            let k = i / period, t = Float(i % period) / Float(period)
            let s = t * t * (3 - 2 * t)
            return knots[k] * (1 - s) + knots[k + 1] * s
        }
    }
}
