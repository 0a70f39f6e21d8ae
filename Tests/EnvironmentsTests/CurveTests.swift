import XCTest
import ExposureCore
@testable import Environments

final class CurveTests: XCTestCase {
    let height = IntensityCurve.linear([CurvePoint(intensity: 0, value: 2), CurvePoint(intensity: 30, value: 10),
                                        CurvePoint(intensity: 60, value: 40), CurvePoint(intensity: 100, value: 150)])

    func testLinearCurveInterpolatesBetweenPoints() {
        XCTAssertEqual(height.value(at: 0), .number(2))
        XCTAssertEqual(height.value(at: 15)?.number ?? 0, 6, accuracy: 1e-9)
        XCTAssertEqual(height.value(at: 30), .number(10))
        XCTAssertEqual(height.value(at: 45)?.number ?? 0, 25, accuracy: 1e-9)
        XCTAssertEqual(height.value(at: 80)?.number ?? 0, 95, accuracy: 1e-9)
        XCTAssertEqual(height.value(at: 100), .number(150))
    }

    func testLinearCurveClampsIntensityOutside0To100() {
        XCTAssertEqual(height.value(at: -20), .number(2))
        XCTAssertEqual(height.value(at: 250), .number(150))
        XCTAssertEqual(height.value(at: .nan), .number(2))
        let partial = IntensityCurve.linear([CurvePoint(intensity: 20, value: 5), CurvePoint(intensity: 50, value: 8)])
        XCTAssertEqual(partial.value(at: 0), .number(5), "flat before the first point")
        XCTAssertEqual(partial.value(at: 90), .number(8), "flat after the last point")
    }

    func testChoiceThresholds() {
        let railing = IntensityCurve.steps([ChoiceStep(intensity: 0, option: "full"), ChoiceStep(intensity: 50, option: "low"),
                                            ChoiceStep(intensity: 85, option: "none")])
        XCTAssertEqual(railing.value(at: 0), .choice("full"))
        XCTAssertEqual(railing.value(at: 49.9), .choice("full"))
        XCTAssertEqual(railing.value(at: 50), .choice("low"))
        XCTAssertEqual(railing.value(at: 84), .choice("low"))
        XCTAssertEqual(railing.value(at: 85), .choice("none"))
        XCTAssertEqual(railing.value(at: 100), .choice("none"))
    }

    func testBundledCurvesMatchTheirFiles() throws {
        let catalog = try Fixtures.catalog()
        XCTAssertEqual(catalog.names, ["crowds", "heights", "open_spaces", "safe_room"])
        let h = try XCTUnwrap(catalog.definition("heights")?.parameter("height_m"))
        XCTAssertEqual(h.value(atIntensity: 45).number ?? 0, 25, accuracy: 1e-9)
        XCTAssertEqual(h.maxRate, 3)
        XCTAssertEqual(catalog.definition("heights")?.parameter("railing")?.value(atIntensity: 70), .choice("low"))
        // Higher intensity means more exposure in every environment.
        let crowd = try XCTUnwrap(catalog.definition("crowds"))
        XCTAssertLessThan(crowd.parameter("density_per_m2")!.value(atIntensity: 10).number!,
                          crowd.parameter("density_per_m2")!.value(atIntensity: 90).number!)
        XCTAssertGreaterThan(crowd.parameter("closest_approach_m")!.value(atIntensity: 10).number!,
                             crowd.parameter("closest_approach_m")!.value(atIntensity: 90).number!)
    }

    func testVocabularyListsEveryParameterWithUnits() throws {
        let vocabulary = try Fixtures.catalog().vocabulary
        XCTAssertEqual(vocabulary.names, ["crowds", "heights", "open_spaces", "safe_room"])
        let heights = try XCTUnwrap(vocabulary.parameters(of: "heights"))
        XCTAssertEqual(Set(heights.keys), ["height_m", "railing", "floor", "wind_mps"])
        XCTAssertEqual(heights["height_m"]?.unit, "m")
        XCTAssertEqual(heights["height_m"]?.kind, .number(1...200))
        XCTAssertEqual(heights["railing"]?.kind, .choice(["full", "low", "none"]))
        XCTAssertNil(heights["height_m"]?.problem(with: .number(40)))
        XCTAssertNotNil(heights["height_m"]?.problem(with: .number(400)))
        XCTAssertEqual(Set(vocabulary.parameters(of: "open_spaces")?.keys ?? [:].keys),
                       ["exit_distance_m", "openness", "people_count", "time_alone_s"])
    }
}
