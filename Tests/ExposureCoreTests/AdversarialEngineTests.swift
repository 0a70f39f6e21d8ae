import XCTest
@testable import ExposureCore

/// Inputs a real session will eventually see: commands at the wrong time, conflicting rules,
/// broken clocks, garbage ratings, floods. The engine must stay consistent and say why.
final class AdversarialEngineTests: XCTestCase {
    func testCommandsDuringOptOutCannotRaiseIntensity() {
        let h = Harness()
        h.send(.patient(.optOut))
        h.send(.therapist(.setIntensity(30)))
        h.send(.therapist(.nextStep(confirm: true)))
        h.send(.therapist(.setParameter("wind_mps", .number(10))))
        h.send(.therapist(.fireEvent("wind_gust")))
        h.send(.therapist(.resume))
        h.send(.patient(.optOut))
        h.send(.therapist(.setIntensity(5)))    // lowering is allowed: it applies on return
        let out = h.tick()
        XCTAssertEqual(out.state, .safeRoom(step: 0, cause: .optOut))
        XCTAssertTrue(out.target.safeRoom)
        XCTAssertEqual(out.target.intensity, 5)
        XCTAssertEqual(h.rejections.count, 6)
        XCTAssertTrue(h.rejections.allSatisfy { !$0.reason.isEmpty })
        XCTAssertFalse(h.events.contains { $0.kind == .environmentEvent("wind_gust") })
    }

    func testConflictingRulesInOneTickSafetyWins() {
        // Protocol rule met, therapist moves up, and SUDS hits the ceiling: all in the same tick.
        let h = Harness()
        h.send(.suds(80))
        h.run(10)
        h.send(.suds(86))      // also "dropped"? no: peak 86; the ceiling wins
        h.send(.therapist(.nextStep()))
        h.tick()
        XCTAssertEqual(h.state, .running(step: 0), "safety stepped down after the therapist's step up")
        // Opt-out and a therapist command in the same tick, in either order.
        for order in [true, false] {
            let g = Harness()
            if order { g.send(.therapist(.nextStep())); g.send(.patient(.optOut)) }
            else { g.send(.patient(.optOut)); g.send(.therapist(.nextStep())) }
            XCTAssertTrue(g.tick().target.safeRoom)
            guard case .safeRoom(_, .optOut) = g.state else { return XCTFail("\(g.state)") }
        }
        // FMS stop and SUDS ceiling together: the pause wins, nothing moves up.
        let f = Harness()
        f.send(.therapist(.nextStep()))
        f.send(.suds(99)); f.send(.fms(18))
        f.tick()
        XCTAssertEqual(f.state, .paused(step: 1, by: .safety))
    }

    func testClockGoingBackwardsIsIgnoredAndReported() {
        let h = Harness()
        h.run(50)
        h.clock.set(20)
        let out = h.tick()
        XCTAssertEqual(out.time, 50)
        XCTAssertEqual(out.events.first?.kind, .clockJump(-30))
        XCTAssertEqual(out.events.first?.actor, .system)
        XCTAssertEqual(h.engine.progress.elapsed, 50)
        h.clock.set(.nan)
        XCTAssertEqual(h.tick().time, 50)
        h.clock.set(-.infinity)
        XCTAssertEqual(h.tick().time, 50)
        h.clock.set(51)
        XCTAssertEqual(h.tick().time, 51)
        XCTAssertEqual(h.engine.progress.elapsed, 51, "time is counted once, no double counting after the jump")
    }

    func testClockJumpingForwardIsReportedAndMovesOneStepAtMost() {
        let h = Harness()
        h.clock.set(1000)
        let out = h.tick()
        XCTAssertTrue(out.events.contains { $0.kind == .clockJump(1000) })
        XCTAssertEqual(out.state, .running(step: 1), "one step per tick, not three")
        h.clock.set(1e7)
        XCTAssertEqual(h.tick().state, .ended(.timeLimit))
    }

    func testNaNAndOutOfRangeRatingsAreRejectedNotStored() {
        let h = Harness()
        let bad: [EngineInput] = [.suds(.nan), .suds(-1), .suds(101), .suds(.infinity), .fms(21), .fms(.nan),
                                  .expectancy(.nan, .before), .expectancy(200, .after), .heartRate(bpm: .nan),
                                  .heartRate(bpm: 0), .heartRate(bpm: 900), .heartRateBaseline(bpm: -5),
                                  .therapist(.setIntensity(.nan)), .therapist(.setIntensity(-10, confirm: true)),
                                  .therapist(.setParameter("height_m", .number(.nan)))]
        bad.forEach(h.send)
        h.tick()
        XCTAssertEqual(h.rejections.count, bad.count, "\(h.rejections)")
        XCTAssertEqual(h.engine.progress, StepProgress())
        XCTAssertNil(h.engine.heartRateBaseline)
        XCTAssertEqual(h.engine.intensity, 20)
        XCTAssertEqual(h.state, .running(step: 0))
        XCTAssertFalse(h.events.contains { if case .ratingRecorded = $0.kind { return true }; return false })
    }

