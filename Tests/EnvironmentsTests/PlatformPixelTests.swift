import XCTest
import CVulkan
import ExposureCore
import PNG
import Render
import SceneModel
@testable import Environments

/// What the patient sees on the platform, rendered (lavapipe, validation layer on), from the
/// preview's eye point: 1.65 m up, 2.5 m from the edge, looking across the tracks 0.12 rad down.
final class PlatformPixelTests: XCTestCase {
    static let context = Result { try VulkanContext(applicationName: "platform-tests", validation: true) }
    static let size = 160

    func view(setting: String) throws -> RGBAImage {
        let context = try Self.context.get()
        context.clearValidationMessages()
        let renderer = try StereoRenderer(context: context, colorFormat: VK_FORMAT_R8G8B8A8_SRGB,
                                          width: Self.size, height: Self.size, samples: 1)
        let world = EnvironmentWorld(catalog: try Fixtures.catalog(), seed: 21)
        // Nobody about: the view of the place itself.
        let scene = world.update(target: EnvironmentTarget(environment: "crowds", intensity: 50,
                                                           overrides: ["density_per_m2": .number(0), "setting": .choice(setting)]), dt: 0.02)
        let head = EnvironmentPreview.head(for: "crowds")
        let image = try renderer.renderOffscreen(scene: scene, views: [EyeView(pose: head, fov: .symmetric(horizontalDegrees: 90, verticalDegrees: 90))])[0]
        XCTAssertEqual(context.validationMessages, [])
        if let dir = ProcessInfo.processInfo.environment["EXPOSURE_TEST_IMAGES"] { try? PNG.write(image, to: "\(dir)/crowds-\(setting).png") }
        return image
    }

    /// The image row (of 160, 90 degrees) where a point `down` metres below the eye and `ahead`
    /// metres in front of it appears, with the head pitched 0.12 rad down.
    func row(down: Float, ahead: Float) -> Int {
        80 + Int((80 * tan(atan(down / ahead) - 0.12)).rounded())
    }

    func isYellow(_ p: (r: UInt8, g: UInt8, b: UInt8, a: UInt8)) -> Bool { p.r > 170 && p.g > 130 && p.b < 90 }
    func brightness(_ image: RGBAImage, rows: ClosedRange<Int>) -> Double {
        var sum = 0
        for y in rows { for x in 0..<image.width { let p = image[x, y]; sum += Int(p.r) + Int(p.g) + Int(p.b) } }
        return Double(sum) / Double(3 * rows.count * image.width)
    }

    func testThePlatformShowsTheSafetyLineAndTheTrackBelowItsEdge() throws {
        let platform = try view(setting: "platform"), plaza = try view(setting: "plaza")
        let area = PlatformArea()
        // The yellow line, 2.0 m ahead at floor level: the rows inside it are yellow across the view.
        let lineFar = row(down: 1.65, ahead: -area.safetyLineZ + area.safetyLineWidth / 2 - 0.03) + 1
        let lineNear = row(down: 1.65, ahead: -area.safetyLineZ - area.safetyLineWidth / 2 + 0.03) - 1
        XCTAssertGreaterThanOrEqual(lineNear, lineFar + 1)
        let line = lineFar...max(lineFar, lineNear)
        func yellowShare(_ image: RGBAImage, _ rows: ClosedRange<Int>) -> Double {
            var n = 0
            for y in rows { for x in 0..<image.width where isYellow(image[x, y]) { n += 1 } }
            return Double(n) / Double(rows.count * image.width)
        }
        XCTAssertGreaterThan(yellowShare(platform, line), 0.9, "the safety line across the floor, rows \(line)")
        XCTAssertEqual(yellowShare(plaza, line), 0, "no safety line on the plaza")
        XCTAssertEqual(yellowShare(platform, 0...(line.lowerBound - 3)), 0, accuracy: 0.01, "nothing else yellow above it")
        // Beyond the edge (2.5 m ahead) the eye looks down onto the track bed, 1 m lower: the rows
        // from where the sight line over the edge meets the bed to the far side of the bed.
        let edge = row(down: 1.65, ahead: -area.edgeZ)
        let bedNear = row(down: 1.65 - area.trackBedY, ahead: -area.edgeZ * (1.65 - area.trackBedY) / 1.65)
        let bedFar = row(down: 1.65 - area.trackBedY - 0.15, ahead: -area.trackZ + 1.8)
        XCTAssertEqual(bedNear, edge, "the edge hides the bed right below it")
        XCTAssertGreaterThan(edge - bedFar, 10)
        let track = (bedFar + 2)...max(bedFar + 2, edge - 2)
        let deck = (line.upperBound + 3)...(Self.size - 1)
        XCTAssertLessThan(brightness(platform, rows: track), brightness(platform, rows: deck) * 0.7,
                          "the track bed (rows \(track)) is darker than the platform floor (rows \(deck))")
        // Sleepers across the bed: light and dark stripes along each track row.
        var stripes = 0
        for y in track { for x in 0..<(platform.width - 1) {
            let a = platform[x, y], b = platform[x + 1, y]
            if abs(Int(a.r) - Int(b.r)) + abs(Int(a.g) - Int(b.g)) + abs(Int(a.b) - Int(b.b)) > 30 { stripes += 1 }
        } }
        XCTAssertGreaterThan(stripes, track.count * 10, "sleepers show as stripes")
        // The plaza from the same eye point is another place altogether.
        var difference = 0
        for y in 0..<platform.height { for x in 0..<platform.width {
            let a = platform[x, y], b = plaza[x, y]
            difference += abs(Int(a.r) - Int(b.r)) + abs(Int(a.g) - Int(b.g)) + abs(Int(a.b) - Int(b.b))
        } }
        XCTAssertGreaterThan(Double(difference) / Double(3 * platform.width * platform.height), 20)
    }
}
