import Foundation
import XCTest
@testable import Recording

/// Study-level BIDS datasets: several participants and sessions in one dataset, one time base, and
/// the official BIDS validator (bids-validator-deno from PyPI; scripts/install-deps --test installs it).
final class StudyExportTests: XCTestCase {
    /// A session as the runtime records one: session time is the display clock; the wall clock runs
    /// `wallRate` times as fast (a virtual-clock demo runs 35 minutes in a few wall-clock minutes).
    /// Steps every 10 s; a SUDS rating at each step change, given in the same frame just before it.
    @discardableResult
    func writeSession(_ store: SessionStore, id: String, participant: String, number: Int, seconds: Int = 30,
                      wallRate: Double = 1, optOutAt: Int? = nil) throws -> String {
        let t0 = 1_800_000_000.0 + Double(number) * 86_400
        var meta = sampleMetadata(id, start: t0)
        meta.participantID = participant; meta.sessionNumber = number; meta.displayRateHz = 30
        meta.referenceSpace = "stage"
        let rec = try store.create(meta)
        let firstNs: Int64 = 7_000_000_000
        func ns(_ t: Double) -> Int64 { firstNs + Int64((t * 1e9).rounded()) }
        func wall(_ t: Double) -> Double { t0 + t * wallRate }
        func event(_ t: Double, _ kind: String, _ actor: Actor, _ reason: String, _ payload: [String: Any]) {
            rec.record(RecordedEvent(sessionTime: t, wallClock: wall(t), displayTimeNs: ns(t), kind: kind, actor: actor,
                                     reason: reason, payloadJSON: RecordedEvent.payload(payload)))
        }
        for i in 0..<(seconds * 30) {
            let t = Double(i) / 30
            rec.record(PoseSample(displayTimeNs: ns(t), wallClock: wall(t), position: SIMD3(0, 1.6, 0), orientation: SIMD4(0, 0, 0, 1)))
            rec.record(FrameSample(index: Int64(i), displayTimeNs: ns(t), cpuMs: 3, missedFrames: 0))
            if i % 30 == 0 { rec.record(PhysioSample(kind: "heart_rate_bpm", value: 70 + t, sessionTime: t, wallClock: wall(t))) }
            if i % 300 == 0 {
                let step = i / 300 + 1
                if step > 1 {
                    // The last SUDS of a step arrives in the frame that ends it: it belongs before the step change.
                    let value = Double(20 + step)
                    event(t, "rating", .patient, "rated by the patient", ["rating": "suds", "value": value, "current_step": step - 1])
                    rec.record(Rating(sessionTime: t, wallClock: wall(t), displayTimeNs: ns(t), kind: .suds, value: value, source: "headset"))
                }
                event(t, EventKind.step, .protocol, "step \(step)", ["step": step, "name": "floor \(step)"])
                event(t, EventKind.intensity, .protocol, "step \(step)", ["intensity": step * 20, "from": (step - 1) * 20, "current_step": step])
                event(t, EventKind.parameter, .protocol, "step \(step)", ["name": "height_m", "from": "\(step * 3 - 3)", "to": "\(step * 3)", "current_step": step])
            }
            if let o = optOutAt, i == o * 30 {
                event(t, EventKind.optOut, .patient, "both grips held", ["state": "safe_room"])
            }
        }
        try rec.finish(state: optOutAt == nil ? .completed : .patientStopped, wallClock: wall(Double(seconds)))
        return store.recordPath(for: id)
    }