    func testFloodOfCommandsIsBoundedAndCannotClimb() {
        let h = Harness()
        for i in 0..<10_000 { h.send(.therapist(.setIntensity(Double(21 + i % 80)))) }
        let out = h.tick()
        XCTAssertLessThanOrEqual(h.engine.intensity, 40, "rises add up against the limit of 20 over 10 s")
        XCTAssertLessThan(out.events.count, 100, "a flood does not turn into a flood of events")
        XCTAssertTrue(h.rejections.contains { $0.reason.contains("commands in one second") })
        h.send(.therapist(.setIntensity(10)))
        XCTAssertEqual(h.engine.intensity, 10, "lowering is never crowded out by a flood")
        h.send(.therapist(.pause))
        XCTAssertEqual(h.state, .paused(step: 0, by: .therapist), "nor is a pause")
        h.run(1)
        h.send(.therapist(.resume))
        XCTAssertEqual(h.state, .running(step: 0), "other commands work again in the next second")
    }

    func testPatientActionsInWrongStatesAreRejected() {
        let h = Harness()
        h.send(.patient(.resume))
        h.send(.patient(.consentToResume))
        h.send(.therapist(.resume))
        h.send(.therapist(.end))
        h.send(.patient(.optOut))
        h.send(.patient(.pause))
        h.tick()
        XCTAssertEqual(h.rejections.count, 5)
        XCTAssertEqual(h.state, .ended(.therapist))
    }

    /// Property: whatever the inputs, intensity stays inside the protocol's bounds, a non-running
    /// session shows the safe room, nothing moves up while opted out, and every change names an
    /// actor and a reason. Seeded, so a failure can be replayed.
    func testRandomInputSequencesKeepTheInvariants() {
        for seed in 1...60 {
            var rng = SeededGenerator(seed: UInt64(seed))
            let h = Harness(makePlan(maxMinutes: 10, minIntensity: 10, maxIntensity: 70))
            var optedOutSince: Int? = nil
            for _ in 0..<400 {
                let before = h.engine.intensity
                let beforeStep = h.engine.currentStepIndex
                let input = randomInput(&rng)
                h.send(input)
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    h.clock.advance(by: Double.random(in: -5...20, using: &rng))
                }
                let out = h.tick()
                XCTAssertTrue((10...70).contains(out.target.intensity), "seed \(seed): \(out.target.intensity)")
                if !out.state.isRunning { XCTAssertTrue(out.target.safeRoom, "seed \(seed): \(out.state)") }
                if case .safeRoom(_, .optOut) = out.state {
                    if optedOutSince != nil {
                        XCTAssertLessThanOrEqual(out.target.intensity, before, "seed \(seed): rose during opt-out")
                        if let b = beforeStep, let a = out.state.step { XCTAssertLessThanOrEqual(a, b, "seed \(seed)") }
                    }
                    optedOutSince = optedOutSince ?? 1
                } else { optedOutSince = nil }
                for e in out.events { XCTAssertFalse(e.reason.isEmpty, "seed \(seed): \(e)") }
                if case .ended = out.state { break }
            }
        }
    }

    func randomInput(_ rng: inout SeededGenerator) -> EngineInput {
        let numbers: [Double] = [.nan, -1, 0, 5, 10, 20, 50, 84, 85, 100, 150, .infinity, 11, 19]
        let n = { (r: inout SeededGenerator) in numbers[Int.random(in: 0..<numbers.count, using: &r)] }
        switch Int.random(in: 0..<16, using: &rng) {
        case 0: return .suds(n(&rng))
        case 1: return .fms(n(&rng))
        case 2: return .heartRate(bpm: Double.random(in: 40...200, using: &rng))
        case 3: return .therapist(.setIntensity(n(&rng), confirm: Bool.random(using: &rng)))
        case 4: return .therapist(.nextStep(confirm: Bool.random(using: &rng)))
        case 5: return .therapist(.previousStep)
        case 6: return .therapist(.pause)
        case 7: return .therapist(.resume)
        case 8: return .patient(.optOut)
        case 9: return .patient(.pause)
        case 10: return .patient(.resume)
        case 11: return .patient(.consentToResume)
        case 12: return .therapistLink(connected: Bool.random(using: &rng))
        case 13: return .frameRate(healthy: Bool.random(using: &rng))
        case 14: return .expectancy(n(&rng), Bool.random(using: &rng) ? .before : .after)
        default: return .therapist(.setParameter("height_m", .number(n(&rng))))
        }
    }
}

/// SplitMix64: small, deterministic, good enough for test input.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
