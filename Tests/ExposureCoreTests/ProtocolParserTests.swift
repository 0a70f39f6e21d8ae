import XCTest
@testable import ExposureCore

final class ProtocolParserTests: XCTestCase {
    func diagnostics(_ text: String) -> [Diagnostic] {
        do { _ = try ProtocolParser.parse(text: text, file: "p.yaml", vocabulary: testVocabulary); return [] }
        catch let f as ValidationFailure { return f.diagnostics }
        catch { XCTFail("unexpected error \(error)"); return [] }
    }

    static let good = """
    id: small
    title: Small
    version: "1"
    environment: heights
    session_limits:
      max_duration_min: 20
    safety_limits:
      suds_ceiling: 80
      fms_stop: 10
      heart_rate_over_baseline_percent: 40
      link_loss_timeout_s: 60
      max_intensity_change: 20
    steps:
      - id: a
        intensity: 10
        parameters: {height_m: 3, railing: full}
        min_duration_s: 30
        max_duration_s: 120
        progression: {suds_drop_percent: 50}
      - id: b
        intensity: 30
        progression:
          all:
            - after_s: 60
            - any: [{suds_at_or_below: 20}, therapist, {expectancy_drop: 30}]
        events:
          - {at_s: 10, name: wind_gust}

    """

    func testEveryShippedProtocolValidates() throws {
        let dir = repositoryRoot.appendingPathComponent("Protocols")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 4)
        for file in files {
            let path = dir.appendingPathComponent(file).path
            let d = ProtocolParser.check(path: path, vocabulary: testVocabulary)
            XCTAssertEqual(d, [], "\(file): \(d.map(\.description))")
            let plan = try ProtocolParser.load(path: path, vocabulary: testVocabulary)
            XCTAssertEqual(plan.id + ".yaml", file)
        }
        let heights = try ProtocolParser.load(path: dir.appendingPathComponent("heights-graded.yaml").path, vocabulary: testVocabulary)
        XCTAssertGreaterThanOrEqual(heights.steps.count, 10)
        XCTAssertEqual(heights.steps.map(\.intensity!), heights.steps.map(\.intensity!).sorted(), "a graded hierarchy rises")
        let research = try ProtocolParser.load(path: dir.appendingPathComponent("research-fixed-heights.yaml").path, vocabulary: testVocabulary)
        for step in research.steps {
            guard case .fixedDuration = step.progression else { return XCTFail("research step \(step.id) is adaptive") }
            XCTAssertEqual(step.minDuration, step.maxDuration)
        }
    }

    func testGoodProtocolReadsEveryField() throws {
        let p = try ProtocolParser.parse(text: Self.good, file: "p.yaml", vocabulary: testVocabulary)
        XCTAssertEqual(p.steps.count, 2)
        XCTAssertEqual(p.session.maxDuration, 1200)
        XCTAssertEqual(p.session.fmsEvery, 60)
        XCTAssertEqual(p.safety.escalationWindow, 10)
        XCTAssertEqual(p.steps[0].parameters, ["height_m": .number(3), "railing": .choice("full")])
        XCTAssertEqual(p.steps[1].progression,
                       .all([.fixedDuration(60), .any([.sudsAtOrBelow(20), .therapistDecision, .expectancyViolation(minDrop: 30)])]))
        XCTAssertEqual(p.steps[1].events, [TimedEvent(at: 10, name: "wind_gust")])
        XCTAssertNil(p.steps[1].maxDuration)
    }

    func testBadProtocolReportsEachProblemAtItsLine() {
        let text = """
        id: Bad Id
        title: Bad
        version: "1"
        environment: heights
        colour: blue
        session_limits:
          max_duration_min: 20
          min_intensity: 50
        safety_limits:
          suds_ceiling: 180
          fms_stop: 10
          heart_rate_over_baseline_percent: 40
          max_intensity_change: 20
        steps:
          - id: a
            intensity: 10
            parameters: {height_m: 500, railng: low, floor: lava}
            progression: {suds_drop_percent: fifty}
          - id: a
            intensity: 60
            min_duration_s: 300
            max_duration_s: 100
            progression: {after_s: 10, therapist: true}

        """
        let d = diagnostics(text).map(\.description)
        let expected = [
            "p.yaml:1:5: error: id: use lower-case",
            "p.yaml:5:1: error: colour: unknown field",
            "p.yaml:10:17: error: safety_limits.suds_ceiling: 180 is out of range 1...100",
            "p.yaml:10:3: error: safety_limits.link_loss_timeout_s: required field is missing",
            "p.yaml:16:16: error: steps[0].intensity: 10 is outside the session's intensity bounds 50...100",
            "p.yaml:17:28: error: steps[0].parameters.height_m: 500 is out of range 1...200",
            "p.yaml:17:33: error: steps[0].parameters.railng: unknown parameter (did you mean `railing`?)",
            "p.yaml:17:53: error: steps[0].parameters.floor: `lava` is not one of solid, grating, glass",
            "p.yaml:18:38: error: steps[0].progression.suds_drop_percent: expected a number, found `fifty`",
            "p.yaml:21:21: error: steps[1].min_duration_s: minimum duration 300 s is longer than the maximum 100 s",
            "p.yaml:23:18: error: steps[1].progression: a rule mapping has exactly one of",
        ]
        for prefix in expected {
            XCTAssertTrue(d.contains { $0.hasPrefix(prefix) }, "missing \(prefix)\n got:\n\(d.joined(separator: "\n"))")
        }
        XCTAssertTrue(d.contains { $0.contains("p.yaml:19:9: error: steps[1].id: step id `a` is already used by steps[0]") }, "\(d)")
    }

    func testUnknownEnvironmentAndMissingSafetyLimits() {
        let text = Self.good.replacingOccurrences(of: "environment: heights", with: "environment: hieghts")
            .replacingOccurrences(of: "safety_limits:", with: "safety_limitz:")
        let d = diagnostics(text).map(\.description)
        XCTAssertTrue(d.contains { $0.hasPrefix("p.yaml:4:14: error: environment: unknown environment `hieghts` (did you mean `heights`?)") }, "\(d)")
        XCTAssertTrue(d.contains { $0.contains("safety_limits: required field is missing") }, "\(d)")
        XCTAssertTrue(d.contains { $0.contains("safety_limitz: unknown field (did you mean `safety_limits`?)") }, "\(d)")
    }

    func testUnreachableStepIsReported() {
        var text = Self.good.replacingOccurrences(of: "max_duration_min: 20", with: "max_duration_min: 1")
        text = text.replacingOccurrences(of: "min_duration_s: 30", with: "min_duration_s: 60")
        let d = diagnostics(text)
        let hit = d.first { $0.message.contains("can never be reached") }
        XCTAssertEqual(hit?.location.line, 20, "\(d)")
        XCTAssertEqual(hit?.field, "steps[1]")
    }

    func testEmptyCombinatorAndShortExpectancyTrial() throws {
        let warned = ProtocolParser.check(path: try write(Self.good), vocabulary: testVocabulary)
        XCTAssertEqual(warned.map(\.severity), [.warning], "\(warned)")
        XCTAssertEqual(warned.first?.field, "steps[1].min_duration_s")
        let text = Self.good.replacingOccurrences(of: "progression: {suds_drop_percent: 50}", with: "progression: {all: []}")
        XCTAssertTrue(diagnostics(text).contains { $0.message.contains("non-empty list of rules") })
    }

    func testBigJumpBetweenStepsIsAWarning() throws {
        let text = Self.good.replacingOccurrences(of: "    intensity: 30\n", with: "    intensity: 31\n")
        let d = ProtocolParser.check(path: try write(text), vocabulary: testVocabulary).filter { $0.field == "steps[1].intensity" }
        XCTAssertEqual(d.map(\.severity), [.warning])
        XCTAssertTrue(d.first?.message.hasPrefix("rises by 21 from the step before, more than max_intensity_change 20") ?? false, "\(d)")
        XCTAssertNoThrow(try ProtocolParser.parse(text: text, file: "p.yaml", vocabulary: testVocabulary))
    }

    func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("protocol-\(UUID().uuidString).yaml")
        try Data(text.utf8).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testWrongTypesAndEmptyFile() {
        XCTAssertTrue(diagnostics("").first?.message.contains("must be a mapping") ?? false)
        XCTAssertTrue(diagnostics("- a\n- b\n").first?.message.contains("must be a mapping") ?? false)
        let d = diagnostics(Self.good.replacingOccurrences(of: "steps:\n  - id: a", with: "steps: 3\nx:\n  - id: a"))
        XCTAssertTrue(d.contains { $0.field == "steps" && $0.message.contains("expected a list") }, "\(d.map(\.description))")
    }

    func testEventBeyondStepEndAndBadEventName() {
        let text = Self.good.replacingOccurrences(of: "{at_s: 10, name: wind_gust}", with: "{at_s: 10, name: Wind Gust}")
            .replacingOccurrences(of: "max_duration_s: 120", with: "max_duration_s: 120\n    events: [{at_s: 500, name: late}]")
        let d = diagnostics(text)
        XCTAssertTrue(d.contains { $0.message.contains("fires at 500 s but the step lasts at most 120 s") }, "\(d)")
        XCTAssertTrue(d.contains { $0.message.contains("event names use") }, "\(d)")
    }
}
