import CVulkan
import Foundation
import PNG
@testable import Render
import SceneModel
import XCTest

/// One validated Vulkan context for the whole test run (instance creation is slow on lavapipe).
enum SharedVulkan {
    static let context = Result { try VulkanContext(applicationName: "exposure-tests", validation: true) }
}

extension XCTestCase {
    /// The shared validated context, with its message list emptied; throws (failing the test)
    /// with the reason if Vulkan with validation is unusable here.
    func validatedContext() throws -> VulkanContext {
        let context = try SharedVulkan.context.get()
        context.clearValidationMessages()
        return context
    }

    func assertNoValidationMessages(_ context: VulkanContext, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(context.validationMessages, [], "the validation layer reported problems", file: file, line: line)
    }
}

/// Linear colour to the 8-bit sRGB value an sRGB target stores.
func srgb8(_ linear: Float) -> Int {
    let c = max(0, min(1, linear))
    let s = c <= 0.0031308 ? c * 12.92 : 1.055 * pow(c, 1 / 2.4) - 0.055
    return Int((s * 255).rounded())
}

func srgb8(_ v: Vec3) -> (Int, Int, Int) { (srgb8(v.x), srgb8(v.y), srgb8(v.z)) }

extension RGBAImage {
    func rgb(_ x: Int, _ y: Int) -> (Int, Int, Int) {
        let p = self[x, y]
        return (Int(p.r), Int(p.g), Int(p.b))
    }
    func brightness(_ x: Int, _ y: Int) -> Int { let c = rgb(x, y); return c.0 + c.1 + c.2 }

    /// Mean x of the pixels for which `match` holds, nil if none.
    func centroidX(where match: ((Int, Int, Int)) -> Bool) -> Double? {
        var sum = 0.0, count = 0.0
        for y in 0..<height { for x in 0..<width where match(rgb(x, y)) { sum += Double(x) + 0.5; count += 1 } }
        return count > 0 ? sum / count : nil
    }
}

func assertColor(_ actual: (Int, Int, Int), _ expected: (Int, Int, Int), tolerance: Int,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    let ok = abs(actual.0 - expected.0) <= tolerance && abs(actual.1 - expected.1) <= tolerance && abs(actual.2 - expected.2) <= tolerance
    XCTAssertTrue(ok, "\(message): got \(actual), expected \(expected) ± \(tolerance)", file: file, line: line)
}

/// Lighting that shows each surface in exactly its own colour (no shading), so pixels can be predicted.
let flatLighting = Lighting(direction: Vec3(0, 1, 0), color: .zero, ambient: Vec3(1, 1, 1))

/// Compares two images pixel by pixel and reports how many differ and the first difference
/// (XCTAssertEqual would print every byte).
func assertSameImage(_ a: RGBAImage, _ b: RGBAImage, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
    guard a.width == b.width, a.height == b.height else {
        return XCTFail("\(message): sizes differ, \(a.width)x\(a.height) vs \(b.width)x\(b.height)", file: file, line: line)
    }
    var differing = 0, first: (Int, Int)?
    for y in 0..<a.height { for x in 0..<a.width where a.rgb(x, y) != b.rgb(x, y) {
        differing += 1
        if first == nil { first = (x, y) }
    } }
    if let (x, y) = first {
        XCTFail("\(message): \(differing) pixels differ, first at \(x),\(y): \(a.rgb(x, y)) vs \(b.rgb(x, y))", file: file, line: line)
    }
}
