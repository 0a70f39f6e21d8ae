/// An 8-bit RGBA image in memory, rows top to bottom.
public struct RGBAImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]   // width * height * 4

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 4, "RGBAImage needs width*height*4 bytes")
        self.width = width; self.height = height; self.pixels = pixels
    }
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 255)) {
        self.width = width; self.height = height
        var p = [UInt8](repeating: 0, count: width * height * 4)
        for i in stride(from: 0, to: p.count, by: 4) { p[i] = fill.0; p[i + 1] = fill.1; p[i + 2] = fill.2; p[i + 3] = fill.3 }
        self.pixels = p
    }
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8) {
        let i = (y * width + x) * 4
        return (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
    }
    /// A rectangular part of the image (for example one eye of a side-by-side pair).
    public func crop(x: Int, y: Int, width w: Int, height h: Int) -> RGBAImage {
        var out = [UInt8](); out.reserveCapacity(w * h * 4)
        for row in y..<(y + h) {
            let start = (row * width + x) * 4
            out.append(contentsOf: pixels[start..<(start + w * 4)])
        }
        return RGBAImage(width: w, height: h, pixels: out)
    }
    /// Two images next to each other (left eye, right eye).
    public static func sideBySide(_ a: RGBAImage, _ b: RGBAImage) -> RGBAImage {
        precondition(a.height == b.height, "side-by-side images need the same height")
        var out = [UInt8](); out.reserveCapacity((a.width + b.width) * a.height * 4)
        for row in 0..<a.height {
            out.append(contentsOf: a.pixels[(row * a.width * 4)..<((row + 1) * a.width * 4)])
            out.append(contentsOf: b.pixels[(row * b.width * 4)..<((row + 1) * b.width * 4)])
        }
        return RGBAImage(width: a.width + b.width, height: a.height, pixels: out)
    }
}
