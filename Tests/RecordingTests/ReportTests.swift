import XCTest
@testable import Recording

final class ReportTests: XCTestCase {
    private func record() throws -> SessionRecord {
        let store = try SessionStore(directory: temporaryDirectory("report"))
        _ = try writeSyntheticSession(store: store)
        return try store.read("S-001")
    }

    private func count(_ needle: String, in s: String) -> Int { s.components(separatedBy: needle).count - 1 }

    func testStepSummariesGivePeakAndWithinStepReduction() throws {
        let steps = ReportAnalysis.steps(try record())
        XCTAssertEqual(steps.map(\.number), [1, 2, 3])
        XCTAssertEqual(steps.map(\.name), ["floor 1", "floor 2", "floor 3"])
        XCTAssertEqual(steps.map(\.peakSUDS), [60, 70, 80])
        XCTAssertEqual(steps.map(\.finalSUDS), [30, 35, 40])
        XCTAssertEqual(steps.map { $0.reductionPercent ?? -1 }, [50, 50, 50])
        XCTAssertEqual(steps.map(\.start), [0, 20, 40])
        XCTAssertEqual(steps.last?.end, 60)
    }

    func testHeadRotationSpeedAndSSQFromTheRecord() throws {
        let r = try record()
        let speed = ReportAnalysis.headRotationSpeed(r)
        XCTAssertEqual(speed.count, 60)
        for p in speed { XCTAssertEqual(p.y, 30, accuracy: 0.5) } // the synthetic head turns at 30 deg/s
        let ssq = ReportAnalysis.ssq(r)
        XCTAssertEqual(ssq.map(\.kind), [.ssqPre, .ssqPost])
        // Pre: discomfort, eyestrain, burping = 1 each -> N 2, O 2, D 0 -> total 4 x 3.74.
        XCTAssertEqual(ssq[0].nausea, 2 * 9.54, accuracy: 1e-9)
        XCTAssertEqual(ssq[0].oculomotor, 2 * 7.58, accuracy: 1e-9)
        XCTAssertEqual(ssq[0].total, 4 * 3.74, accuracy: 1e-9)
        let timing = ReportAnalysis.frameTiming(r)
        XCTAssertEqual(timing.missed, 54) // every 100th frame of 5400
        XCTAssertEqual(timing.worst.first?.y, 14)
    }

    func testReportIsSelfContainedHTMLWithThePlots() throws {
        let html = SessionReport.html(try record())
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("http://") && html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"))
        XCTAssertFalse(html.contains("https://"))
        XCTAssertEqual(count("<svg", in: html), 4, "SUDS/intensity, heart rate, rotation, frame timing")
        XCTAssertEqual(count("</svg>", in: html), 4)
        XCTAssertEqual(count("class=\"suds-point\"", in: html), 6)
        XCTAssertEqual(count("<polyline class=\"intensity\"", in: html), 1)
        XCTAssertEqual(count("<polyline class=\"heart-rate\"", in: html), 1)
        XCTAssertEqual(count("<polyline class=\"rotation\"", in: html), 1)
        XCTAssertEqual(count("<polyline class=\"cpu-worst\"", in: html), 1)
        XCTAssertEqual(count("class=\"safety-marker\"", in: html), 2, "on the SUDS and heart-rate plots")
        XCTAssertTrue(html.contains("heart rate 40% over baseline"))
        // Three shaded steps in each of the three plots that show steps.
        XCTAssertEqual(count("<rect class=\"step\"", in: html), 9)
        XCTAssertTrue(html.contains("<td>1. floor 1</td><td>0:00</td><td>0:20</td><td>60</td><td>30</td><td>50%</td>"))
        XCTAssertTrue(html.contains("<td>Before</td><td>19.08</td><td>15.16</td><td>0.00</td><td>14.96</td>"))
        XCTAssertTrue(html.contains("54 missed frames"))
        XCTAssertTrue(html.contains("P-0042"))
        XCTAssertTrue(html.contains("budget 11.1 ms"))
    }

    func testSUDSPointsArePlacedByTimeAndValue() throws {
        let html = SessionReport.html(try record())
        // Plot area: x 56..884 over 60 s, y 28..204 over 0..100. SUDS 60 at 10 s -> (194.0, 98.4).
        XCTAssertTrue(html.contains("cx=\"194.0\" cy=\"98.4\""), "SUDS 60 at 0:10")
        // SUDS 40 at 59 s -> x = 56 + 59/60*828 = 870.2, y = 28 + 0.6*176 = 133.6.
        XCTAssertTrue(html.contains("cx=\"870.2\" cy=\"133.6\""), "SUDS 40 at 0:59")
    }

    func testReportOfAnEmptySessionSaysWhatIsMissing() throws {
        let store = try SessionStore(directory: temporaryDirectory("report-empty"))
        let rec = try store.create(sampleMetadata())
        try rec.finish(state: .aborted, wallClock: sampleMetadata().startWallClock + 5)
        let html = SessionReport.html(try store.read("S-001"))
        XCTAssertTrue(html.contains("No heart rate was recorded"))
        XCTAssertTrue(html.contains("No head pose was recorded"))
        XCTAssertTrue(html.contains("No SSQ was recorded"))
        XCTAssertEqual(count("<svg", in: html), 1)
    }
}

extension ReportTests {
    func testReportFileIsWrittenAsUTF8HTML() throws {
        let url = temporaryDirectory("report-file").appendingPathComponent("report.html")
        try SessionReport.write(try record(), to: url)
        let bytes = try Data(contentsOf: url)
        XCTAssertEqual(String(decoding: bytes.prefix(15), as: UTF8.self), "<!DOCTYPE html>")
        XCTAssertTrue(String(decoding: bytes, as: UTF8.self).hasSuffix("</body></html>\n"))
        print("report written to \(url.path)")
    }
}

extension ReportTests {
    func testSafetyStepDownMovesTheIntensityLine() throws {
        let store = try SessionStore(directory: temporaryDirectory("report-stepdown"))
        let meta = sampleMetadata()
        let rec = try store.create(meta)
        rec.record(RecordedEvent(sessionTime: 0, wallClock: meta.startWallClock, kind: EventKind.intensity, actor: .protocol,
                                 payloadJSON: RecordedEvent.payload(["intensity": 80])))
        rec.record(RecordedEvent(sessionTime: 30, wallClock: meta.startWallClock + 30, kind: EventKind.safety, actor: .safety,
                                 reason: "SUDS over ceiling",
                                 payloadJSON: RecordedEvent.payload(["change": "intensity", "intensity": 40])))
        rec.record(RecordedEvent(sessionTime: 60, wallClock: meta.startWallClock + 60, kind: EventKind.state, actor: .system,
                                 payloadJSON: RecordedEvent.payload(["state": "ended"])))
        try rec.finish(state: .completed, wallClock: meta.startWallClock + 60)
        let html = SessionReport.html(try store.read("S-001"))
        // Plots run on session time, to the last thing recorded. 80 until 0:30 then 40: y(80) = 28 + 0.2*176 = 63.2, y(40) = 133.6; x(30 s) = 470.0.
        XCTAssertTrue(html.contains("points=\"56.0,63.2 470.0,63.2 470.0,133.6 884.0,133.6\""), html)
    }
}
