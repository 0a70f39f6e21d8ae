import XCTest
@testable import ExposureCore

/// Every state and rule of the engine on a virtual clock.
final class EngineTransitionTests: XCTestCase {
    func testNotStartedShowsSafeRoomAndRefusesRatings() {
        let h = Harness(start: false)
        XCTAssertEqual(h.tick().state, .notStarted)
        XCTAssertTrue(h.lastOutput?.target.safeRoom ?? false)
        h.send(.suds(50))
        h.send(.therapist(.nextStep()))
        h.tick()
        XCTAssertEqual(h.rejections.count, 2)
    }

    func testProtocolWithoutStepsCannotStart() {
        let h = Harness(makePlan(steps: []))
        XCTAssertEqual(h.state, .notStarted)
        XCTAssertEqual(h.rejections.first?.reason, "protocol `test` has no steps")
    }

    func testStartEntersFirstStepAndAsksForSUDS() {
        let h = Harness()
        XCTAssertEqual(h.state, .running(step: 0))
        XCTAssertEqual(h.lastOutput?.target, EnvironmentTarget(environment: "heights", intensity: 20, overrides: [:], safeRoom: false))
        XCTAssertEqual(h.lastOutput?.prompts, [.suds])
        XCTAssertEqual(h.events.first?.kind, .sessionStarted)
        XCTAssertTrue(h.events.contains { $0.kind == .intensityChanged(from: 0, to: 20) && $0.actor == .protocolRule })
        h.send(.start)
        h.tick()
        XCTAssertEqual(h.rejections.last?.kind, .rejected("start"))
    }

    func testSUDSDropMovesOnOnlyAfterMinimumDuration() {
        let h = Harness()
        h.send(.suds(60))
        h.run(3)
        h.send(.suds(20))
        h.run(5)
        XCTAssertEqual(h.state, .running(step: 0), "minimum duration of 10 s not reached yet")
        h.run(3)
        XCTAssertEqual(h.state, .running(step: 1))
        let change = h.events { $0 == .stepChanged(from: 0, to: 1) }.first
        XCTAssertEqual(change?.actor, .protocolRule)
        XCTAssertEqual(change?.time, 10)
        XCTAssertTrue(change?.reason.contains("SUDS fell from peak 60 to 20") ?? false, change?.reason ?? "")
        XCTAssertEqual(h.engine.intensity, 40)
    }

    func testMaximumDurationMovesOnAndLastStepCompletes() {
        let h = Harness()
        h.run(100)
        XCTAssertEqual(h.state, .running(step: 1))
        XCTAssertTrue(h.events { $0 == .stepChanged(from: 0, to: 1) }.first?.reason.contains("maximum duration") ?? false)
        h.run(200)
        XCTAssertEqual(h.state, .ended(.completed))
        XCTAssertTrue(h.lastOutput?.target.safeRoom ?? false)
        XCTAssertEqual(h.events.last?.actor, .protocolRule)
    }

    func testSUDSPromptCadenceAndFMSEveryMinute() {
        let h = Harness()
        var suds: [Double] = [0], fms: [Double] = []
        for out in h.run(95) {
            if out.prompts.contains(.suds) { suds.append(out.time) }
            if out.prompts.contains(.fms) { fms.append(out.time) }
        }
        XCTAssertEqual(suds, [0, 30, 60, 90])
        XCTAssertEqual(fms, [60])
    }

    func testTimedStepEventsFireOnce() {
        var plan = makePlan()
        plan.steps[0].events = [TimedEvent(at: 5, name: "wind_gust")]
        let h = Harness(plan)
        h.run(20)
        let fired = h.events { $0 == .environmentEvent("wind_gust") }
        XCTAssertEqual(fired.count, 1)
        XCTAssertEqual(fired.first?.time, 5)
        XCTAssertEqual(fired.first?.actor, .protocolRule)
    }

    func testStepParametersBecomeOverridesAndTherapistCanSetOne() {
        var plan = makePlan()
        plan.steps[0].parameters = ["railing": .choice("full")]
        plan.steps[1].parameters = ["railing": .choice("low"), "wind_mps": .number(3)]
        let h = Harness(plan)
        XCTAssertEqual(h.lastOutput?.target.overrides, ["railing": .choice("full")])
        // This vocabulary has no curves: a change cannot be measured, so it needs confirm.
        h.send(.therapist(.setParameter("wind_mps", .number(4))))
        h.send(.therapist(.setParameter("wind_mps", .number(4), confirm: true)))
        h.send(.therapist(.setParameter("wind_mps", .number(40), confirm: true)))
        h.send(.therapist(.setParameter("colour", .choice("red"), confirm: true)))
        XCTAssertEqual(h.tick().target.overrides, ["railing": .choice("full"), "wind_mps": .number(4)])
        XCTAssertEqual(h.rejections.map(\.rejectionRule),
                       [.escalationLimit, .invalid, .invalid])
        XCTAssertTrue(h.rejections[1].reason.contains("out of range"), h.rejections[1].reason)
        h.send(.therapist(.nextStep()))
        XCTAssertEqual(h.tick().target.overrides, ["railing": .choice("low"), "wind_mps": .number(3)])
    }

    func testTherapistNextPreviousAndFireEvent() {
        let h = Harness()
        h.send(.therapist(.nextStep()))
        XCTAssertEqual(h.state, .running(step: 1))
        h.send(.therapist(.previousStep))
        h.send(.therapist(.previousStep))
        XCTAssertEqual(h.state, .running(step: 0))
        h.send(.therapist(.fireEvent("crowd_arrives")))
        h.tick()
        XCTAssertEqual(h.rejections.map(\.reason), ["already at the first step"])
        XCTAssertEqual(h.events { $0 == .environmentEvent("crowd_arrives") }.first?.actor, .therapist)
        let stepChanges = h.events { if case .stepChanged = $0 { return true }; return false }
        XCTAssertEqual(stepChanges.map(\.actor), [.protocolRule, .therapist, .therapist])
    }

