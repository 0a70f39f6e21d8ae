import XCTest
@testable import ExposureCore

final class SimulatorTests: XCTestCase {
    func plan(_ name: String) throws -> ExposureProtocol {
        try ProtocolParser.load(path: repositoryRoot.appendingPathComponent("Protocols/\(name)").path, vocabulary: testVocabulary)
    }

    func script(_ text: String, for plan: ExposureProtocol) throws -> PatientScript {
        try PatientScriptParser.parse(text: text, file: "patient.yaml", parameterSpecs: testVocabulary.parameters(of: plan.environment))
    }

    func testHabituatingPatientClimbsTheWholeBuilding() throws {
        let heights = try plan("heights-graded.yaml")
        let patient = try script("""
        suds:
          model: {at_step_start: 50, rise_per_step: 3, habituation_percent_per_min: 35, floor: 5}
        fms:
          points: [{at: 0, value: 1}]
        heart_rate:
          points: [{at: 0, value: 72}]
        heart_rate_baseline_bpm: 70
        """, for: heights)
        let r = Simulator.run(heights, script: patient, parameterSpecs: testVocabulary.parameters(of: "heights"))
        XCTAssertEqual(r.highestStep, heights.steps.count - 1)
        // Every floor moved on by the SUDS rule (50% drop), never by the clock or safety.
        let ups = r.events.filter { if case .stepChanged(let f?, let t) = $0.kind { return t == f + 1 }; return false }
        XCTAssertEqual(ups.count, heights.steps.count - 1)
        XCTAssertTrue(ups.allSatisfy { $0.actor == .protocolRule && $0.reason.contains("rule met") }, "\(ups.map(\.reason))")
        XCTAssertLessThanOrEqual(r.endTime, heights.session.maxDuration)
        let text = Timeline.text(r, plan: heights)
        XCTAssertTrue(text.contains("protocol  step 1 `ground-balcony` -> step 2 `floor-2`"), text)
        XCTAssertTrue(text.contains("Summary"))
    }

    func testOptOutConsentAndTherapistCommandsFromScript() throws {
        let heights = try plan("heights-graded.yaml")
        let patient = try script("""
        participant: sim-01
        tick_s: 1
        duration_min: 12
        suds:
          points: [{at: 0, value: 40}, {at: 600, value: 40}]
        actions:
          - {at: 30, therapist: next_step}
          - {at: 31, therapist: {set_intensity: 90}}
          - {at: 32, therapist: {set_parameter: {name: wind_mps, value: 6}}}
          - {at: "1:40", patient: opt_out}
          - {at: 110, therapist: resume}
          - {at: 120, patient: consent}
          - {at: 125, therapist: resume}
          - {at: 130, therapist: {fire_event: wind_gust}}
        link_loss:
          - {from_s: 300, to_s: 400}
        """, for: heights)
        XCTAssertEqual(patient.actions.count, 8)
        let r = Simulator.run(heights, script: patient, parameterSpecs: testVocabulary.parameters(of: "heights"))
        func first(_ k: EngineEvent.Kind) -> EngineEvent? { r.events.first { $0.kind == k } }
        XCTAssertEqual(first(.stepChanged(from: 0, to: 1))?.actor, .therapist)
        // Wind 6 m/s is where the curve puts intensity 75: far beyond the step limit of 20 from level 12.
        XCTAssertNil(first(.parameterChanged(name: "wind_mps", from: nil, to: .number(6))), "a parameter cannot skip the escalation limit")
        XCTAssertEqual(first(.safeRoomEntered)?.time, 100)
        XCTAssertEqual(first(.consentGiven)?.time, 120)
        XCTAssertEqual(first(.resumed)?.time, 125)
        XCTAssertEqual(first(.environmentEvent("wind_gust"))?.actor, .therapist)
        let rejected = r.events.filter { if case .rejected = $0.kind { return true }; return false }
        XCTAssertEqual(rejected.map(\.time), [31, 32, 110])
        XCTAssertEqual(rejected.map(\.kind), [.rejected("set intensity 90", rule: .escalationLimit),
                                               .rejected("set wind_mps 6", rule: .escalationLimit),
                                               .rejected("resume", rule: .consentNeeded)])
        XCTAssertEqual(r.events.filter { $0.kind == .safeRoomEntered }.last?.time, 360, "link lost at 300, 60 s timeout")
        guard case .safeRoom(_, .linkLost) = r.finalState else { return XCTFail("\(r.finalState)") }
    }

