import XCTest
@testable import ExposureCore

/// The safety supervisor's rules, each through the engine.
final class SafetyTests: XCTestCase {
    func testOptOutGoesToSafeRoomAtOnceAndNeedsConsent() {
        let h = Harness()
        h.send(.therapist(.nextStep()))
        h.send(.patient(.optOut))
        XCTAssertEqual(h.state, .safeRoom(step: 1, cause: .optOut))
        XCTAssertTrue(h.tick().target.safeRoom, "the very next frame shows the safe room")
        h.send(.therapist(.resume))
        h.tick()
        XCTAssertEqual(h.state, .safeRoom(step: 1, cause: .optOut), "no resume without the patient's consent")
        XCTAssertTrue(h.rejections.last?.reason.contains("consent") ?? false)
        h.send(.patient(.consentToResume))
        h.send(.therapist(.resume))
        XCTAssertEqual(h.state, .running(step: 0), "comes back one step lower")
        h.tick()
        XCTAssertEqual(h.events { $0 == .safeRoomEntered }.first?.actor, .patient)
        XCTAssertEqual(h.events { $0 == .consentGiven }.first?.actor, .patient)
    }

    func testPatientResumeAfterOptOutIsConsent() {
        let h = Harness()
        h.send(.patient(.optOut))
        h.send(.patient(.resume))
        XCTAssertEqual(h.state, .running(step: 0))
        XCTAssertEqual(h.engine.intensity, 0, "first step: stepping down lowers the intensity instead")
    }

    func testSUDSAtCeilingStepsDownOncePerRating() {
        let h = Harness()
        h.send(.therapist(.nextStep()))
        h.send(.therapist(.nextStep(confirm: true)))
        XCTAssertEqual(h.state, .running(step: 2))
        h.send(.suds(85))
        h.tick()
        XCTAssertEqual(h.state, .running(step: 1))
        h.run(5)
        XCTAssertEqual(h.state, .running(step: 1), "one rating, one step down")
        h.send(.suds(90))
        h.tick()
        XCTAssertEqual(h.state, .running(step: 0))
        let downs = h.events { $0 == .stepChanged(from: 2, to: 1) || $0 == .stepChanged(from: 1, to: 0) }
        XCTAssertEqual(downs.map(\.actor), [.safety, .safety])
        XCTAssertTrue(downs[0].reason.contains("SUDS 85 is at or above the ceiling 85"), downs[0].reason)
        h.send(.suds(84))
        h.tick()
        XCTAssertEqual(h.state, .running(step: 0))
    }

    func testFMSOverStopPausesAndResumeNeedsLowerRating() {
        let h = Harness()
        h.send(.fms(10))
        h.tick()
        XCTAssertEqual(h.state, .running(step: 0), "at the threshold is not over it")
        h.send(.fms(11))
        h.tick()
        XCTAssertEqual(h.state, .paused(step: 0, by: .safety))
        h.send(.therapist(.resume))
        XCTAssertEqual(h.state, .paused(step: 0, by: .safety))
        h.send(.fms(4))
        h.send(.therapist(.resume))
        XCTAssertEqual(h.state, .running(step: 0))
        XCTAssertTrue(h.events { $0 == .paused }.first?.reason.contains("FMS 11") ?? false)
    }

    func testHeartRateOverBaselineStepsDownWithCooldown() {
        let h = Harness()
        h.send(.therapist(.nextStep()))
        h.send(.therapist(.nextStep(confirm: true)))
        h.send(.heartRateBaseline(bpm: 70))
        h.send(.heartRate(bpm: 97))     // 38.6% over: fine
        h.tick()
        XCTAssertEqual(h.state, .running(step: 2))
        h.send(.heartRate(bpm: 100))    // 42.9% over
        h.tick()
        XCTAssertEqual(h.state, .running(step: 1))
        h.run(30)
        XCTAssertEqual(h.state, .running(step: 1), "cooldown of 60 s")
        h.run(30)
        XCTAssertEqual(h.state, .running(step: 0))
        let reason = h.events { $0 == .stepChanged(from: 2, to: 1) }.first?.reason ?? ""
        XCTAssertTrue(reason.contains("heart rate 100 bpm is 43% over the baseline 70 bpm"), reason)
    }

    func testHeartRateBaselineFromFirstMinute() {
        let h = Harness()
        for _ in 0..<60 { h.send(.heartRate(bpm: 80)); h.run(1) }
        XCTAssertEqual(h.engine.heartRateBaseline, 80)
        XCTAssertEqual(h.events { if case .ratingRecorded(.heartRateBaseline, _) = $0 { return true }; return false }.first?.actor, .system)
    }

