// Writes rendered sound as a 16-bit PCM WAV file, for listening to what a session sounds like.
import Foundation

public enum WAVWriter {
    /// The bytes of a canonical 44-byte-header WAV file. `samples` are interleaved, -1...1 (clipped).
    public static func encode(samples: [Float], channels: Int = 2, sampleRate: Int) -> Data {
        let dataBytes = samples.count * 2
        var d = Data(capacity: 44 + dataBytes)
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: Array("RIFF".utf8)); u32(36 + dataBytes)
        d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16)
        u16(1)                                   // PCM
        u16(channels); u32(sampleRate)
        u32(sampleRate * channels * 2)           // byte rate
        u16(channels * 2); u16(16)               // block align, bits per sample
        d.append(contentsOf: Array("data".utf8)); u32(dataBytes)
        for s in samples {
            let clipped = s.isFinite ? max(-1, min(1, s)) : 0
            withUnsafeBytes(of: Int16(clipped * 32767).littleEndian) { d.append(contentsOf: $0) }
        }
        return d
    }

    public static func write(samples: [Float], channels: Int = 2, sampleRate: Int, to url: URL) throws {
        do {
            try encode(samples: samples, channels: channels, sampleRate: sampleRate).write(to: url, options: .atomic)
        } catch {
            throw AudioError.wavWrite(path: url.path, reason: error.localizedDescription)
        }
    }
}
