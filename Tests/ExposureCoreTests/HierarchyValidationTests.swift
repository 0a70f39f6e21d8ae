import XCTest
@testable import ExposureCore

/// `exposure validate` says where a protocol makes the level meaningless or non-monotonic, at
/// file:line:column (issue #13).
final class HierarchyValidationTests: XCTestCase {
    func protocolText(steps: String, top: String = "") -> String {
        """
        id: h
        title: H
        version: "1"
        environment: heights
        \(top)session_limits:
          max_duration_min: 60
        safety_limits:
          suds_ceiling: 80
          fms_stop: 10
          heart_rate_over_baseline_percent: 40
          link_loss_timeout_s: 60
          max_intensity_change: 40
        defaults:
          progression: therapist
        steps:
        \(steps)
        """
    }

    /// Errors and warnings, as `exposure validate` prints them.
    func diagnostics(_ text: String) -> [Diagnostic] {
        let sink = DiagnosticSink()
        do { _ = ProtocolParser.read(try YAMLSource.parse(text: text, file: "h.yaml"), vocabulary: curvedVocabulary, sink: sink) }
        catch { XCTFail("\(error)") }
        return sink.diagnostics
    }

    func testAHigherStepWithALowerHeightAndNoOtherChangeIsAnErrorAtTheHeight() {
        let d = diagnostics(protocolText(steps: """
          - id: a
            intensity: 20
            parameters: {height_m: 10, railing: full}
          - id: b
            intensity: 40
            parameters: {height_m: 6, railing: full}
        """))
        XCTAssertEqual(d.count, 1, "\(d)")
        XCTAssertEqual(d.first?.severity, .error)
        XCTAssertEqual(d.first?.field, "steps[1].parameters.height_m")
        XCTAssertEqual(d.first.map { "\($0.location.line):\($0.location.column)" }, "21:28")
        XCTAssertTrue(d.first?.message.contains("less intense than step `a`") ?? false, d.first?.message ?? "")
        XCTAssertTrue(d.first?.message.contains("height_m 10 m → 6 m") ?? false, d.first?.message ?? "")
    }

    func testAParameterThatFallsWhileOthersRiseIsAWarning() {
        let d = diagnostics(protocolText(steps: """
          - id: a
            intensity: 20
            parameters: {height_m: 10, wind_mps: 4}
          - id: b
            intensity: 40
            parameters: {height_m: 20, wind_mps: 2}
        """))
        XCTAssertEqual(d.map(\.severity), [.warning], "\(d)")
        XCTAssertEqual(d.first?.field, "steps[1].parameters.wind_mps")
        XCTAssertTrue(d.first?.message.contains("lowers wind_mps 4 m/s → 2 m/s") ?? false, d.first?.message ?? "")
    }

    func testStepsOutOfOrderOrSharingALevelAreErrors() {
        let backwards = diagnostics(protocolText(steps: """
          - id: a
            intensity: 40
            parameters: {height_m: 10}
          - id: b
            intensity: 20
            parameters: {height_m: 20}
        """))
        XCTAssertTrue(backwards.contains { $0.field == "steps[1].intensity" && $0.message.contains("order the hierarchy") }, "\(backwards)")
        let shared = diagnostics(protocolText(steps: """
          - id: a
            intensity: 20
            parameters: {height_m: 10}
          - id: b
            parameters: {height_m: 20}
        """))
        XCTAssertTrue(shared.contains { $0.severity == .error && $0.message.contains("cannot tell them apart") }, "\(shared)")
    }

    func testMeaninglessLevelsAreWarned() {
        let same = diagnostics(protocolText(steps: """
          - id: a
            intensity: 20
            parameters: {height_m: 10, railing: full}
          - id: b
            intensity: 40
            parameters: {height_m: 10, railing: full}
        """))
        XCTAssertTrue(same.contains { $0.severity == .warning && $0.message.contains("levels 20→40 change nothing") }, "\(same)")
        let allPinned = diagnostics(protocolText(steps: """
          - id: a
            intensity: 20
            pinned: {height_m: 10, railing: full, floor: solid}
        """, top: "pinned: {wind_mps: 0}\n"))
        XCTAssertTrue(allPinned.contains { $0.severity == .warning && $0.message.contains("the level moves nothing there") }, "\(allPinned)")
    }

    func testPinnedAndParametersTogetherAndUnknownEventsAreErrors() {
        let d = diagnostics(protocolText(steps: """
          - id: a
            intensity: 20
            parameters: {height_m: 10}
            pinned: {height_m: 12}
            events:
              - {at_s: 5, name: look_down_prompt}
        """))
        XCTAssertTrue(d.contains { $0.field == "steps[0].pinned.height_m" && $0.message.contains("both in `parameters`") }, "\(d)")
        XCTAssertTrue(d.contains { $0.field == "steps[0].events[0].name" && $0.message.contains("its events: wind_gust") }, "\(d)")
    }

    func testThePinnedFieldsAreRead() throws {
        let plan = try ProtocolParser.parse(text: protocolText(steps: """
          - id: a
            intensity: 20
            parameters: {height_m: 10}
            pinned: {floor: glass}
        """, top: "pinned: {wind_mps: 0}\n"), file: "h.yaml", vocabulary: curvedVocabulary)
        XCTAssertEqual(plan.pinned, ["wind_mps": .number(0)])
        XCTAssertEqual(plan.steps[0].pinned, ["floor": .choice("glass")])
    }
}
