import XCTest
@testable import XR

final class SessionStateMachineTests: XCTestCase {
    func testNormalLifecycleBeginsFocusesStopsAndExits() {
        var m = SessionStateMachine()
        XCTAssertEqual(m.apply(.idle), [])
        XCTAssertEqual(m.apply(.ready), [.beginSession])
        XCTAssertTrue(m.running)
        XCTAssertEqual(m.apply(.synchronized), [])
        XCTAssertEqual(m.apply(.visible), [])
        XCTAssertFalse(m.inputEnabled)
        XCTAssertEqual(m.apply(.focused), [], "the first FOCUSED is the normal start, not a regained focus")
        XCTAssertTrue(m.inputEnabled)
        XCTAssertEqual(m.apply(.stopping), [.focusLost, .endSession])
        XCTAssertFalse(m.running)
        XCTAssertEqual(m.apply(.idle), [])
        XCTAssertEqual(m.apply(.exiting), [.exit])
    }

    func testLeavingFocusedForVisibleReportsFocusLostOnlyOnce() {
        var m = SessionStateMachine()
        _ = m.apply(.ready); _ = m.apply(.focused)
        XCTAssertEqual(m.apply(.visible), [.focusLost])
        XCTAssertFalse(m.inputEnabled)
        XCTAssertEqual(m.apply(.visible), [])
        XCTAssertEqual(m.apply(.focused), [.focusRegained])
        XCTAssertTrue(m.running, "VISIBLE keeps the session running: frames must still be submitted")
    }

    func testLossPendingAsksForRecreationAndStopsFrames() {
        var m = SessionStateMachine()
        _ = m.apply(.ready); _ = m.apply(.focused)
        XCTAssertEqual(m.apply(.lossPending), [.focusLost, .recreate])
        XCTAssertFalse(m.running)
    }

    func testReadyTwiceDoesNotBeginTwice() {
        var m = SessionStateMachine()
        XCTAssertEqual(m.apply(.ready), [.beginSession])
        XCTAssertEqual(m.apply(.ready), [])
    }

    func testStoppingBeforeBeginDoesNotEndASessionThatNeverRan() {
        var m = SessionStateMachine()
        XCTAssertEqual(m.apply(.stopping), [])
        XCTAssertEqual(m.apply(.exiting), [.exit])
    }
}