    func testSetIntensityWithinBoundsAndMaxChange() {
        let h = Harness(makePlan(maxIntensity: 80))
        h.send(.therapist(.setIntensity(35)))          // +15: fine
        XCTAssertEqual(h.engine.intensity, 35)
        h.send(.therapist(.setIntensity(45)))          // +10 more within 10 s: 25 > 20, refused
        XCTAssertEqual(h.engine.intensity, 35)
        h.send(.therapist(.setIntensity(90, confirm: true)))   // outside the protocol's bounds even confirmed
        XCTAssertEqual(h.engine.intensity, 35)
        h.send(.therapist(.setIntensity(80, confirm: true)))
        XCTAssertEqual(h.engine.intensity, 80)
        h.send(.therapist(.setIntensity(10)))          // going down is never limited
        XCTAssertEqual(h.engine.intensity, 10)
        h.run(10)
        h.send(.therapist(.setIntensity(30)))          // a new window
        XCTAssertEqual(h.engine.intensity, 30)
        h.tick()
        XCTAssertEqual(h.rejections.count, 2)
        XCTAssertTrue(h.rejections[0].reason.contains("send it again with confirm"), h.rejections[0].reason)
        XCTAssertTrue(h.rejections[1].reason.contains("outside this protocol's bounds 0...80"), h.rejections[1].reason)
    }

    func testNextStepBigJumpNeedsConfirm() {
        let steps = [ProtocolStep(id: "a", title: "A", intensity: 10, progression: .therapistDecision),
                     ProtocolStep(id: "b", title: "B", intensity: 100, progression: .therapistDecision)]
        let h = Harness(makePlan(steps: steps))
        h.send(.therapist(.nextStep()))
        XCTAssertEqual(h.state, .running(step: 0))
        h.send(.therapist(.nextStep(confirm: true)))
        XCTAssertEqual(h.state, .running(step: 1))
        XCTAssertEqual(h.engine.intensity, 100)
    }

    func testPauseAndResumeByPatientAndTherapist() {
        let h = Harness()
        h.run(5)
        h.send(.patient(.pause))
        XCTAssertEqual(h.state, .paused(step: 0, by: .patient))
        XCTAssertTrue(h.tick().target.safeRoom)
        h.run(200)
        XCTAssertEqual(h.state, .paused(step: 0, by: .patient), "time paused does not count towards the step")
        XCTAssertEqual(h.engine.progress.elapsed, 5)
        h.send(.patient(.resume))
        XCTAssertEqual(h.state, .running(step: 0))
        h.send(.therapist(.pause))
        h.send(.patient(.resume))
        XCTAssertEqual(h.state, .paused(step: 0, by: .therapist), "the patient cannot lift the therapist's pause")
        h.send(.therapist(.resume))
        XCTAssertEqual(h.state, .running(step: 0))
        h.tick()
        XCTAssertEqual(h.events { $0 == .resumed }.map(\.actor), [.patient, .therapist])
    }

    func testTherapistEndsSession() {
        let h = Harness()
        h.send(.therapist(.end))
        XCTAssertEqual(h.state, .ended(.therapist))
        h.send(.therapist(.resume))
        h.send(.patient(.resume))
        h.tick()
        XCTAssertEqual(h.state, .ended(.therapist))
        XCTAssertEqual(h.rejections.count, 2)
    }

    func testExpectancyTrialAsksBeforeAndAfterAndMovesOnWhenViolated() {
        let steps = [ProtocolStep(id: "trial", title: "Trial", intensity: 30, minDuration: 60, maxDuration: 600,
                                  progression: .expectancyViolation(minDrop: 30), sudsEvery: 300),
                     ProtocolStep(id: "next", title: "Next", intensity: 40, progression: .therapistDecision)]
        let h = Harness(makePlan(steps: steps))
        XCTAssertEqual(h.lastOutput?.prompts, [.expectancyBefore, .suds], "expectancy first: it is about the trial about to start")
        h.send(.expectancy(80, .before))
        let prompts = h.run(60).flatMap(\.prompts)
        XCTAssertEqual(prompts.filter { $0 == .expectancyAfter }.count, 1, "asked once, when the trial's minimum has passed")
        XCTAssertEqual(h.state, .running(step: 0))
        h.send(.expectancy(60, .after))     // a drop of 20: not enough
        h.run(5)
        XCTAssertEqual(h.state, .running(step: 0))
        h.send(.expectancy(45, .after))     // 35 points below the expectation: violated
        h.tick()
        XCTAssertEqual(h.state, .running(step: 1))
        let reason = h.events { $0 == .stepChanged(from: 0, to: 1) }.first?.reason ?? ""
        XCTAssertTrue(reason.contains("expectancy 80 before, 45 after the trial"), reason)
    }

    func testPatientCanOptOutFromAnyPauseAndFromALinkLossSafeRoom() {
        let h = Harness()
        h.send(.therapist(.pause))
        h.send(.patient(.optOut))
        XCTAssertEqual(h.state, .safeRoom(step: 0, cause: .optOut))
        let g = Harness()
        g.send(.therapistLink(connected: false))
        g.run(30)
        XCTAssertEqual(g.state, .safeRoom(step: 0, cause: .linkLost))
        g.send(.patient(.optOut))
        XCTAssertEqual(g.state, .safeRoom(step: 0, cause: .optOut), "the opt-out now governs: consent is needed")
        g.send(.therapistLink(connected: true))
        g.send(.therapist(.resume))
        XCTAssertEqual(g.state, .safeRoom(step: 0, cause: .optOut))
    }
}