    func testLinkLossHoldsEscalationThenSafeRoom() {
        let h = Harness()
        h.send(.suds(60))
        h.send(.therapistLink(connected: false))
        h.run(5)
        h.send(.suds(10))
        h.run(10)
        XCTAssertEqual(h.state, .running(step: 0), "rule is met but moving up is held")
        XCTAssertEqual(h.events { $0 == .escalationHeld }.count, 1)
        h.run(15)
        XCTAssertEqual(h.state, .safeRoom(step: 0, cause: .linkLost))
        XCTAssertEqual(h.events { $0 == .safeRoomEntered }.first?.time, 30)
        XCTAssertEqual(h.events { $0 == .safeRoomEntered }.first?.actor, .safety)
        h.send(.therapistLink(connected: true))
        h.send(.therapist(.resume))
        XCTAssertEqual(h.state, .running(step: 0))
    }

    func testPoorFrameRateHoldsThenPauses() {
        let h = Harness()
        h.send(.frameRate(healthy: false))
        h.run(9)
        XCTAssertEqual(h.state, .running(step: 0))
        h.send(.therapist(.nextStep(confirm: true)))
        XCTAssertEqual(h.state, .running(step: 0), "no moving up, even confirmed, while frames are dropped (cybersickness)")
        h.run(1)
        XCTAssertEqual(h.rejections.last?.kind, .rejected("next step (confirmed)", rule: .frameRate))
        XCTAssertEqual(h.state, .paused(step: 0, by: .safety))
        h.send(.frameRate(healthy: true))
        h.send(.therapist(.resume))
        XCTAssertEqual(h.state, .running(step: 0))
    }

    func testSessionTimeLimitEndsGracefullyEvenWhenPaused() {
        let h = Harness(makePlan(maxMinutes: 2))
        h.send(.patient(.pause))
        h.run(119)
        XCTAssertEqual(h.state, .paused(step: 0, by: .patient))
        h.run(1)
        XCTAssertEqual(h.state, .ended(.timeLimit))
        let end = h.events { $0 == .ended(.timeLimit) }
        XCTAssertEqual(end.count, 1)
        XCTAssertEqual(end.first?.actor, .safety)
        XCTAssertTrue(h.lastOutput?.target.safeRoom ?? false)
    }

    func testSupervisorPrefersMostProtectiveAction() {
        let limits = SafetyLimits(sudsCeiling: 80, fmsStop: 10, heartRateOverBaselinePercent: 40, linkLossTimeout: 10, maxIntensityChange: 20)
        let sup = SafetySupervisor(limits: limits, sessionLimit: 600)
        var s = SafetySignals(now: 100, sessionStart: 0, state: .running(step: 2))
        s.newSUDSAtCeiling = 95
        s.newFMSOverStop = 15
        s.heartRate = 200; s.heartRateBaseline = 60
        XCTAssertEqual(sup.evaluate(s).first, .pause(reason: "FMS 15 is over the stop threshold 10"))
        s.linkLostSince = 80
        guard case .safeRoom(.linkLost, _)? = sup.evaluate(s).first else { return XCTFail("\(sup.evaluate(s))") }
        s.now = 600
        guard case .end(.timeLimit, _)? = sup.evaluate(s).first else { return XCTFail("\(sup.evaluate(s))") }
        XCTAssertEqual(sup.evaluate(SafetySignals(now: 9999, sessionStart: 0, state: .ended(.completed))), [])
    }

    func testHighFMSOrPoorFramesBlockEveryResume() {
        let h = Harness()
        h.send(.patient(.pause))
        h.send(.fms(15))                       // reported while paused: no new pause, but no resume either
        h.send(.patient(.resume))
        XCTAssertEqual(h.state, .paused(step: 0, by: .patient))
        h.send(.fms(3))
        h.send(.frameRate(healthy: false))
        h.send(.patient(.resume))
        XCTAssertEqual(h.state, .paused(step: 0, by: .patient))
        h.send(.frameRate(healthy: true))
        h.send(.patient(.optOut))
        h.send(.fms(16))
        h.send(.patient(.resume))              // consent is recorded, the resume waits
        XCTAssertEqual(h.state, .safeRoom(step: 0, cause: .optOut))
        h.send(.fms(2))
        h.send(.therapist(.resume))            // consent given above still stands
        XCTAssertEqual(h.state, .running(step: 0))
        h.tick()
        XCTAssertEqual(h.rejections.map(\.reason), [
            "the last FMS rating 15 is over 10; ask for FMS again before going on",
            "the frame rate is still too low to go on safely",
            "the last FMS rating 16 is over 10; ask for FMS again before going on",
        ])
    }
}
