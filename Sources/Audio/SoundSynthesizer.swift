// Procedural, seeded sounds for each emitter kind: nothing is downloaded or recorded.
// Each kind is a mono loop of a few seconds; the engine starts every emitter at its own
// offset into the loop so a crowd of murmur sources does not sound like one voice.
import Foundation
import SceneModel

public enum SoundSynthesizer {
    /// Loop length in seconds per kind (long enough that the repeat is not obvious).
    static func loopSeconds(_ kind: SoundKind) -> Float {
        switch kind {
        case .wind: return 6
        case .murmur: return 4
        case .footsteps: return 4
        case .traffic: return 6
        case .birds: return 5
        case .roomTone: return 3
        }
    }

    /// Loudness of the loop at emitter gain 1 (RMS, full scale = 1). Room tone is very quiet by design.
    static func targetRMS(_ kind: SoundKind) -> Float {
        switch kind {
        case .wind: return 0.15
        case .murmur: return 0.12
        case .footsteps: return 0.10
        case .traffic: return 0.10
        case .birds: return 0.06
        case .roomTone: return 0.03
        }
    }

    /// A seamless mono loop for `kind`, samples in -1...1. Same arguments, same samples.
    public static func loop(for kind: SoundKind, sampleRate: Int, seed: UInt64 = 1) -> [Float] {
        let length = Int(loopSeconds(kind) * Float(sampleRate))
        let overlap = sampleRate / 4
        var rng = SeededRandom(seed: seed &* 0x1000_0001 &+ UInt64(SoundKind.allCases.firstIndex(of: kind) ?? 0))
        let raw: [Float]
        let n = length + overlap, sr = Float(sampleRate)
        switch kind {
        case .wind: raw = wind(count: n, sampleRate: sr, rng: &rng)
        case .murmur: raw = murmur(count: n, sampleRate: sr, rng: &rng)
        case .footsteps: raw = footsteps(count: n, sampleRate: sr, rng: &rng)
        case .traffic: raw = traffic(count: n, sampleRate: sr, rng: &rng)
        case .birds: raw = birds(count: n, sampleRate: sr, rng: &rng)
        case .roomTone: raw = roomTone(count: n, sampleRate: sr, rng: &rng)
        }
        let looped = SignalShaping.loopCrossfade(raw, length: length, overlap: overlap)
        return SignalShaping.normalize(looped, targetRMS: targetRMS(kind))
    }

    /// Noise through a low-pass whose cutoff and level follow slow gusts.
    static func wind(count: Int, sampleRate sr: Float, rng: inout SeededRandom) -> [Float] {
        let gust = SignalShaping.smoothRandom(count: count, period: Int(sr * 0.9), rng: &rng)
        var low = OnePole(), body = Biquad.bandPass(centre: 400, q: 0.6, sampleRate: sr)
        return (0..<count).map { i in
            let g = gust[i]
            let filtered = low.process(rng.noise(), cutoff: 250 + 900 * g, sampleRate: sr)
            return (filtered + 0.3 * body.process(filtered)) * (0.35 + 0.65 * g)
        }
    }

