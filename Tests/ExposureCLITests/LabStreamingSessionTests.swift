import Foundation
import XCTest

/// `exposure session --lsl` beside a lab's LSL apps, played by pylsl in another process: the
/// session's markers reach the lab with the timestamps their display times map to through the
/// clock pairs in the record, and a heart-rate stream is recorded as physio and trips the
/// heart-rate rule. Desktop mode, offscreen, so no headset is needed.
final class LabStreamingSessionTests: XCTestCase {
    func python() throws -> String {
        let candidates = [CLI.packageRoot.appendingPathComponent(".build-tools/python/bin/python").path, "/usr/bin/python3", "/usr/local/bin/python3"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            let check = Process()
            check.executableURL = URL(fileURLWithPath: c)
            check.arguments = ["-c", "import pylsl"]
            check.standardOutput = FileHandle.nullDevice
            check.standardError = FileHandle.nullDevice
            try check.run(); check.waitUntilExit()
            if check.terminationStatus == 0 { return c }
        }
        throw NSError(domain: "LabStreamingSessionTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "no Python with pylsl: run scripts/install-deps --test"])
    }

    func testMarkersReachTheLabOnTheRecordedClockAndItsHeartRateTripsTheRule() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sessions = dir.appendingPathComponent("sessions")
        // A patient whose resting heart rate is 70; the lab's strap will say 150.
        let script = dir.appendingPathComponent("patient.yaml")
        try "participant: lsl-01\nheart_rate_baseline_bpm: 70\n".write(to: script, atomically: true, encoding: .utf8)

        let peerOut = dir.appendingPathComponent("peer.txt")
        _ = FileManager.default.createFile(atPath: peerOut.path, contents: nil)
        let peerHandle = try FileHandle(forWritingTo: peerOut)
        let peer = Process()
        peer.executableURL = URL(fileURLWithPath: try python())
        peer.arguments = [CLI.packageRoot.appendingPathComponent("Tests/python/lsl_peer.py").path, "session", "150", "60"]
        peer.standardOutput = peerHandle
        peer.standardError = FileHandle.nullDevice
        try peer.run()
        defer { if peer.isRunning { peer.terminate() } }

        let outURL = dir.appendingPathComponent("out.txt")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let session = Process()
        session.executableURL = try CLI.binary()
        session.arguments = ["session", "Protocols/heights-graded.yaml", "--participant", "P-0150", "--sessions", sessions.path,
                             "--desktop", "--no-console", "--no-sound", "--lsl", "--patient", script.path]
        session.currentDirectoryURL = CLI.packageRoot
        session.standardInput = FileHandle.nullDevice
        session.standardOutput = out
        session.standardError = out
        try session.run()
        defer { if session.isRunning { kill(session.processIdentifier, SIGKILL) } }
        func output() -> String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
        func peerLines() -> [[String: Any]] {
            ((try? String(contentsOf: peerOut, encoding: .utf8)) ?? "").split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        // Wait until the lab has seen the heart-rate rule act (a marker from the safety supervisor).
        let deadline = Date().addingTimeInterval(60)
        func safetyMarker() -> Bool {
            peerLines().contains { ($0["marker"] as? String).map { $0.contains("\"actor\":\"safety\"") && $0.contains("heart rate") } ?? false }
        }
        while session.isRunning, Date() < deadline, !safetyMarker() { usleep(100_000) }
        XCTAssertTrue(session.isRunning, "the session ran until stopped:\n\(output())")
        XCTAssertTrue(safetyMarker(), "the heart-rate rule acted and the lab saw it:\n\(peerLines())\n\(output())")
        kill(session.processIdentifier, SIGTERM)
        session.waitUntilExit()
        try out.close()
        XCTAssertEqual(session.terminationStatus, 143, output())
        peer.terminate(); peer.waitUntilExit()

        let export = dir.appendingPathComponent("jsonl")
        let id = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: sessions.path).first { $0.hasSuffix(".session.sqlite") })
        let exported = try CLI.run(["export", sessions.appendingPathComponent(id).path, "--format", "jsonl", "-o", export.path])
        XCTAssertEqual(exported.status, 0, exported.output)
        let lines = try String(contentsOf: export.appendingPathComponent("session.jsonl"), encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let events = lines.filter { $0["type"] as? String == "event" }

        // Heart rate from the lab is physio in the record, and the session said where it came from.
        let physio = lines.filter { $0["type"] as? String == "physio" && $0["kind"] as? String == "heart_rate_bpm" }
        XCTAssertGreaterThan(physio.count, 5)
        XCTAssertTrue(physio.allSatisfy { $0["value"] as? Double == 150 })
        let sources = events.filter { $0["kind"] as? String == "signal_source" }.map { ($0["payload"] as? [String: Any])?["source"] as? String }
        XCTAssertEqual(sources, ["none", "lsl"], "waiting for a stream, then the lab's strap")
        XCTAssertTrue(events.contains { $0["actor"] as? String == "safety" && ($0["reason"] as? String ?? "").contains("heart rate 150 bpm") },
                      "the heart-rate rule acted")

        // The report says where heart rate came from and that the rule could act.
        let report = dir.appendingPathComponent("report.html")
        let reported = try CLI.run(["report", sessions.appendingPathComponent(id).path, "-o", report.path])
        XCTAssertEqual(reported.status, 0, reported.output)
        let html = try String(contentsOf: report, encoding: .utf8)
        XCTAssertTrue(html.contains("heart_rate_bpm from LSL stream Test chest strap (HeartRate)") && html.contains("the heart-rate rule was active"), html)

        // Every marker's LSL timestamp is its event's display time mapped through the clock pair the
        // session held then (the latest one at or before it), within 2 ms.
        let pairs: [(ns: Int64, lsl: Double)] = events.filter { $0["kind"] as? String == "clock_pair" }.compactMap { e in
            guard let ns = e["display_time_ns"] as? Int, let lsl = (e["payload"] as? [String: Any])?["lsl_s"] as? Double else { return nil }
            return (Int64(ns), lsl)
        }
        XCTAssertFalse(pairs.isEmpty, "clock pairs are in the record")
        let bySequence = Dictionary(uniqueKeysWithValues: events.compactMap { e in (e["sequence"] as? Int).map { ($0, e) } })
        var checked = 0
        for line in peerLines() {
            guard let text = line["marker"] as? String, let ts = line["timestamp"] as? Double,
                  let marker = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let seq = marker["sequence"] as? Int, let event = bySequence[seq],
                  let ns = (event["display_time_ns"] as? Int).map(Int64.init) else { continue }
            XCTAssertEqual(marker["kind"] as? String, event["kind"] as? String)
            let pair = try XCTUnwrap(pairs.last { $0.ns <= ns } ?? pairs.first)
            XCTAssertEqual(ts, pair.lsl + Double(ns - pair.ns) / 1e9, accuracy: 0.002, "marker \(seq) \(marker["kind"] ?? "")")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 3, "markers were compared: \(peerLines().count) peer lines")
    }
}