    func testResearchProtocolRunsOnItsFixedSchedule() throws {
        let research = try plan("research-fixed-heights.yaml")
        let r = Simulator.run(research, script: try script("suds:\n  points: [{at: 0, value: 50}]\n", for: research))
        let changes = r.events.filter { if case .stepChanged = $0.kind { return true }; return false }.map(\.time)
        XCTAssertEqual(changes, [0, 240, 480, 720, 960, 1200])
        XCTAssertEqual(r.finalState, .ended(.completed))
        XCTAssertEqual(r.endTime, 1440)
    }

    func testScriptErrorsNameLineAndField() {
        let text = """
        tick_s: 0
        suds:
          points: [{at: 10, value: 50}, {at: 5, value: 500}, {at: 3, value: 1}]
        actions:
          - {at: "99:99", patient: run_away}
          - {at: 3, therapist: {set_parameter: {name: wind_mph, value: 3}}}
          - {at: 4}
        link_loss: [{from_s: 10, to_s: 5}]
        mood: fine
        """
        do {
            _ = try PatientScriptParser.parse(text: text, file: "s.yaml", parameterSpecs: testVocabulary.parameters(of: "heights"))
            XCTFail("accepted a bad script")
        } catch let f as ValidationFailure {
            let d = f.diagnostics.map(\.description)
            for expected in ["s.yaml:1:9: error: tick_s:", "s.yaml:3:48: error: suds.points[1].value: 500 is out of range",
                             "s.yaml:5:10: error: actions[0].at:", "s.yaml:5:28: error: actions[0].patient:",
                             "s.yaml:6:47: error: actions[1].therapist.set_parameter.name: unknown parameter (did you mean `wind_mps`?)",
                             "s.yaml:7:5: error: actions[2]: an action needs", "s.yaml:8:13: error: link_loss[0]: to_s must be after from_s",
                             "s.yaml:9:1: error: mood: unknown field"] {
                XCTAssertTrue(d.contains { $0.hasPrefix(expected) }, "missing \(expected)\n\(d.joined(separator: "\n"))")
            }
            XCTAssertTrue(d.contains { $0.contains("points must be in time order") }, "\(d)")
        } catch { XCTFail("\(error)") }
    }

    func testTraceInterpolationAndHabituation() {
        let t = PatientScript.Trace.points([TracePoint(at: 0, value: 10), TracePoint(at: 100, value: 30)])
        XCTAssertEqual(t.value(at: -5, step: 0, stepStart: 0), 10)
        XCTAssertEqual(t.value(at: 50, step: 0, stepStart: 0), 20)
        XCTAssertEqual(t.value(at: 500, step: 0, stepStart: 0), 30)
        let h = PatientScript.Trace.habituation(atStepStart: 60, risePerStep: 10, habituationPercentPerMinute: 50, floor: 0)
        XCTAssertEqual(h.value(at: 100, step: 2, stepStart: 100), 80)
        XCTAssertEqual(h.value(at: 160, step: 2, stepStart: 100)!, 40, accuracy: 1e-9)
    }

    func testTraceShapesAreChecked() {
        func problems(_ text: String) -> [String] {
            do { _ = try PatientScriptParser.parse(text: text, file: "s.yaml"); return [] }
            catch let f as ValidationFailure { return f.diagnostics.map(\.description) }
            catch { return ["\(error)"] }
        }
        XCTAssertTrue(problems("suds: {}\n").contains("s.yaml:1:7: error: suds: give `points` or `model`"), "\(problems("suds: {}\n"))")
        XCTAssertTrue(problems("fms:\n  model: {at_step_start: 3, habituation_percent_per_min: 5}\n").contains { $0.contains("fms.model: unknown field") })
        XCTAssertTrue(problems("suds:\n  points: [{at: 0, value: 5}]\n  model: {at_step_start: 3, habituation_percent_per_min: 5}\n")
            .contains { $0.contains("give either `points` or `model`, not both") })
        XCTAssertTrue(problems("expectancy: {before: 80}\n").contains { $0.contains("expectancy.after: required field is missing") })
        XCTAssertTrue(problems("actions:\n  - {at: 1, therapist: {set_intensity: 5, fire_event: x}}\n").contains { $0.contains("give exactly one of") })
        XCTAssertEqual(problems("actions:\n  - {at: \"2:30\", therapist: {next_step: true, confirm: true}}\n"), [])
    }
}
