// The synthesised loops, uploaded once per device as 16-bit mono AL buffers (mono, so OpenAL
// can place them in 3D). Synthesis is cached for the process: it is the slow part and the
// same seed always gives the same samples.
import COpenAL
import Foundation
import SceneModel

final class SoundBank {
    /// Loops are made at this rate whatever the device rate; OpenAL resamples.
    static let synthesisRate = 48000

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [String: [Float]] = [:]

    /// The loop for `kind`, synthesised on first use and then shared.
    static func samples(_ kind: SoundKind, sampleRate: Int, seed: UInt64) -> [Float] {
        let key = "\(kind.rawValue)/\(sampleRate)/\(seed)"
        cacheLock.lock(); defer { cacheLock.unlock() }
        if let cached = cache[key] { return cached }
        let made = SoundSynthesizer.loop(for: kind, sampleRate: sampleRate, seed: seed)
        cache[key] = made
        return made
    }

    private var buffers: [SoundKind: ALuint] = [:]
    private var lengths: [SoundKind: Int] = [:]

    /// Needs the target context current.
    init(sampleRate: Int, seed: UInt64) throws {
        do {
            for kind in SoundKind.allCases {
                let pcm = Self.samples(kind, sampleRate: sampleRate, seed: seed).map { Int16(max(-1, min(1, $0)) * 32767) }
                var buffer: ALuint = 0
                alGenBuffers(1, &buffer)
                try AL.check("alGenBuffers(\(kind.rawValue))")
                buffers[kind] = buffer
                pcm.withUnsafeBytes { bytes in
                    alBufferData(buffer, AL_FORMAT_MONO16, bytes.baseAddress, ALsizei(bytes.count), ALsizei(sampleRate))
                }
                try AL.check("alBufferData(\(kind.rawValue))")
                lengths[kind] = pcm.count
            }
        } catch {
            release()
            throw error
        }
    }

    func buffer(_ kind: SoundKind) -> ALuint { buffers[kind] ?? 0 }
    func loopLength(_ kind: SoundKind) -> Int { lengths[kind] ?? 0 }

    /// Needs the context current and no source still using the buffers.
    func release() {
        var names = Array(buffers.values)
        alDeleteBuffers(ALsizei(names.count), &names)
        buffers = [:]
    }
}
