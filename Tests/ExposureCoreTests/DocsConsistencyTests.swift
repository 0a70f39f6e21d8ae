import XCTest
@testable import ExposureCore

/// The reference page and the JSON Schema must describe the fields the parser reads, no more, no less.
final class DocsConsistencyTests: XCTestCase {
    /// The fields the parser accepts in a section, taken from its "unknown field" message.
    func allowedFields(insert line: String, after anchor: String) throws -> Set<String> {
        let good = ProtocolParserTests.good
        let range = try XCTUnwrap(good.range(of: anchor), anchor)
        let text = good.replacingCharacters(in: range, with: anchor + line)
        var message: String?
        do { _ = try ProtocolParser.parse(text: text, file: "p.yaml", vocabulary: testVocabulary) }
        catch let f as ValidationFailure { message = f.diagnostics.first { $0.field.hasSuffix("zz_unknown") }?.message }
        let m = try XCTUnwrap(message, "no unknown-field report for \(anchor)")
        let list = try XCTUnwrap(m.components(separatedBy: "allowed here: ").last)
        return Set(list.components(separatedBy: ", "))
    }

    func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("docs/protocol.schema.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func keys(_ object: Any?) -> Set<String> { Set(((object as? [String: Any])?["properties"] as? [String: Any])?.keys.map { $0 } ?? []) }

    func testSchemaAndReferenceListEveryFieldTheParserReads() throws {
        let s = try schema()
        let props = try XCTUnwrap(s["properties"] as? [String: Any])
        let defs = try XCTUnwrap(s["$defs"] as? [String: Any])
        let stepSchema = defs["step_heights"] as? [String: Any]
        let eventSchema = ((stepSchema?["properties"] as? [String: Any])?["events"] as? [String: Any])?["items"]
        let sections: [(String, String, Set<String>)] = [
            ("id: small\n", "zz_unknown: 1\n", keys(s)),
            ("session_limits:\n", "  zz_unknown: 1\n", keys(props["session_limits"])),
            ("safety_limits:\n", "  zz_unknown: 1\n", keys(props["safety_limits"])),
            ("steps:\n  - id: a\n", "    zz_unknown: 1\n", keys(stepSchema)),
            ("  - {at_s: 10, ", "zz_unknown: 1, ", keys(eventSchema)),
        ]
        let reference = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/protocol-format.md"), encoding: .utf8)
        for (anchor, line, schemaKeys) in sections {
            let parser = try allowedFields(insert: line, after: anchor)
            XCTAssertEqual(parser, schemaKeys, "schema vs parser at \(anchor.debugDescription)")
            for field in parser { XCTAssertTrue(reference.contains("`\(field)`"), "docs/protocol-format.md does not describe `\(field)`") }
        }
        // defaults: read through the same path as the others.
        let text = ProtocolParserTests.good.replacingOccurrences(of: "steps:\n", with: "defaults:\n  zz_unknown: 1\nsteps:\n")
        do { _ = try ProtocolParser.parse(text: text, file: "p.yaml", vocabulary: testVocabulary); XCTFail("accepted") }
        catch let f as ValidationFailure {
            let m = try XCTUnwrap(f.diagnostics.first { $0.field == "defaults.zz_unknown" }?.message)
            let parser = Set((m.components(separatedBy: "allowed here: ").last ?? "").components(separatedBy: ", "))
            XCTAssertEqual(parser, keys(props["defaults"]))
        }
    }

    func testSchemaRulesMatchTheParsersRules() throws {
        let s = try schema()
        let rule = try XCTUnwrap((s["$defs"] as? [String: Any])?["rule"] as? [String: Any])
        let options = try XCTUnwrap(rule["oneOf"] as? [[String: Any]])
        let names = Set(options.flatMap { keys($0) })
        XCTAssertEqual(names, Set(ProtocolParser.ruleKeys))
    }

    func firstYAMLBlock(_ doc: String) throws -> String {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/\(doc)"), encoding: .utf8)
        let start = try XCTUnwrap(text.range(of: "```yaml\n"))
        let end = try XCTUnwrap(text.range(of: "```", range: start.upperBound..<text.endIndex))
        return String(text[start.upperBound..<end.lowerBound])
    }

    func testDocumentedExamplesAreValid() throws {
        let plan = try ProtocolParser.parse(text: firstYAMLBlock("protocol-format.md"), file: "protocol-format.md", vocabulary: testVocabulary)
        XCTAssertEqual(plan.steps.count, 3)
        let script = try PatientScriptParser.parse(text: firstYAMLBlock("patient-script.md"), file: "patient-script.md",
                                                   parameterSpecs: testVocabulary.parameters(of: "heights"))
        XCTAssertEqual(script.actions.count, 5)
        let result = Simulator.run(plan, script: script, parameterSpecs: testVocabulary.parameters(of: "heights"))
        XCTAssertTrue(result.events.contains { $0.kind == .safeRoomEntered && $0.actor == .patient && $0.time == 540 })
    }
}