    private func table(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    func testAStudyHoldsEveryParticipantAndSessionAndNeverOverwritesOne() throws {
        let store = try SessionStore(directory: temporaryDirectory("study-store"))
        for (p, n) in [("P-0001", 1), ("P-0001", 2), ("P-0002", 1), ("P-0002", 2)] {
            try writeSession(store, id: "\(p)-s\(n)", participant: p, number: n)
        }
        let root = temporaryDirectory("study").appendingPathComponent("dataset")
        let study = BIDSStudy(root: root)
        for id in ["P-0001-s1", "P-0001-s2", "P-0002-s1", "P-0002-s2"] { _ = try study.add(try store.read(id)) }

        XCTAssertEqual(try table(root.appendingPathComponent("participants.tsv")),
                       [["participant_id", "pseudonym"], ["sub-P0001", "P-0001"], ["sub-P0002", "P-0002"]])
        let sessions = try table(root.appendingPathComponent("sub-P0001/sub-P0001_sessions.tsv"))
        XCTAssertEqual(sessions.map { $0[0] }, ["session_id", "ses-1", "ses-2"])
        let h = sessions[0]
        XCTAssertEqual(sessions[1][h.firstIndex(of: "acq_time")!], "2027-01-16T08:00:00.000Z")
        XCTAssertEqual(sessions[1][h.firstIndex(of: "record")!], "P-0001-s1")
        XCTAssertEqual(sessions[1][h.firstIndex(of: "outcome")!], "completed")
        XCTAssertEqual(sessions[1][h.firstIndex(of: "peak_suds")!], "23")
        XCTAssertEqual(Double(sessions[1][h.firstIndex(of: "duration_s")!]) ?? -1, 29.967, accuracy: 0.001)
        let scans = try table(root.appendingPathComponent("sub-P0002/ses-2/sub-P0002_ses-2_scans.tsv"))
        XCTAssertEqual(scans.map { $0[0] }, ["filename", "motion/sub-P0002_ses-2_task-exposure_tracksys-hmd_motion.tsv",
                                             "motion/sub-P0002_ses-2_task-exposure_recording-heartratebpm_physio.tsv.gz"])
        for f in scans.dropFirst() { XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("sub-P0002/ses-2/\(f[0])").path), f[0]) }

