import Testing
import PropertyBased
@testable import ExposureCore

/// Properties checked on generated inputs (swift-property-based, run by Swift Testing).
struct ProgressionRuleProperties {
    static let ratings = Gen.double(in: 0...100).array(of: 0...6)

    func progress(_ suds: [Double], elapsed: Double, before: Double?, after: Double?) -> StepProgress {
        var p = StepProgress()
        p.elapsed = elapsed
        suds.forEach { p.recordSUDS($0) }
        p.expectancyBefore = before
        p.expectancyAfter = after
        return p
    }

    @Test func combinatorsAreAndAndOr() async {
        await propertyCheck(input: Self.ratings, Gen.double(in: 0...600), Gen.double(in: 0...100), Gen.double(in: 0...100)) { suds, elapsed, a, b in
            let p = progress(suds, elapsed: elapsed, before: a, after: b)
            let rules: [ProgressionRule] = [.sudsDropPercent(50), .sudsAtOrBelow(30), .fixedDuration(300), .expectancyViolation(minDrop: 20)]
            for x in rules {
                for y in rules {
                    #expect(ProgressionRule.all([x, y]).isMet(by: p).met == (x.isMet(by: p).met && y.isMet(by: p).met))
                    #expect(ProgressionRule.any([x, y]).isMet(by: p).met == (x.isMet(by: p).met || y.isMet(by: p).met))
                }
            }
        }
    }

    @Test func peakIsTheHighestRating() async {
        await propertyCheck(input: Gen.double(in: 0...100).array(of: 1...20)) { suds in
            let p = progress(suds, elapsed: 0, before: nil, after: nil)
            #expect(p.sudsPeak == suds.max())
            #expect(p.sudsLatest == suds.last)
            #expect(p.sudsCount == suds.count)
        }
    }
}

struct EngineProperties {
    /// Any rating outside its scale is refused and leaves the step's progress untouched.
    @Test func outOfScaleRatingsAreNeverStored() async {
        await propertyCheck(input: Gen.double(in: -1000...1000), Gen.int(in: 0...2)) { value, which in
            let engine = ExposureEngine(protocol: makePlan())
            engine.handle(.start, at: 0)
            _ = engine.tick(at: 0)
            let input: EngineInput, scale: ClosedRange<Double>
            switch which {
            case 0: input = .suds(value); scale = 0...100
            case 1: input = .fms(value); scale = 0...20
            default: input = .expectancy(value, .before); scale = 0...100
            }
            engine.handle(input, at: 1)
            let events = engine.tick(at: 1).events
            let stored = events.contains { if case .ratingRecorded = $0.kind { return true }; return false }
            #expect(stored == scale.contains(value))
            if !scale.contains(value) { #expect(engine.progress.sudsCount == 0 && engine.progress.expectancyBefore == nil) }
        }
    }

    /// A therapist's rise without confirm never exceeds the protocol's limit within the window.
    @Test func unconfirmedRisesStayWithinTheLimit() async {
        await propertyCheck(input: Gen.double(in: 0...100).array(of: 1...30)) { targets in
            let engine = ExposureEngine(protocol: makePlan())
            engine.handle(.start, at: 0)
            let start = engine.intensity
            for v in targets { engine.handle(.therapist(.setIntensity(v)), at: 0.1) }
            #expect(engine.intensity <= start + 20)
        }
    }
}

struct TraceProperties {
    @Test func interpolationStaysBetweenNeighbours() async {
        await propertyCheck(input: Gen.double(in: 0...100).array(of: 2...8), Gen.double(in: -10...1000)) { values, t in
            let points = values.enumerated().map { TracePoint(at: Double($0.offset) * 100, value: $0.element) }
            let v = PatientScript.Trace.points(points).value(at: t, step: 0, stepStart: 0) ?? .nan
            #expect(v >= values.min()! - 1e-9 && v <= values.max()! + 1e-9)
        }
    }
}
