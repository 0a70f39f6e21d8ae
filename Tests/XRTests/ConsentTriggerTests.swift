// The consent gesture: the trigger on either hand held for a second says "ready to go on" once per
// hold, never before the second is up, and never as part of the opt-out gesture (on simple
// controllers the grips and the trigger are the same select buttons).
import XCTest
@testable import XR

final class ConsentTriggerTests: XCTestCase {
    private let ms: Int64 = 1_000_000

    /// Steps the interpreter every 10 ms from `startMs` to `endMs`; returns (time in ms, events) where events occurred.
    private func run(_ i: inout InputInterpreter, from startMs: Int64 = 0, to endMs: Int64,
                     reading: (Int64) -> ControllerReading) -> [(Int64, [InputEvent])] {
        var out: [(Int64, [InputEvent])] = []
        for t in stride(from: startMs, through: endMs, by: 10) {
            let e = i.update(time: t * ms, reading: reading(t))
            if !e.isEmpty { out.append((t, e)) }
        }
        return out
    }

    func testTriggerHeldForOneSecondConsentsOnceAndNotBefore() {
        var i = InputInterpreter()
        let events = run(&i, to: 4000) { t in ControllerReading(rightTrigger: t >= 500 ? 1 : 0) }
        XCTAssertEqual(events.map { $0.0 }, [1500], "once, exactly when the second is up: \(events)")
        XCTAssertEqual(events.first?.1, [.consent])
    }

    func testEitherHandConsents() {
        for reading in [ControllerReading(leftTrigger: 1), ControllerReading(rightTrigger: 0.9)] {
            var i = InputInterpreter()
            XCTAssertEqual(run(&i, to: 1200) { _ in reading }.map { $0.0 }, [1000], "\(reading)")
        }
    }

    func testHoldProgressIsReportedWhileHeldAndClearedAfter() {
        var i = InputInterpreter()
        _ = i.update(time: 0, reading: ControllerReading())
        XCTAssertNil(i.consentHold, "nothing held")
        _ = i.update(time: 100 * ms, reading: ControllerReading(leftTrigger: 1))
        XCTAssertEqual(i.consentHold ?? -1, 0, accuracy: 1e-9)
        _ = i.update(time: 600 * ms, reading: ControllerReading(leftTrigger: 1))
        XCTAssertEqual(i.consentHold ?? -1, 0.5, accuracy: 1e-9)
        XCTAssertEqual(i.update(time: 1100 * ms, reading: ControllerReading(leftTrigger: 1)), [.consent])
        XCTAssertNil(i.consentHold, "given: no bar left to fill")
        _ = i.update(time: 1500 * ms, reading: ControllerReading(leftTrigger: 1))
        XCTAssertNil(i.consentHold, "still the same hold: it does not fill again")
    }

    func testNotAgainUntilReleasedThenAgain() {
        var i = InputInterpreter()
        let events = run(&i, to: 5000) { t in ControllerReading(leftTrigger: (t < 3000 || t >= 3200) ? 1 : 0) }
        XCTAssertEqual(events.map { $0.0 }, [1000, 4200], "one per hold: \(events)")
    }

    func testShortOrLightHoldsDoNotConsent() {
        var i = InputInterpreter()
        let short = run(&i, to: 3000) { t in ControllerReading(rightTrigger: (t / 900) % 2 == 0 ? 1 : 0) }
        XCTAssertTrue(short.isEmpty, "holds of 0.9 s must not consent: \(short)")
        var j = InputInterpreter()
        let light = run(&j, to: 3000) { _ in ControllerReading(rightTrigger: 0.5) }
        XCTAssertTrue(light.isEmpty, "a trigger resting under the threshold is not held: \(light)")
    }

    func testHoldTimeIsConfigurable() {
        var s = InputSettings(); s.consentHoldSeconds = 2
        var i = InputInterpreter(settings: s)
        XCTAssertEqual(run(&i, to: 3000) { _ in ControllerReading(rightTrigger: 1) }.map { $0.0 }, [2000])
    }

    func testGripsAloneNeverConsentAndOneGripDoesNotStopTheTrigger() {
        var i = InputInterpreter()
        let grips = run(&i, to: 3000) { _ in ControllerReading(leftGrip: 1, rightGrip: 1) }
        XCTAssertEqual(grips.flatMap { $0.1 }, [.optOut])
        var j = InputInterpreter()
        let oneGrip = run(&j, to: 2000) { _ in ControllerReading(leftGrip: 1, rightTrigger: 1) }
        XCTAssertEqual(oneGrip.flatMap { $0.1 }, [.consent], "holding one grip while pulling the trigger is still consent")
    }

    /// Simple controllers: both selects are the opt-out, one select is the trigger. Letting go of one
    /// after opting out leaves the other held, and that must not turn into consent.
    func testTriggerHeldThroughTheOptOutIsNotConsentUntilLetGo() {
        var i = InputInterpreter()
        let events = run(&i, to: 6000) { t in
            let both = t < 1500, one = t < 3500, again = t >= 4000
            return ControllerReading(leftGrip: both ? 1 : 0, rightGrip: one ? 1 : 0,
                                     leftTrigger: both ? 1 : 0, rightTrigger: (one || again) ? 1 : 0)
        }
        XCTAssertEqual(events.map { $0.0 }, [1000, 5000], "\(events)")
        XCTAssertEqual(events.map { $0.1 }, [[.optOut], [.consent]])
    }

    func testOptOutInTheMiddleOfAHoldCancelsIt() {
        var i = InputInterpreter()
        let events = run(&i, to: 3000) { t in
            let grips: Float = (500..<1600).contains(t) ? 1 : 0
            return ControllerReading(leftGrip: grips, rightGrip: grips, rightTrigger: 1)
        }
        XCTAssertEqual(events.flatMap { $0.1 }, [.optOut], "the hold became the opt-out: no consent with it: \(events)")
    }

    func testResetForgetsAHalfHeldTrigger() {
        var i = InputInterpreter()
        let held = ControllerReading(rightTrigger: 1)
        _ = i.update(time: 0, reading: held)
        _ = i.update(time: 800 * ms, reading: held)
        i.reset()
        XCTAssertNil(i.consentHold)
        XCTAssertEqual(i.update(time: 1100 * ms, reading: held), [], "the hold restarts after focus comes back")
        XCTAssertEqual(i.update(time: 2100 * ms, reading: held), [.consent])
    }
}
