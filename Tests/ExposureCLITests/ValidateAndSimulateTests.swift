import Foundation
import XCTest

final class ValidateAndSimulateTests: XCTestCase {
    func protocols() throws -> [String] {
        let dir = CLI.packageRoot.appendingPathComponent("Protocols")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertFalse(names.isEmpty, "Protocols/ holds the bundled protocols")
        return names.map { "Protocols/" + $0 }
    }

    func testBundledProtocolsValidate() throws {
        let files = try protocols()
        let result = try CLI.run(["validate"] + files)
        XCTAssertEqual(result.status, 0, result.output)
        for file in files { XCTAssertTrue(result.stdout.contains("\(file): ok"), "\(file) reported ok: \(result.output)") }
    }

    func testBrokenProtocolNamesFileLineColumn() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try String(contentsOf: CLI.packageRoot.appendingPathComponent("Protocols/heights-graded.yaml"), encoding: .utf8)
        // A height far above the heights environment's range, on a known line.
        let needle = "parameters: {height_m: 3,"
        let line = try XCTUnwrap(CLI.lineNumber(of: needle, in: original), "the fixture line exists")
        let broken = original.replacingOccurrences(of: needle, with: "parameters: {height_m: 9000,")
        let path = dir.appendingPathComponent("broken.yaml").path
        try broken.write(toFile: path, atomically: true, encoding: .utf8)

        let result = try CLI.run(["validate", path])
        XCTAssertNotEqual(result.status, 0)
        let pattern = NSRegularExpression.escapedPattern(for: path) + ":\(line):[0-9]+: error: .*height_m.*9000"
        XCTAssertNotNil(result.output.range(of: pattern, options: .regularExpression),
                        "expected \(path):\(line):<column>: error naming height_m, got:\n\(result.output)")
    }

    func testBrokenEnvironmentDefinitionIsReportedWithFileLine() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let envs = dir.appendingPathComponent("Environments")
        try FileManager.default.copyItem(at: CLI.packageRoot.appendingPathComponent("Environments"), to: envs)
        let heights = envs.appendingPathComponent("heights.yaml")
        let text = try String(contentsOf: heights, encoding: .utf8)
        let line = try XCTUnwrap(CLI.lineNumber(of: "range:", in: text))
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[line - 1] = "    range: [1, lots]"
        try lines.joined(separator: "\n").write(to: heights, atomically: true, encoding: .utf8)

        let result = try CLI.run(["validate", "--environments", envs.path, "Protocols/heights-graded.yaml"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.output.contains("\(heights.path):\(line):"), "names heights.yaml:\(line): \(result.output)")
        XCTAssertFalse(result.output.contains("heights-graded.yaml: ok"), "no protocol is passed against broken definitions")

        let missing = try CLI.run(["validate", "--environments", dir.appendingPathComponent("nowhere").path, "Protocols/heights-graded.yaml"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.output.contains("nowhere:1:1: error"), missing.output)
        XCTAssertTrue(missing.output.contains("cannot list the environments directory"), missing.output)
    }

    func testSimulatePrintsTimelineEndingInSummary() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The example of docs/patient-script.md, shortened: a habituating patient who opts out once.
        let script = """
            participant: sim-01
            tick_s: 1
            duration_min: 12
            heart_rate_baseline_bpm: 70
            suds:
              model: {at_step_start: 50, rise_per_step: 3, habituation_percent_per_min: 30, floor: 5}
            fms:
              points: [{at: 0, value: 1}, {at: "10:00", value: 3}]
            heart_rate:
              points: [{at: 0, value: 72}, {at: 600, value: 80}]
            actions:
              - {at: "6:00", patient: opt_out}
              - {at: "6:40", patient: consent}
              - {at: "6:45", therapist: resume}
            """
        let path = dir.appendingPathComponent("patient.yaml").path
        try script.write(toFile: path, atomically: true, encoding: .utf8)

        let result = try CLI.run(["simulate", "Protocols/heights-graded.yaml", "--patient", path])
        XCTAssertEqual(result.status, 0, result.output)
        let lines = result.lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let summary = try XCTUnwrap(lines.firstIndex(of: "Summary"), "a Summary section: \(result.stdout)")
        XCTAssertGreaterThan(summary, 2, "timeline lines come before the summary")
        XCTAssertTrue(lines[summary...].contains { $0.contains("outcome:") }, "the summary gives the outcome")
        XCTAssertTrue(lines[..<summary].contains { $0.contains("patient") && $0.contains("06:00") },
                      "the opt-out at 6:00 is in the timeline: \(result.stdout)")

        // The physical world at each change, with units: the whole first world, then what moved.
        let worlds = lines[..<summary].filter { $0.contains(" world ") }
        XCTAssertTrue(worlds.first?.contains("height_m 3 m, railing full") ?? false, "the first world in full: \(worlds.first ?? result.stdout)")
        XCTAssertTrue(worlds.contains { $0.contains("height_m 3 m -> 6 m") }, "step 2 raises the balcony: \(worlds)")

        let json = try CLI.run(["simulate", "Protocols/heights-graded.yaml", "--patient", path, "--json"])
        XCTAssertEqual(json.status, 0, json.output)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["protocol"] as? String, "heights-graded")
        let events = object["events"] as? [[String: Any]] ?? []
        XCTAssertFalse(events.isEmpty)
        XCTAssertTrue(events.contains { $0["parameter"] as? String == "height_m" && $0["to"] as? Double == 6 }, "physical values in the JSON too")
    }

    func testSimulateNamesTheOutcomeAndTheStepReached() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            participant: sim-02
            tick_s: 1
            duration_min: 5
            suds:
              model: {at_step_start: 50, rise_per_step: 3, habituation_percent_per_min: 30, floor: 5}
            actions:
              - {at: "2:00", therapist: end}
            """
        let path = dir.appendingPathComponent("patient.yaml").path
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["simulate", "Protocols/heights-graded.yaml", "--patient", path])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.lines.contains("  outcome: the therapist ended the session (ended_by_therapist) at step 1/11 at 02:00"),
                      result.stdout)
    }

    func testSimulateReportsBrokenPatientScriptWithFileLine() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("patient.yaml").path
        try "participant: sim-02\ntick_s: 1\nduration_min: -3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try CLI.run(["simulate", "Protocols/heights-graded.yaml", "--patient", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("\(path):3:"), "names line 3: \(result.output)")
    }
}
