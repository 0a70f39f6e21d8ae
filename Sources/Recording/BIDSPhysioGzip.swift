// gzip (RFC 1952) for BIDS `*_physio.tsv.gz`, through the system zlib.
import CZlib
import Foundation

enum BIDSPhysioGzip {
    /// The gzip member for `bytes`. The header's modification time is 0, so the same record always
    /// exports to the same bytes (checksums in a data archive stay stable).
    static func compress(_ bytes: [UInt8], for path: String) throws -> [UInt8] {
        guard bytes.count <= Int(UInt32.max) else {
            throw RecordError.export(path: path, detail: "physio table of \(bytes.count) bytes is too large for one gzip call; export fewer samples")
        }
        var stream = z_stream()
        // windowBits 15 + 16: a gzip wrapper instead of zlib's own.
        var rc = deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                               zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            throw RecordError.export(path: path, detail: "zlib deflateInit2 failed (code \(rc)); check that libz is installed (zlib1g)")
        }
        defer { deflateEnd(&stream) }

        var input = bytes
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 3 + 64)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        input.withUnsafeMutableBufferPointer { inBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = uInt(inBuf.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { out -> Int in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    rc = deflate(&stream, Z_FINISH)
                    return out.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
            } while rc == Z_OK
        }
        guard rc == Z_STREAM_END else {
            throw RecordError.export(path: path, detail: "zlib deflate failed (code \(rc)) while compressing the physio table")
        }
        return output
    }

    /// Compresses `text` and writes it atomically to `url`; returns the path written.
    static func write(_ text: String, to url: URL) throws -> String {
        let gz = try compress(Array(text.utf8), for: url.path)
        do { try Data(gz).write(to: url, options: .atomic) } catch {
            throw RecordError.export(path: url.path, detail: error.localizedDescription)
        }
        return url.path
    }
}
