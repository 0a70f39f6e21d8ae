import XCTest
@testable import ExposureCore

final class ProgressionRuleTests: XCTestCase {
    func progress(elapsed: Double = 0, suds: [Double] = [], before: Double? = nil, after: Double? = nil) -> StepProgress {
        var p = StepProgress()
        p.elapsed = elapsed
        suds.forEach { p.recordSUDS($0) }
        p.expectancyBefore = before
        p.expectancyAfter = after
        return p
    }

    func testSUDSDropFromPeak() {
        let rule = ProgressionRule.sudsDropPercent(50)
        XCTAssertFalse(rule.isMet(by: progress(suds: [60])).met, "one rating is not a drop")
        XCTAssertFalse(rule.isMet(by: progress(suds: [40, 80, 41])).met, "41 is less than 50% below the peak 80")
        XCTAssertTrue(rule.isMet(by: progress(suds: [40, 80, 40])).met)
        XCTAssertTrue(rule.isMet(by: progress(suds: [80, 30])).why.contains("peak 80 to 30"))
        XCTAssertFalse(rule.isMet(by: progress(suds: [0, 0])).met, "no distress at all is not a drop")
    }

    func testSUDSThreshold() {
        let rule = ProgressionRule.sudsAtOrBelow(20)
        XCTAssertFalse(rule.isMet(by: progress()).met)
        XCTAssertTrue(rule.isMet(by: progress(suds: [20])).met)
        XCTAssertFalse(rule.isMet(by: progress(suds: [10, 21])).met, "the latest rating counts")
    }

    func testFixedDurationAndTherapist() {
        XCTAssertFalse(ProgressionRule.fixedDuration(60).isMet(by: progress(elapsed: 59.9)).met)
        XCTAssertTrue(ProgressionRule.fixedDuration(60).isMet(by: progress(elapsed: 60)).met)
        XCTAssertFalse(ProgressionRule.therapistDecision.isMet(by: progress(elapsed: 1e9, suds: [100, 0])).met)
    }

    func testExpectancyViolation() {
        let rule = ProgressionRule.expectancyViolation(minDrop: 30)
        XCTAssertFalse(rule.isMet(by: progress(before: 80)).met)
        XCTAssertFalse(rule.isMet(by: progress(before: 80, after: 51)).met)
        XCTAssertTrue(rule.isMet(by: progress(before: 80, after: 50)).met)
        XCTAssertFalse(rule.isMet(by: progress(before: 20, after: 60)).met, "a rise is not a violation")
        XCTAssertTrue(rule.usesExpectancy)
        XCTAssertTrue(ProgressionRule.any([.therapistDecision, .all([rule])]).usesExpectancy)
        XCTAssertFalse(ProgressionRule.any([.therapistDecision, .fixedDuration(3)]).usesExpectancy)
    }

    func testCombinators() {
        let both = ProgressionRule.all([.fixedDuration(60), .sudsAtOrBelow(30)])
        XCTAssertFalse(both.isMet(by: progress(elapsed: 100, suds: [40])).met)
        XCTAssertFalse(both.isMet(by: progress(elapsed: 10, suds: [20])).met)
        XCTAssertTrue(both.isMet(by: progress(elapsed: 60, suds: [20])).met)
        let either = ProgressionRule.any([.fixedDuration(60), .sudsAtOrBelow(30)])
        XCTAssertTrue(either.isMet(by: progress(elapsed: 10, suds: [20])).met)
        XCTAssertTrue(either.isMet(by: progress(elapsed: 60, suds: [90])).met)
        XCTAssertFalse(either.isMet(by: progress(elapsed: 10, suds: [90])).met)
        XCTAssertFalse(ProgressionRule.all([]).isMet(by: progress()).met, "an empty `all` never passes")
        XCTAssertEqual(both.description, "60 s in the step and SUDS at or below 30")
    }
}
