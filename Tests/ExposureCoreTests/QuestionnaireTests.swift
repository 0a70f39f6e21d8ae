import XCTest
@testable import ExposureCore

final class QuestionnaireTests: XCTestCase {
    func testSSQHasTheSixteenStandardItemsWithSevenPerSubscale() {
        XCTAssertEqual(SSQ.items.count, 16)
        for s in SSQ.Subscale.allCases {
            XCTAssertEqual(SSQ.items.filter { $0.subscales.contains(s) }.count, 7, "\(s)")
        }
        XCTAssertEqual(SSQ.items[7].name, "Nausea")
        XCTAssertEqual(SSQ.items[7].subscales, [.nausea, .disorientation])
    }

    func testSSQHandComputedExample() throws {
        // General discomfort 1, Fatigue 2, Eyestrain 1, Nausea 2, Blurred vision 1, Vertigo 3, rest 0.
        let answers = [1, 2, 0, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0, 3, 0, 0]
        let s = try SSQ.score(answers)
        // N: discomfort 1 + nausea 2 = 3; O: discomfort 1 + fatigue 2 + eyestrain 1 + blurred 1 = 5;
        // D: nausea 2 + blurred 1 + vertigo 3 = 6.
        XCTAssertEqual(s.rawNausea, 3)
        XCTAssertEqual(s.rawOculomotor, 5)
        XCTAssertEqual(s.rawDisorientation, 6)
        XCTAssertEqual(s.nausea, 28.62, accuracy: 1e-9)
        XCTAssertEqual(s.oculomotor, 37.90, accuracy: 1e-9)
        XCTAssertEqual(s.disorientation, 83.52, accuracy: 1e-9)
        XCTAssertEqual(s.total, 14 * 3.74, accuracy: 1e-9) // 52.36
    }

    func testSSQExtremes() throws {
        XCTAssertEqual(try SSQ.score(Array(repeating: 0, count: 16)).total, 0)
        let worst = try SSQ.score(Array(repeating: 3, count: 16))
        XCTAssertEqual(worst.total, SSQ.maximumTotal, accuracy: 1e-9)
        XCTAssertEqual(worst.nausea, 200.34, accuracy: 1e-9)
        XCTAssertEqual(worst.oculomotor, 159.18, accuracy: 1e-9)
        XCTAssertEqual(worst.disorientation, 292.32, accuracy: 1e-9)
    }

    func testSSQRejectsBadAnswersNamingTheItem() {
        XCTAssertThrowsError(try SSQ.score([0, 0, 0])) { e in
            XCTAssertEqual(e as? QuestionnaireError, .wrongItemCount(questionnaire: "SSQ", expected: 16, got: 3))
        }
        var answers = Array(repeating: 0, count: 16)
        answers[13] = 4
        XCTAssertThrowsError(try SSQ.score(answers)) { e in
            XCTAssertEqual(e as? QuestionnaireError,
                           .itemOutOfRange(questionnaire: "SSQ", item: "Vertigo", value: 4, range: 0...3))
            XCTAssertTrue("\(e)".contains("Vertigo"))
        }
    }

    func testSingleRatingsValidateTheirRanges() {
        XCTAssertEqual(try FMS.validate(20), 20)
        XCTAssertThrowsError(try FMS.validate(21))
        XCTAssertThrowsError(try FMS.validate(.nan))
        XCTAssertEqual(try SUDS.validate(0), 0)
        XCTAssertThrowsError(try SUDS.validate(-1)) { e in
            XCTAssertTrue("\(e)".contains("SUDS"))
        }
        XCTAssertThrowsError(try Expectancy.validate(100.5))
    }

    func testScheduleAsksFMSEveryMinuteAndSUDSOnItsCadence() throws {
        let s = try QuestionnaireSchedule(fmsInterval: 60, sudsInterval: 90)
        XCTAssertEqual(s.due(at: 30, lastFMS: nil, lastSUDS: nil), [])
        XCTAssertEqual(s.due(at: 60, lastFMS: nil, lastSUDS: nil), [.fms])
        XCTAssertEqual(s.due(at: 90, lastFMS: 60, lastSUDS: nil), [.suds])
        XCTAssertEqual(s.due(at: 120, lastFMS: 60, lastSUDS: 90), [.fms])
        XCTAssertEqual(try QuestionnaireSchedule(fmsInterval: nil, sudsInterval: 30).due(at: 600, lastFMS: nil, lastSUDS: 0),
                       [.suds])
        XCTAssertThrowsError(try QuestionnaireSchedule(fmsInterval: 0))
    }
}
