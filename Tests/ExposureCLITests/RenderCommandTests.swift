import Foundation
import PNG
import XCTest

final class RenderCommandTests: XCTestCase {
    let width = 48, height = 32

    func render(_ args: [String]) throws -> (CLIResult, RGBAImage?, URL) {
        let dir = try CLI.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("shot.png")
        let result = try CLI.run(["render"] + args + ["--width", "\(width)", "--height", "\(height)", "--out", out.path])
        let image = FileManager.default.fileExists(atPath: out.path) ? try PNG.read(path: out.path) : nil
        return (result, image, out)
    }

    /// Clear-day sky is clearly bluer than it is red (zenith 0.18, 0.36, 0.75).
    func isSky(_ p: (r: UInt8, g: UInt8, b: UInt8, a: UInt8)) -> Bool { Int(p.b) > Int(p.r) + 40 }

    func testTestSceneWritesBothEyesWithSkyAtTheTop() throws {
        let (result, image, _) = try render(["--scene", "test"])
        XCTAssertEqual(result.status, 0, result.output)
        let png = try XCTUnwrap(image, "the PNG was written")
        XCTAssertEqual(png.width, 2 * width)
        XCTAssertEqual(png.height, height)
        for eye in 0..<2 {
            for x in stride(from: eye * width + 2, to: (eye + 1) * width - 2, by: 5) {
                XCTAssertTrue(isSky(png[x, 0]), "eye \(eye) x \(x): top row is sky, got \(png[x, 0])")
            }
        }
        XCTAssertTrue(result.stdout.contains("\(2 * width)x\(height)"), result.stdout)
    }

    func testSafeRoomHasNoSky() throws {
        let (result, image, _) = try render(["--environment", "safe_room", "--intensity", "0"])
        XCTAssertEqual(result.status, 0, result.output)
        let png = try XCTUnwrap(image)
        XCTAssertEqual(png.width, 2 * width)
        var skyPixels = 0
        for y in 0..<4 { for x in 0..<png.width where isSky(png[x, y]) { skyPixels += 1 } }
        XCTAssertEqual(skyPixels, 0, "the safe room is indoors: no sky-blue pixels in the top rows")
    }

    func testHeightsOutsideSkyAndParametersChangeThePicture() throws {
        let (low, lowImage, _) = try render(["--environment", "heights", "--intensity", "40", "--param", "height_m=3", "--seed", "7"])
        XCTAssertEqual(low.status, 0, low.output)
        let (high, highImage, _) = try render(["--environment", "heights", "--intensity", "40", "--param", "height_m=100", "--seed", "7"])
        XCTAssertEqual(high.status, 0, high.output)
        let a = try XCTUnwrap(lowImage), b = try XCTUnwrap(highImage)
        XCTAssertNotEqual(a.pixels, b.pixels, "3 m and 100 m balconies look different")
    }

    func testAProtocolStepRendersWhatThePatientMeetsAtThatLevel() throws {
        let (atStep, stepImage, _) = try render(["--protocol", "Protocols/crowds-social.yaml", "--step", "3"])
        XCTAssertEqual(atStep.status, 0, atStep.output)
        XCTAssertTrue(atStep.stdout.contains("step 3 `glances` at level 32"), atStep.stdout)
        XCTAssertTrue(atStep.stdout.contains("density_per_m2: 0.3 people/m2"), atStep.stdout)
        let (between, betweenImage, _) = try render(["--protocol", "Protocols/crowds-social.yaml", "--step", "3", "--intensity", "38"])
        XCTAssertEqual(between.status, 0, between.output)
        XCTAssertTrue(between.stdout.contains("density_per_m2: 0.4 people/m2"), between.stdout)
        XCTAssertTrue(between.stdout.contains("gaze_share: 17.5 %"), between.stdout)
        XCTAssertNotEqual(try XCTUnwrap(stepImage).pixels, try XCTUnwrap(betweenImage).pixels, "the level moves the picture")
        let station = try render(["--protocol", "Protocols/crowds-station.yaml", "--step", "1"]).0
        XCTAssertTrue(station.stdout.contains("setting: platform (pinned by protocol)"), station.stdout)

        let noStep = try render(["--protocol", "Protocols/crowds-social.yaml", "--step", "9"]).0
        XCTAssertNotEqual(noStep.status, 0)
        XCTAssertTrue(noStep.output.contains("this protocol has steps 1...8"), noStep.output)
        let outside = try render(["--protocol", "Protocols/crowds-social.yaml", "--step", "8", "--intensity", "99"]).0
        XCTAssertNotEqual(outside.status, 0)
        XCTAssertTrue(outside.output.contains("outside this protocol's bounds 0...95"), outside.output)
    }

    /// The range the heights definition gives height_m, read from Environments/heights.yaml.
    func heightRange() throws -> String {
        let text = try String(contentsOf: CLI.packageRoot.appendingPathComponent("Environments/heights.yaml"), encoding: .utf8)
        let after = try XCTUnwrap(text.range(of: "height_m:"))
        let rangeLine = try XCTUnwrap(text[after.upperBound...].range(of: #"range: \[\s*[0-9.]+\s*,\s*[0-9.]+\s*\]"#, options: .regularExpression))
        let numbers = text[rangeLine].split(whereSeparator: { !"0123456789.".contains($0) }).map(String.init)
        XCTAssertEqual(numbers.count, 2)
        return "\(numbers[0])...\(numbers[1])"
    }

    func testOutOfRangeParameterFailsNamingTheRange() throws {
        let (result, image, _) = try render(["--environment", "heights", "--param", "height_m=999"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertNil(image, "no picture for a refused parameter")
        let range = try heightRange()
        XCTAssertTrue(result.stderr.contains("height_m"), result.output)
        XCTAssertTrue(result.stderr.contains(range), "names the range \(range): \(result.output)")
    }

    func testUnknownEnvironmentParameterAndValueNameTheAllowedOnes() throws {
        let definitions = try FileManager.default.contentsOfDirectory(atPath: CLI.packageRoot.appendingPathComponent("Environments").path)
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
        XCTAssertFalse(definitions.isEmpty)

        let (env, _, _) = try render(["--environment", "rooftop"])
        XCTAssertNotEqual(env.status, 0)
        XCTAssertTrue(env.stderr.contains("rooftop"), env.output)
        for name in definitions { XCTAssertTrue(env.stderr.contains(name), "lists \(name): \(env.output)") }

        let (param, _, _) = try render(["--environment", "heights", "--param", "altitude=3"])
        XCTAssertNotEqual(param.status, 0)
        XCTAssertTrue(param.stderr.contains("altitude"), param.output)
        for name in ["height_m", "railing", "floor", "wind_mps"] { XCTAssertTrue(param.stderr.contains(name), "lists \(name): \(param.output)") }

        let (value, _, _) = try render(["--environment", "heights", "--param", "railing=glass"])
        XCTAssertNotEqual(value.status, 0)
        XCTAssertTrue(value.stderr.contains("glass") && value.stderr.contains("full, low, none"), value.output)

        let (notNumber, _, _) = try render(["--environment", "heights", "--param", "height_m=tall"])
        XCTAssertNotEqual(notNumber.status, 0)
        XCTAssertTrue(notNumber.stderr.contains("expected a number"), notNumber.output)

        let (noEnv, _, _) = try render(["--param", "height_m=3"])
        XCTAssertNotEqual(noEnv.status, 0)
        XCTAssertTrue(noEnv.stderr.contains("--environment"), noEnv.output)
    }
}
