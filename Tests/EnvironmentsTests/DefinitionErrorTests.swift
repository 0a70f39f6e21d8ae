import XCTest
import Foundation
import ExposureCore
@testable import Environments

final class DefinitionErrorTests: XCTestCase {
    func testValidMinimalDefinitionParses() throws {
        let d = try EnvironmentDefinition.parse(text: Fixtures.safeRoom(parameterBody: """
                unit: fraction
                range: [0.2, 1]
                default: 0.7
                max_rate: 0.1
                curve: [[0, 0.9], [100, 0.4]]
            """), file: "room.yaml")
        XCTAssertEqual(d.parameter("light_level")?.value(atIntensity: 50).number ?? 0, 0.65, accuracy: 1e-9)
    }

    func testUnknownKeyIsReportedWithLineAndSuggestion() {
        let diags = Fixtures.diagnostics(Fixtures.safeRoom(parameterBody: """
                unit: fraction
                range: [0.2, 1]
                default: 0.7
                max_rte: 0.1
            """))
        // `max_rte` is on line 8 of the text; `max_rate` is then missing.
        let unknown = diags.first { $0.field == "parameters.light_level.max_rte" }
        XCTAssertEqual(unknown?.location.line, 8, "\(diags)")
        XCTAssertEqual(unknown?.location.file, "test.yaml")
        XCTAssertTrue(unknown?.message.contains("did you mean `max_rate`") ?? false, "\(diags)")
        XCTAssertTrue(diags.contains { $0.field == "parameters.light_level.max_rate" && $0.message.contains("missing") })
    }

    func testCurvePointOutsideIntensityRange() {
        let diags = Fixtures.diagnostics(Fixtures.safeRoom(parameterBody: """
                unit: fraction
                range: [0.2, 1]
                default: 0.7
                max_rate: 0.1
                curve: [[0, 0.9], [120, 0.4]]
            """))
        XCTAssertEqual(diags.count, 1, "\(diags)")
        XCTAssertEqual(diags.first?.location.line, 9)
        XCTAssertEqual(diags.first?.field, "parameters.light_level.curve[1][0]")
        XCTAssertTrue(diags.first?.message.contains("out of range 0...100") ?? false, "\(diags)")
    }

    func testCurveValueOutsideParameterRange() {
        let diags = Fixtures.diagnostics(Fixtures.safeRoom(parameterBody: """
                unit: fraction
                range: [0.2, 1]
                default: 0.7
                max_rate: 0.1
                curve:
                  - [0, 0.9]
                  - [100, 0.1]
            """))
        XCTAssertEqual(diags.count, 1, "\(diags)")
        XCTAssertEqual(diags.first?.location.line, 11)
        XCTAssertEqual(diags.first?.field, "parameters.light_level.curve[1][1]")
        XCTAssertTrue(diags.first?.message.contains("outside the parameter's range 0.2...1") ?? false, "\(diags)")
    }

    func testFallingCurveIntensitiesAreRejected() {
        let diags = Fixtures.diagnostics(Fixtures.safeRoom(parameterBody: """
                unit: fraction
                range: [0.2, 1]
                default: 0.7
                max_rate: 0.1
                curve: [[50, 0.9], [10, 0.4]]
            """))
        XCTAssertTrue(diags.contains { $0.message.contains("must rise") && $0.location.line == 9 }, "\(diags)")
    }

    func testMissingDefault() {
        let diags = Fixtures.diagnostics(Fixtures.safeRoom(parameterBody: """
                unit: fraction
                range: [0.2, 1]
                max_rate: 0.1
            """))
        XCTAssertEqual(diags.count, 1, "\(diags)")
        XCTAssertEqual(diags.first?.field, "parameters.light_level.default")
        XCTAssertEqual(diags.first?.location.line, 5, "reported at the parameter's mapping")
        XCTAssertTrue(diags.first?.description.hasPrefix("test.yaml:5:") ?? false, "\(diags)")
    }

    func testWrongUnitRangeBeyondRuntimeLimitsAndUnknownParameter() {
        let text = """
        id: heights
        parameters:
          height_m: {unit: ft, range: [1, 900], default: 3, max_rate: 1}
          railing: {options: [full, glass], default: full}
          floor: {options: [solid], default: solid}
          wind_mps: {unit: m/s, range: [0, 20], default: 1, max_rate: 1}
          hieght_m: {unit: m}
        scene: {seed: 1, area_m: 100, colors: {sky: [1, 1, 1]}}
        """
        let diags = Fixtures.diagnostics(text)
        XCTAssertTrue(diags.contains { $0.field == "parameters.height_m.unit" && $0.location.line == 3 }, "\(diags)")
        XCTAssertTrue(diags.contains { $0.field == "parameters.height_m.range" && $0.message.contains("within 1...200") }, "\(diags)")
        XCTAssertTrue(diags.contains { $0.field == "parameters.railing.options[1]" && $0.location.line == 4 }, "\(diags)")
        XCTAssertTrue(diags.contains { $0.location.line == 7 && $0.message.contains("did you mean `height_m`") }, "\(diags)")
        XCTAssertTrue(diags.contains { $0.field == "scene.colors.sky" && $0.location.line == 8 }, "\(diags)")
    }

    func testUnknownEnvironmentAndCatalogWithoutSafeRoom() throws {
        let diags = Fixtures.diagnostics("id: heigths\nparameters: {}\nscene: {seed: 1, area_m: 100}\n")
        XCTAssertTrue(diags.contains { $0.field == "id" && $0.message.contains("did you mean `heights`") }, "\(diags)")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("envs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bundled = try XCTUnwrap(EnvironmentCatalog.bundledDirectory())
        try FileManager.default.copyItem(atPath: bundled + "/heights.yaml", toPath: dir.path + "/heights.yaml")
        XCTAssertThrowsError(try EnvironmentCatalog.load(directory: dir.path)) { error in
            XCTAssertTrue("\(error)".contains("no safe_room"), "\(error)")
        }
        // A broken file is reported with its own path and line.
        try "id: safe_room\nparameters:\n  light_level: {unit: fraction, range: [0.2, 1], default: 2, max_rate: 0.1}\nscene: {seed: 1, area_m: 10}\n"
            .write(to: dir.appendingPathComponent("safe_room.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EnvironmentCatalog.load(directory: dir.path)) { error in
            let failure = error as? ValidationFailure
            XCTAssertEqual(failure?.diagnostics.first?.location.file, dir.path + "/safe_room.yaml")
            XCTAssertEqual(failure?.diagnostics.first?.location.line, 3)
            XCTAssertEqual(failure?.diagnostics.first?.field, "parameters.light_level.default")
        }
    }
}
