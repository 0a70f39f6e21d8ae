import XCTest
@testable import XR

final class InputInterpreterTests: XCTestCase {
    private let ms: Int64 = 1_000_000

    /// Steps the interpreter at `periodMs` from `startMs` to `endMs`, returning (time in ms, events) where events occurred.
    private func run(_ i: inout InputInterpreter, from startMs: Int64, to endMs: Int64, periodMs: Int64 = 10,
                     reading: (Int64) -> ControllerReading) -> [(Int64, [InputEvent])] {
        var out: [(Int64, [InputEvent])] = []
        var t = startMs
        while t <= endMs {
            let e = i.update(time: t * ms, reading: reading(t))
            if !e.isEmpty { out.append((t, e)) }
            t += periodMs
        }
        return out
    }

    func testBothGripsHeldForOneSecondOptOutOnce() {
        var i = InputInterpreter()
        let held = ControllerReading(leftGrip: 1, rightGrip: 1)
        let events = run(&i, from: 0, to: 3000) { t in t >= 500 ? held : ControllerReading() }
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(events.first?.0, 1500)
        XCTAssertEqual(events.first?.1, [.optOut])
    }

    func testOneGripOrAShortHoldDoesNotOptOut() {
        var i = InputInterpreter()
        let one = run(&i, from: 0, to: 2000) { _ in ControllerReading(leftGrip: 1, rightGrip: 0.2) }
        XCTAssertTrue(one.isEmpty)
        var j = InputInterpreter()
        let short = run(&j, from: 0, to: 3000) { t in (t / 900) % 2 == 0 ? ControllerReading(leftGrip: 1, rightGrip: 1) : ControllerReading() }
        XCTAssertTrue(short.isEmpty, "holds of 0.9 s must not opt out: \(short)")
    }

    func testReleasingRearmsTheGestureAndHoldTimeIsConfigurable() {
        var s = InputSettings(); s.optOutHoldSeconds = 0.5
        var i = InputInterpreter(settings: s)
        let events = run(&i, from: 0, to: 2000) { t in (t < 700 || t >= 1000) ? ControllerReading(leftGrip: 1, rightGrip: 1) : ControllerReading() }
        XCTAssertEqual(events.map { $0.0 }, [500, 1500])
    }

    func testChosenButtonOptsOutAfterTheHold() {
        var i = InputInterpreter()
        let events = run(&i, from: 0, to: 1500) { _ in ControllerReading(optOutButton: true) }
        XCTAssertEqual(events.map { $0.0 }, [1000])
    }

    func testPauseFiresOnPressNotWhileHeld() {
        var i = InputInterpreter()
        let events = run(&i, from: 0, to: 1000) { t in ControllerReading(pause: (100..<400).contains(t) || (600..<700).contains(t)) }
        XCTAssertEqual(events.map { $0.0 }, [100, 600])
        XCTAssertTrue(events.allSatisfy { $0.1 == [.pauseRequest] })
    }

    func testSliderMovesWithTheStickAndCommitsOnRelease() {
        var i = InputInterpreter()
        var shown: [Int] = []
        var events: [InputEvent] = []
        for t in stride(from: Int64(0), through: 1000, by: 100) {
            let axis: Float = (200..<700).contains(t) ? -1 : 0
            events += i.update(time: t * ms, reading: ControllerReading(sudsAxis: axis))
            if let s = i.sudsSlider { shown.append(s) }
        }
        // 5 steps of 0.1 s at 60 points/s downwards from 50.
        XCTAssertEqual(events, [.sudsRating(20)])
        XCTAssertEqual(shown, [44, 38, 32, 26, 20])
        XCTAssertNil(i.sudsSlider)
    }

    func testSliderStartsWhereTheDelegateAsks() {
        var i = InputInterpreter()
        i.sliderStart = 0   // an FMS prompt: start at "no sickness"
        var events: [InputEvent] = []
        for t in stride(from: Int64(0), through: 600, by: 100) {
            events += i.update(time: t * ms, reading: ControllerReading(sudsAxis: (200..<400).contains(t) ? 1 : 0))
        }
        // 2 steps of 0.1 s at 60 points/s upwards from 0, not from 50.
        XCTAssertEqual(events, [.sudsRating(12)])
        i.sliderStart = nil
        events = []
        for t in stride(from: Int64(700), through: 1300, by: 100) {
            events += i.update(time: t * ms, reading: ControllerReading(sudsAxis: (900..<1100).contains(t) ? 1 : 0))
        }
        XCTAssertEqual(events, [.sudsRating(62)], "back to InputSettings.sudsStart")
    }

    func testSliderClampsToTheScaleAndIgnoresTheDeadZone() {
        var i = InputInterpreter()
        var events: [InputEvent] = []
        for t in stride(from: Int64(0), through: 3000, by: 100) {
            events += i.update(time: t * ms, reading: ControllerReading(sudsAxis: t < 2000 ? 1 : 0.1))
        }
        XCTAssertEqual(events, [.sudsRating(100)])
    }

    func testResetForgetsAHalfHeldGesture() {
        var i = InputInterpreter()
        let held = ControllerReading(leftGrip: 1, rightGrip: 1)
        _ = i.update(time: 0, reading: held)
        _ = i.update(time: 800 * ms, reading: held)
        i.reset()
        XCTAssertEqual(i.update(time: 1100 * ms, reading: held), [], "the hold restarts after focus comes back")
        XCTAssertEqual(i.update(time: 2100 * ms, reading: held), [.optOut])
    }
}
