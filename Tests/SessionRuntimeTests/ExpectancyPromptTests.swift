// Expectancy in the headset: a trial step (inhibitory learning) asks the patient how likely the
// feared outcome is before the exposure and again after it; in an automated session nobody else
// would ask, and the step could never progress. Driven through XRBridge on a real engine.
import ExposureCore
import Foundation
import Recording
import SceneModel
import XCTest
import XR
@testable import SessionRuntime

final class ExpectancyPromptTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("expectancy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(E2E.packageRoot.path))
    }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    /// The bundled crowds protocol from its first trial step on (the habituation steps cut).
    func trialSession() throws -> PreparedSession {
        let text = try String(contentsOf: E2E.packageRoot.appendingPathComponent("Protocols/crowds-social.yaml"), encoding: .utf8)
        let cutFrom = try XCTUnwrap(text.range(of: "steps:\n")), cutTo = try XCTUnwrap(text.range(of: "  # From here each step is a trial"))
        let trials = String(text[..<cutFrom.upperBound]) + String(text[cutTo.lowerBound...])
        let path = directory.appendingPathComponent("trials.yaml")
        try trials.write(to: path, atomically: true, encoding: .utf8)
        var o = SessionOptions(protocolPath: path.path, participantID: "P-0093", sessionsDirectory: directory.appendingPathComponent("sessions").path)
        o.sound = false
        o.sessionID = "expectancy-\(UUID().uuidString.prefix(8))"
        return try PreparedSession(o, runtime: "test", headset: "none", displayRateHz: 1, warn: { _ in })
    }

    func testTrialAsksExpectancyBeforeSUDSAndTheHeadsetAnswerIsRecordedAsExpectancy() throws {
        let h = RatingPromptTests.Harness(try trialSession())
        h.step()
        XCTAssertEqual(h.bridge.asking, .expectancyBefore, "the prediction comes before the exposure it predicts")
        XCTAssertEqual(h.bridge.panelShown?.rating, .expectancyBefore)
        XCTAssertEqual(RatingPanel.Look(rating: .expectancyBefore, slider: 70, asking: true, adjusting: true, displayTimeNs: 0).caption,
                       "EXP  70")
        h.rate(70)
        XCTAssertEqual(h.bridge.asking, .suds, "then the step's first SUDS")
        h.step(input: [.key("5")])                   // desktop mode: a digit answers what is asked
        XCTAssertNil(h.bridge.asking)

        _ = try h.session.finish()
        let record = try h.session.store.read(h.session.sessionID)
        let headset = record.ratings.filter { $0.source == "headset" }.map { "\($0.kind.rawValue) \($0.value)" }
        XCTAssertEqual(headset, ["expectancy_before 70.0"])
        XCTAssertEqual(record.ratings.filter { $0.source == "keyboard" }.map { "\($0.kind.rawValue) \($0.value)" }, ["suds 50.0"])
    }

    func testEveryRatingTheHeadsetAsksForHasGlyphsAndBecomesItsOwnEngineInput() {
        for rating in [HeadsetRating.suds, .fms, .expectancyBefore, .expectancyAfter] {
            let caption = RatingPanel.Look(rating: rating, slider: 100, asking: true, adjusting: false, displayTimeNs: 0).caption
            XCTAssertTrue(caption.allSatisfy { DotMatrixText.glyphs[$0] != nil }, "\(rating): no glyph for a character of \(caption)")
        }
        XCTAssertEqual(HeadsetRating.expectancyAfter.engineInput(20), .expectancy(20, .after))
        XCTAssertEqual(HeadsetRating.expectancyBefore.engineInput(20), .expectancy(20, .before))
        XCTAssertEqual(HeadsetRating.fms.engineInput(3), .fms(3))
        XCTAssertEqual(HeadsetRating.suds.engineInput(3), .suds(3))
    }
}
