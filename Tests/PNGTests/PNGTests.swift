import XCTest
@testable import PNG

final class PNGTests: XCTestCase {
    func testRoundTripKeepsEveryPixel() throws {
        var img = RGBAImage(width: 7, height: 5)
        for i in 0..<img.pixels.count { img.pixels[i] = UInt8((i * 37) % 256) }
        let bytes = try PNG.encode(img)
        XCTAssertEqual(Array(bytes[0..<8]), PNG.signature)
        XCTAssertEqual(try PNG.decode(bytes), img)
    }

    func testDamagedFileGivesClearError() throws {
        var bytes = try PNG.encode(RGBAImage(width: 4, height: 4, fill: (10, 20, 30, 255)))
        bytes[bytes.count - 17] ^= 0xFF   // last byte of the IDAT payload (IEND is 12 bytes, the CRC 4)
        XCTAssertThrowsError(try PNG.decode(bytes)) { error in
            XCTAssertEqual(error as? PNGError, .crcMismatch(chunk: "IDAT"))
        }
        XCTAssertThrowsError(try PNG.decode(Array(bytes.prefix(20))))
        XCTAssertThrowsError(try PNG.decode([1, 2, 3])) { XCTAssertEqual($0 as? PNGError, .notPNG) }
    }

    func testSideBySideAndCrop() {
        let a = RGBAImage(width: 2, height: 2, fill: (255, 0, 0, 255))
        let b = RGBAImage(width: 3, height: 2, fill: (0, 255, 0, 255))
        let s = RGBAImage.sideBySide(a, b)
        XCTAssertEqual(s.width, 5)
        XCTAssertEqual(s[1, 1].r, 255)
        XCTAssertEqual(s[2, 1].g, 255)
        XCTAssertEqual(s.crop(x: 2, y: 0, width: 3, height: 2), b)
    }
}