    /// Many talkers: band-passed noise "voices" (formant-like bands) gated at syllable rate,
    /// each with its own phrases and pauses.
    static func murmur(count: Int, sampleRate sr: Float, rng: inout SeededRandom) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        for _ in 0..<6 {
            var formant1 = Biquad.bandPass(centre: rng.uniform(300, 700), q: 2.5, sampleRate: sr)
            var formant2 = Biquad.bandPass(centre: rng.uniform(1000, 2200), q: 3, sampleRate: sr)
            let syllable = Int(sr / rng.uniform(3.5, 6))
            let envelope = syllableEnvelope(count: count, syllable: syllable, rng: &rng)
            for i in 0..<count {
                let w = rng.noise()
                out[i] += (formant1.process(w) + 0.5 * formant2.process(w)) * envelope[i]
            }
        }
        return out
    }

    /// On/off syllables with smooth edges, grouped in phrases separated by pauses.
    private static func syllableEnvelope(count: Int, syllable: Int, rng: inout SeededRandom) -> [Float] {
        var env = [Float](repeating: 0, count: count)
        var i = 0
        while i < count {
            let phrase = Int(rng.uniform(3, 9))
            for _ in 0..<phrase where i < count {
                let level = rng.uniform(0.4, 1)
                let len = Int(Float(syllable) * rng.uniform(0.7, 1.3))
                for j in 0..<len where i + j < count {
                    env[i + j] = level * sin(Float.pi * Float(j) / Float(len))
                }
                i += len
            }
            i += Int(Float(syllable) * rng.uniform(1, 4))   // pause between phrases
        }
        return env
    }

    /// Heel thump plus a short filtered scuff, at a walking rate with slight jitter.
    static func footsteps(count: Int, sampleRate sr: Float, rng: inout SeededRandom) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        let stepInterval = sr / 1.9
        var t = rng.uniform(0, stepInterval)
        while Int(t) < count {
            let start = Int(t), len = Int(sr * 0.12)
            var scuff = Biquad.bandPass(centre: rng.uniform(900, 1800), q: 1.2, sampleRate: sr)
            let thump = rng.uniform(70, 110), level = rng.uniform(0.7, 1)
            for j in 0..<len where start + j < count {
                let s = Float(j) / sr
                let click = scuff.process(rng.noise()) * exp(-s / 0.015)
                let body = sin(2 * Float.pi * thump * s) * exp(-s / 0.03)
                out[start + j] += level * (click * 2 + body * 0.8)
            }
            t += stepInterval * rng.uniform(0.92, 1.08)
        }
        return out
    }

    /// Distant traffic: a low brown-noise rumble with slow swells as vehicles pass.
    static func traffic(count: Int, sampleRate sr: Float, rng: inout SeededRandom) -> [Float] {
        let swell = SignalShaping.smoothRandom(count: count, period: Int(sr * 1.5), rng: &rng)
        var brown = BrownNoise(), low = Biquad.lowPass(cutoff: 220, sampleRate: sr)
        var tyre = Biquad.bandPass(centre: 600, q: 0.8, sampleRate: sr)
        return (0..<count).map { i in
            let w = rng.noise()
            return low.process(brown.process(white: w)) * (0.5 + 0.5 * swell[i]) + 0.02 * tyre.process(w) * swell[i]
        }
    }

    /// Groups of short rising or falling chirps with gaps between calls.
    static func birds(count: Int, sampleRate sr: Float, rng: inout SeededRandom) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        var t = Int(rng.uniform(0, 0.5) * sr)
        while t < count {
            let chirps = Int(rng.uniform(2, 6))
            let f0 = rng.uniform(2200, 4000), sweep = rng.uniform(-1500, 2500)
            for _ in 0..<chirps {
                let len = Int(sr * rng.uniform(0.05, 0.14))
                var phase: Float = 0
                for j in 0..<len where t + j < count {
                    let u = Float(j) / Float(len)
                    phase += 2 * Float.pi * (f0 + sweep * u) / sr
                    out[t + j] += sin(phase) * sin(Float.pi * u) * 0.6
                }
                t += len + Int(sr * rng.uniform(0.04, 0.1))
            }
            t += Int(sr * rng.uniform(0.4, 1.6))
        }
        return out
    }

    /// A quiet room: soft pink-noise air plus a faint mains hum (50 Hz and harmonics).
    static func roomTone(count: Int, sampleRate sr: Float, rng: inout SeededRandom) -> [Float] {
        var pink = PinkNoise(), low = Biquad.lowPass(cutoff: 1200, sampleRate: sr)
        return (0..<count).map { i in
            let s = Float(i) / sr
            let hum = 0.5 * sin(2 * Float.pi * 50 * s) + 0.25 * sin(2 * Float.pi * 100 * s) + 0.1 * sin(2 * Float.pi * 150 * s)
            return low.process(pink.process(white: rng.noise())) + 0.05 * hum
        }
    }
}
