// Reads the depth the simulated headset captures: a greyscale Portable Float Map.
import Foundation

/// A greyscale PFM as the simulated headset writes it, rows top to bottom.
public struct FloatMap {
    public let width: Int, height: Int
    public let values: [Float]
    public subscript(x: Int, y: Int) -> Float { values[y * width + x] }

    public init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        // Header: "Pf", width and height, scale (negative: little-endian), each line ending in a newline.
        var lines: [String] = [], offset = 0
        while lines.count < 3, let nl = data[offset...].firstIndex(of: 0x0A) {
            lines.append(String(decoding: data[offset..<nl], as: UTF8.self))
            offset = nl + 1
        }
        let size = lines.count == 3 ? lines[1].split(separator: " ").compactMap { Int($0) } : []
        guard lines.first == "Pf", size.count == 2, size[0] > 0, size[1] > 0, lines[2].hasPrefix("-"),
              data.count - offset == size[0] * size[1] * 4 else {
            throw HeadsetTestSupportError.malformedFloatMap(path: path)
        }
        let (w, h) = (size[0], size[1])
        let rowsBottomUp: [Float] = data[offset...].withUnsafeBytes { raw in
            (0..<(w * h)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        }
        values = (0..<h).reversed().flatMap { rowsBottomUp[($0 * w)..<(($0 + 1) * w)] }
        width = w; height = h
    }
}