        // Another session 1 of P-0001 (a second store, say) is refused by name, and nothing changes.
        let other = try SessionStore(directory: temporaryDirectory("study-other"))
        try writeSession(other, id: "P-0001-again", participant: "P-0001", number: 1, seconds: 12)
        let motion = root.appendingPathComponent("sub-P0001/ses-1/motion/sub-P0001_ses-1_task-exposure_tracksys-hmd_motion.tsv")
        let before = try Data(contentsOf: motion)
        XCTAssertThrowsError(try study.add(try other.read("P-0001-again"))) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("sub-P0001/ses-1 is already in this dataset") && text.contains("from record P-0001-s1")
                          && text.contains("nothing was overwritten"), text)
        }
        XCTAssertEqual(try Data(contentsOf: motion), before)
        XCTAssertEqual(try table(root.appendingPathComponent("sub-P0001/sub-P0001_sessions.tsv")).count, 3)

        // Two pseudonyms that would share one subject label are refused too.
        try writeSession(other, id: "P0001-x", participant: "P0001", number: 5, seconds: 12)
        XCTAssertThrowsError(try study.add(try other.read("P0001-x"))) { e in
            XCTAssertTrue("\(e)".contains("already holds participant P-0001"), "\(e)")
        }
    }

    func testEverythingIsOnTheDisplayClockWhateverTheWallClockDid() throws {
        // The wall clock runs at 0.13 times the display clock, as in the virtual-clock demo.
        let store = try SessionStore(directory: temporaryDirectory("clock-store"))
        try writeSession(store, id: "S-clock", participant: "P-0003", number: 1, seconds: 30, wallRate: 0.13)
        XCTAssertEqual(try XCTUnwrap(store.list().first?.durationSeconds), 29.967, accuracy: 0.001,
                       "`exposure sessions` gives the length the report gives")
        let root = temporaryDirectory("clock").appendingPathComponent("dataset")
        _ = try RecordExporter.export(try store.read("S-clock"), format: .bids, to: root)
        let dir = root.appendingPathComponent("sub-P0003/ses-1/motion")
        let stem = "sub-P0003_ses-1_task-exposure"

        let physio = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("\(stem)_recording-heartratebpm_physio.json"))) as? [String: Any])
        XCTAssertEqual(physio["SamplingFrequency"] as? Double, 1, "heart rate once a second of session time")
        XCTAssertEqual(physio["StartTime"] as? Double, 0, "the same zero as the motion and events")

        let events = try table(dir.appendingPathComponent("\(stem)_events.tsv"))
        let h = events[0]
        let col = { (name: String) in h.firstIndex(of: name)! }
        let steps = events.filter { $0[col("trial_type")] == "step" }
        XCTAssertEqual(steps.map { Double($0[col("onset")]) ?? -1 }, [0, 10, 20])
        let wanted: [Double] = [10, 10, 899.0 / 30 - 20]
        for (got, want) in zip(steps.map { Double($0[col("duration")]) ?? -1 }, wanted) {
            XCTAssertEqual(got, want, accuracy: 1e-6, "a step lasts until the next, or the last pose, on the display clock")
        }
        // The SUDS given in the frame that ended step 1 comes before step 2 begins.
        let rows = events.dropFirst().map { "\($0[col("trial_type")]) \($0[col("scale")]) \($0[col("step")])" }
        let suds = try XCTUnwrap(rows.firstIndex(of: "rating suds 1")), step2 = try XCTUnwrap(rows.firstIndex(of: "step n/a 2"))
        XCTAssertLessThan(suds, step2)
        // One row per rating (the record holds each twice), with its scale and source.
        let ratings = events.filter { $0[col("trial_type")] == "rating" }
        XCTAssertEqual(ratings.map { $0[col("scale")] }, ["suds", "suds"])
        XCTAssertEqual(ratings.map { $0[col("source")] }, ["headset", "headset"])
        // Parameters give their value and what it was; intensity its level.
        let parameter = try XCTUnwrap(events.first { $0[col("trial_type")] == "parameter" && $0[col("step")] == "2" })
        XCTAssertEqual([parameter[col("parameter")], parameter[col("value")], parameter[col("from_value")]], ["height_m", "6", "3"])
        XCTAssertEqual(events.filter { $0[col("trial_type")] == "intensity" }.map { $0[col("intensity")] }, ["20", "40", "60"])

        // Every column and every trial_type is described in the sidecar.
        let sidecar = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("\(stem)_events.json"))) as? [String: Any])
        XCTAssertEqual(Set(sidecar.keys), Set(h))
        let levels = try XCTUnwrap((sidecar["trial_type"] as? [String: Any])?["Levels"] as? [String: String])
        for kind in Set(events.dropFirst().map { $0[col("trial_type")] }) { XCTAssertNotNil(levels[kind], kind) }
    }

    /// Two participants with two sessions each, one an opt-out and one a damaged record, exported as
    /// a study. Returns the dataset, the damage notes and the damaged record's path.
    private func exampleStudy(_ name: String) throws -> (root: URL, notes: [String], damaged: String) {
        let store = try SessionStore(directory: temporaryDirectory("\(name)-store"))
        try writeSession(store, id: "P-0011-s1", participant: "P-0011", number: 1)
        try writeSession(store, id: "P-0011-s2", participant: "P-0011", number: 2, optOutAt: 15)
        try writeSession(store, id: "P-0012-s1", participant: "P-0012", number: 1)
        let damaged = try writeSession(store, id: "P-0012-s2", participant: "P-0012", number: 2)
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: damaged)[.size] as? Int)
        let h = try FileHandle(forUpdating: URL(fileURLWithPath: damaged))
        try h.truncate(atOffset: UInt64(size * 2 / 3))
        try h.close()

        let root = temporaryDirectory(name).appendingPathComponent("dataset")
        var notes: [String] = []
        for id in ["P-0011-s1", "P-0011-s2", "P-0012-s1", "P-0012-s2"] {
            let r = try RecordExporter.export(try store.read(id), format: .bids, to: root)
            if let n = r.damageNote { notes.append(n) }
        }
        return (root, notes, damaged)
    }

    private static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func run(_ tool: String, _ arguments: [String]) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return data
    }

    func testTheOfficialValidatorAcceptsAStudyWithAnOptOutAndADamagedRecord() throws {
        let validator = try XCTUnwrap(Self.which("bids-validator-deno"),
                                      "bids-validator-deno is not installed: run scripts/install-deps --test (pip install bids-validator-deno)")
        let (root, notes, damaged) = try exampleStudy("valid")
        // The damage is noted beside the dataset, without local paths, and the dataset holds no note.
        XCTAssertEqual(Set(notes), [root.deletingLastPathComponent().appendingPathComponent("dataset-DAMAGE.txt").path])
        let note = try String(contentsOfFile: notes[0], encoding: .utf8)
        XCTAssertTrue(note.contains("sub-P0012/ses-2 (record P-0012-s2.session.sqlite)"), note)
        XCTAssertFalse(note.contains(damaged), "no absolute local paths: \(note)")
        let inside = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        XCTAssertFalse(inside.contains { $0.contains("DAMAGE") }, "\(inside)")

        let data = try run(validator, ["--format", "json", root.path])
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
        let issues = try XCTUnwrap((report["issues"] as? [String: Any])?["issues"] as? [[String: Any]])
        let errors = issues.filter { $0["severity"] as? String == "error" }
        XCTAssertEqual(errors.count, 0, errors.map { "\($0["code"] ?? "") \($0["subCode"] ?? "") \($0["location"] ?? "")" }.joined(separator: "\n"))
        // Every warning that stays is listed, with why, in docs/bids-export.md.
        let docs = try String(contentsOf: Self.projectRoot.appendingPathComponent("docs/bids-export.md"), encoding: .utf8)
        for w in issues where w["severity"] as? String == "warning" {
            let name = (w["subCode"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? (w["code"] as? String ?? "?")
            XCTAssertTrue(docs.contains("`\(name)`"), "warning \(w["code"] ?? "") \(name) at \(w["location"] ?? "") is not explained in docs/bids-export.md")
        }
        let summary = try XCTUnwrap(report["summary"] as? [String: Any])
        XCTAssertEqual((summary["subjects"] as? [String])?.sorted(), ["P0011", "P0012"])
        XCTAssertEqual((summary["sessions"] as? [String])?.sorted(), ["1", "2"])
    }

    func testPybidsReadsTheStudyWithOneTimeZeroForEventsMotionAndPhysio() throws {
        // pybids, as a researcher loads a dataset; installed by scripts/install-deps --test.
        let python = try XCTUnwrap([Self.projectRoot.appendingPathComponent(".build-tools/python/bin/python").path, Self.which("python3")]
            .compactMap { $0 }.first { tool in (try? run(tool, ["-c", "import bids; print('ok')"])).map { String(decoding: $0, as: UTF8.self).hasPrefix("ok") } ?? false },
            "no Python with pybids: run scripts/install-deps --test")
        let (root, _, _) = try exampleStudy("pybids")
        let data = try run(python, [Self.projectRoot.appendingPathComponent("Tests/python/bids_study_check.py").path, root.path])
        let found = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
        XCTAssertEqual(found["subjects"] as? [String], ["P0011", "P0012"])
        XCTAssertEqual(found["sessions"] as? [String], ["1", "2"])
        XCTAssertEqual(found["datatypes"] as? [String], ["motion"])
        let sessions = try XCTUnwrap(found["per_session"] as? [[String: Any]])
        XCTAssertEqual(sessions.count, 4)
        for s in sessions {
            let where_ = "sub-\(s["subject"] ?? "")/ses-\(s["session"] ?? "")"
            let rate = try XCTUnwrap(s["motion_sampling_frequency"] as? Double, where_)
            let frame = 1 / rate
            // The session starts (step 1) at the first motion sample, and heart rate starts with it.
            XCTAssertEqual(try XCTUnwrap(s["first_step_onset"] as? Double, where_), 0, accuracy: frame, where_)
            let starts = try XCTUnwrap(s["physio_start_times"] as? [Double], where_)
            XCTAssertEqual(starts.count, 1, where_)
            for t in starts { XCTAssertEqual(t, 0, accuracy: frame, where_) }
            XCTAssertGreaterThan(s["motion_rows"] as? Int ?? 0, 0, where_)
        }
        let optOut = try XCTUnwrap(sessions.first { $0["subject"] as? String == "P0011" && $0["session"] as? String == "2" })
        XCTAssertTrue((optOut["trial_types"] as? [String] ?? []).contains("optout"))
    }

    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        // scripts/install-deps --test puts Python tools in the project's own .build-tools/python.
        let project = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for dir in path.split(separator: ":").map(String.init) + [project.appendingPathComponent(".build-tools/python/bin").path,
                                                                 "\(home)/.local/bin", "/usr/local/bin"] {
            let candidate = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
