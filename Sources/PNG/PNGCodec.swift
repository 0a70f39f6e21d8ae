// Minimal PNG writer and reader (8-bit RGBA and RGB, non-interlaced) on zlib.
// Enough for screenshots, saved headset frames and the pixel assertions in tests.
import CZlib
import Foundation

public enum PNGError: Error, CustomStringConvertible, Equatable {
    case notPNG
    case truncated(String)
    case unsupported(String)
    case zlib(call: String, code: Int32)
    case crcMismatch(chunk: String)

    public var description: String {
        switch self {
        case .notPNG: return "not a PNG file (bad signature)"
        case .truncated(let what): return "PNG is truncated: \(what)"
        case .unsupported(let what): return "PNG feature not supported: \(what)"
        case .zlib(let call, let code): return "zlib \(call) failed with code \(code)"
        case .crcMismatch(let chunk): return "PNG chunk \(chunk) is damaged (CRC mismatch)"
        }
    }
}

public enum PNG {
    static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    public static func encode(_ image: RGBAImage, compressionLevel: Int32 = 6) throws -> [UInt8] {
        let rowBytes = image.width * 4
        var raw = [UInt8](); raw.reserveCapacity((rowBytes + 1) * image.height)
        for y in 0..<image.height {
            raw.append(0) // filter: none
            raw.append(contentsOf: image.pixels[(y * rowBytes)..<((y + 1) * rowBytes)])
        }
        var bound = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(bound))
        let rc = compress2(&compressed, &bound, raw, uLong(raw.count), compressionLevel)
        guard rc == Z_OK else { throw PNGError.zlib(call: "compress2", code: rc) }
        compressed.removeSubrange(Int(bound)...)

        var out = signature
        var ihdr = [UInt8]()
        ihdr += be32(UInt32(image.width)); ihdr += be32(UInt32(image.height))
        ihdr += [8, 6, 0, 0, 0] // 8-bit, RGBA, deflate, adaptive filtering, no interlace
        appendChunk(&out, "IHDR", ihdr)
        appendChunk(&out, "IDAT", compressed)
        appendChunk(&out, "IEND", [])
        return out
    }

    public static func write(_ image: RGBAImage, to path: String) throws {
        let bytes = try encode(image)
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func read(path: String) throws -> RGBAImage {
        try decode([UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
    }

    public static func decode(_ bytes: [UInt8]) throws -> RGBAImage {
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw PNGError.notPNG }
        var pos = 8
        var width = 0, height = 0, channels = 0
        var idat = [UInt8]()
        while true {
            guard pos + 8 <= bytes.count else { throw PNGError.truncated("chunk header at byte \(pos)") }
            let length = Int(readBE32(bytes, pos))
            let type = String(decoding: bytes[(pos + 4)..<(pos + 8)], as: UTF8.self)
            guard length >= 0, pos + 12 + length <= bytes.count else { throw PNGError.truncated("chunk \(type)") }
            let data = Array(bytes[(pos + 8)..<(pos + 8 + length)])
            let crc = readBE32(bytes, pos + 8 + length)
            guard crc == chunkCRC(type, data) else { throw PNGError.crcMismatch(chunk: type) }
            pos += 12 + length
            switch type {
            case "IHDR":
                guard data.count == 13 else { throw PNGError.truncated("IHDR") }
                width = Int(readBE32(data, 0)); height = Int(readBE32(data, 4))
                guard data[8] == 8 else { throw PNGError.unsupported("bit depth \(data[8])") }
                switch data[9] { case 6: channels = 4; case 2: channels = 3
                default: throw PNGError.unsupported("colour type \(data[9])") }
                guard data[12] == 0 else { throw PNGError.unsupported("interlacing") }
                guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15 else { throw PNGError.unsupported("size \(width)x\(height)") }
            case "IDAT": idat += data
            case "IEND":
                return try inflate(idat, width: width, height: height, channels: channels)
            default: continue
            }
        }
    }

    static func inflate(_ idat: [UInt8], width: Int, height: Int, channels: Int) throws -> RGBAImage {
        guard channels > 0 else { throw PNGError.truncated("missing IHDR") }
        let stride = width * channels
        var rawLength = uLong((stride + 1) * height)
        var raw = [UInt8](repeating: 0, count: Int(rawLength))
        let rc = uncompress(&raw, &rawLength, idat, uLong(idat.count))
        guard rc == Z_OK, Int(rawLength) == raw.count else { throw PNGError.zlib(call: "uncompress", code: rc) }
        var pixels = [UInt8](repeating: 255, count: width * height * 4)
        var prev = [UInt8](repeating: 0, count: stride)
        var line = [UInt8](repeating: 0, count: stride)
        for y in 0..<height {
            let base = y * (stride + 1)
            let filter = raw[base]
            for i in 0..<stride {
                let x = raw[base + 1 + i]
                let a = i >= channels ? line[i - channels] : 0
                let b = prev[i]
                let c = i >= channels ? prev[i - channels] : 0
                switch filter {
                case 0: line[i] = x
                case 1: line[i] = x &+ a
                case 2: line[i] = x &+ b
                case 3: line[i] = x &+ UInt8((Int(a) + Int(b)) / 2)
                case 4: line[i] = x &+ paeth(a, b, c)
                default: throw PNGError.unsupported("filter \(filter) on row \(y)")
                }
            }
            for px in 0..<width {
                for ch in 0..<channels { pixels[(y * width + px) * 4 + ch] = line[px * channels + ch] }
            }
            swap(&prev, &line)
        }
        return RGBAImage(width: width, height: height, pixels: pixels)
    }

    static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 255), UInt8((v >> 8) & 255), UInt8(v & 255)] }
    static func readBE32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
    static func chunkCRC(_ type: String, _ data: [UInt8]) -> UInt32 {
        let t = Array(type.utf8)
        var c = crc32(0, t, uInt(t.count))
        c = data.withUnsafeBufferPointer { crc32(c, $0.baseAddress, uInt(data.count)) }
        return UInt32(c)
    }
    static func appendChunk(_ out: inout [UInt8], _ type: String, _ data: [UInt8]) {
        out += be32(UInt32(data.count)); out += Array(type.utf8); out += data
        out += be32(chunkCRC(type, data))
    }
}
