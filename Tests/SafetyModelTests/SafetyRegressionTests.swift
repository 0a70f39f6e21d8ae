import XCTest
@testable import ExposureCore
import Environments

/// The bypasses found before the safety gate existed, each reproduced on a bundled protocol with
/// the environments' real curves. Every one of them passed on the old engine.
final class SafetyRegressionTests: XCTestCase {
    final class Session {
        let engine: ExposureEngine
        var now = 0.0
        var events: [EngineEvent] = []
        init(_ protocolFile: String, edit: (inout ExposureProtocol) -> Void = { _ in }) throws {
            let root = ExhaustiveSafetyTests.root
            let catalog = try EnvironmentCatalog.load(directory: root.appendingPathComponent("Environments").path)
            var plan = try ProtocolParser.load(path: root.appendingPathComponent("Protocols/\(protocolFile)").path, vocabulary: catalog.vocabulary)
            edit(&plan)
            engine = ExposureEngine(protocol: plan, parameterSpecs: catalog.vocabulary.parameters(of: plan.environment))
            send(.start)
            tick()
        }
        @discardableResult func send(_ input: EngineInput) -> Decision { engine.handle(input, at: now) }
        @discardableResult func therapist(_ c: TherapistCommand) -> Decision { send(.therapist(c)) }
        func tick() { events += engine.tick(at: now).events }
        func run(until t: Double) { while now < t { now = min(t, now + 1); tick() } }
    }

    func rule(_ d: Decision) -> SafetyRule? { if case .rejected(let r, _) = d { return r }; return nil }

    func testNextStepCannotLeaveAnOptOutAPauseOrAnFMSPause() throws {
        let s = try Session("heights-graded.yaml")
        // Level 25 is about 11 m here, 3.75 to 31 on the heights curve: a rise that needs confirm.
        XCTAssertEqual(rule(s.therapist(.setIntensity(25))), .escalationLimit)
        XCTAssertTrue(s.therapist(.setIntensity(25, confirm: true)).isApplied)
        s.run(until: 120)
        let height = s.engine.parameters["height_m"]
        s.send(.patient(.optOut))
        s.run(until: 130)
        XCTAssertEqual(rule(s.therapist(.nextStep())), .notRunning)
        XCTAssertEqual(rule(s.therapist(.nextStep(confirm: true))), .notRunning)
        s.tick()
        guard case .safeRoom(let step, .optOut) = s.engine.state else { return XCTFail("\(s.engine.state)") }
        XCTAssertEqual(s.engine.parameters["height_m"], height, "still the height of before the opt-out, at step \(step + 1)")

        let p = try Session("heights-graded.yaml")
        p.therapist(.pause)
        XCTAssertEqual(rule(p.therapist(.nextStep(confirm: true))), .notRunning)
        XCTAssertEqual(p.engine.state, .paused(step: 0, by: .therapist))

        let f = try Session("heights-graded.yaml")
        f.send(.fms(15))
        f.tick()
        XCTAssertEqual(f.engine.state, .paused(step: 0, by: .safety))
        XCTAssertEqual(rule(f.therapist(.resume)), .cybersickness)
        XCTAssertEqual(rule(f.therapist(.nextStep(confirm: true))), .notRunning)
        XCTAssertEqual(rule(f.therapist(.goToStep(3, confirm: true))), .notRunning)
        XCTAssertEqual(f.engine.state, .paused(step: 0, by: .safety), "FMS too high: nothing takes the session back to running")
    }

    func testAHarsherStepWithTheSameLevelNeedsConfirm() throws {
        let s = try Session("heights-graded.yaml") { plan in
            plan.steps[1].intensity = plan.steps[0].intensity
            plan.steps[1].parameters = ["height_m": .number(150), "floor": .choice("glass"), "railing": .choice("none")]
        }
        let refused = s.therapist(.nextStep())
        XCTAssertEqual(rule(refused), .escalationLimit, "\(refused)")
        XCTAssertEqual(s.engine.state, .running(step: 0))
        XCTAssertTrue(s.therapist(.nextStep(confirm: true)).isApplied)
        XCTAssertEqual(s.engine.parameters["height_m"], .number(150))
    }

    func testSetParameterCannotSkipTheEscalationLimit() throws {
        let s = try Session("crowds-social.yaml")
        XCTAssertEqual(rule(s.therapist(.setParameter("density_per_m2", .number(1.8)))), .escalationLimit)
        XCTAssertNotEqual(s.engine.parameters["density_per_m2"], .number(1.8))
        // Small rises add up within the window.
        let level = { StimulusModel(specs: s.engine.parameterSpecs).level(of: "density_per_m2", $0) ?? -1 }
        XCTAssertEqual(level(.number(1.8)), 96, accuracy: 1e-9, "1.8 people/m² on the crowds curve (2.0 at level 100)")
        XCTAssertTrue(s.therapist(.setParameter("density_per_m2", .number(1.8), confirm: true)).isApplied)
        XCTAssertEqual(s.engine.parameters["density_per_m2"], .number(1.8))
    }

    func testALevelTheTherapistLoweredDuringAnOptOutAppliesOnReturn() throws {
        let s = try Session("heights-graded.yaml")
        XCTAssertTrue(s.therapist(.goToStep(2, confirm: true)).isApplied)
        XCTAssertEqual(s.engine.intensity, 20)
        s.send(.patient(.optOut))
        XCTAssertTrue(s.therapist(.setIntensity(0)).isApplied, "lowering is allowed in the safe room")
        XCTAssertEqual(rule(s.therapist(.resume)), .consentNeeded)
        XCTAssertTrue(s.therapist(.recordVerbalConsent).isApplied, "the patient said so aloud")
        XCTAssertTrue(s.therapist(.resume).isApplied, "the therapist's resume works after recorded consent")
        XCTAssertEqual(s.engine.state, .running(step: 1), "one step lower")
        XCTAssertEqual(s.engine.intensity, 0, "and at the level the therapist chose meanwhile")
    }

    func testNothingIsRecordedAfterTheEnd() throws {
        let s = try Session("heights-graded.yaml")
        s.therapist(.end)
        s.tick()
        let count = s.events.count
        s.send(.therapistLink(connected: false))
        s.send(.frameRate(healthy: false))
        s.run(until: 120)
        XCTAssertEqual(rule(s.send(.suds(40))), .sessionNotLive)
        XCTAssertEqual(rule(s.therapist(.nextStep(confirm: true))), .sessionNotLive)
        s.tick()
        XCTAssertTrue(s.events[count...].allSatisfy { $0.rejectionRule != nil }, "\(s.events[count...].map(\.kind))")
        XCTAssertFalse(s.events.contains { $0.kind == .linkChanged(connected: false) })
    }

    func testEveryOutcomeIsNamedForWhatHappened() throws {
        func outcome(_ file: String = "heights-graded.yaml", _ body: (Session) -> Void) throws -> (EndReason?, Int?) {
            let s = try Session(file)
            body(s)
            s.tick()
            if case .ended(let r) = s.engine.state { return (r, s.engine.lastStep) }
            return (nil, nil)
        }
        var r = try outcome { s in s.therapist(.nextStep()); s.run(until: 174); s.therapist(.end) }
        XCTAssertEqual(r.0, .therapist); XCTAssertEqual(r.1, 1, "ended by the therapist at step 2, not completed")
        r = try outcome { s in s.run(until: 35 * 60 - 200); s.therapist(.goToStep(10, confirm: true)); s.run(until: 35 * 60 + 1) }
        XCTAssertEqual(r.0, .timeLimit, "cut by the time limit in the middle of the last step")
        r = try outcome { s in s.send(.patient(.optOut)); s.therapist(.end) }
        XCTAssertEqual(r.0, .patientStopped)
        r = try outcome { s in s.send(.fms(15)); s.tick(); s.therapist(.end) }
        XCTAssertEqual(r.0, .safetyStop)
        r = try outcome { s in s.send(.abort(reason: "SIGTERM")) }
        XCTAssertEqual(r.0, .aborted)
        r = try outcome("research-fixed-heights.yaml") { s in s.run(until: 3600) }
        XCTAssertEqual(r.0, .completed, "a protocol whose every step is done")
    }

    /// The same outcomes from scripted patients through the simulator (`exposure simulate`).
    func testScriptedPatientsForEachOutcome() throws {
        let root = ExhaustiveSafetyTests.root
        let catalog = try EnvironmentCatalog.load(directory: root.appendingPathComponent("Environments").path)
        func run(_ file: String, _ yaml: String) throws -> EngineState {
            let plan = try ProtocolParser.load(path: root.appendingPathComponent("Protocols/\(file)").path, vocabulary: catalog.vocabulary)
            let specs = catalog.vocabulary.parameters(of: plan.environment)
            let script = try PatientScriptParser.parse(text: yaml, file: "outcome.yaml", parameterSpecs: specs)
            return Simulator.run(plan, script: script, parameterSpecs: specs).finalState
        }
        let calm = "participant: sim-01\ntick_s: 1\nsuds:\n  points: [{at: 0, value: 30}, {at: 3000, value: 30}]\n"
        XCTAssertEqual(try run("research-fixed-heights.yaml", calm), .ended(.completed))
        XCTAssertEqual(try run("heights-graded.yaml", calm + "actions:\n  - {at: 30, therapist: next_step}\n  - {at: \"2:54\", therapist: end}\n"),
                       .ended(.therapist))
        XCTAssertEqual(try run("heights-graded.yaml", calm + "actions:\n  - {at: 60, patient: opt_out}\n  - {at: 120, therapist: end}\n"),
                       .ended(.patientStopped))
        XCTAssertEqual(try run("heights-graded.yaml", calm + "fms:\n  points: [{at: 0, value: 15}, {at: 3000, value: 15}]\nactions:\n  - {at: 200, therapist: end}\n"),
                       .ended(.safetyStop))
        // Opted out, consent given aloud and recorded by the therapist, then resumed: the session goes on.
        let back = try run("heights-graded.yaml", calm + "duration_min: 5\nactions:\n  - {at: 60, patient: opt_out}\n  - {at: 70, therapist: record_consent}\n  - {at: 71, therapist: resume}\n")
        XCTAssertTrue(back.isRunning, "\(back)")
    }

    func testARefusedRiseIsNotReportedAsApplied() throws {
        let s = try Session("heights-graded.yaml")
        s.therapist(.pause)
        let d = s.therapist(.setIntensity(15))
        XCTAssertEqual(rule(d), .notRunning)
        guard case .applied(let changes) = s.therapist(.setIntensity(0)) else { return XCTFail("lowering refused") }
        // The world moves with the level: the curve's 2 m at level 0 is calmer than the first step's 3 m.
        XCTAssertEqual(changes, ["level 5 -> 0", "height_m 3 -> 2"])
    }
}
