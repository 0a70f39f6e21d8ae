import XCTest
@testable import ExposureCore

final class YAMLSourceTests: XCTestCase {
    func diagnostics(_ text: String) -> [Diagnostic] {
        do { _ = try YAMLSource.parse(text: text, file: "t.yaml"); return [] }
        catch let f as ValidationFailure { return f.diagnostics }
        catch { XCTFail("unexpected error \(error)"); return [] }
    }

    func testLocationsAndPaths() throws {
        let root = try YAMLSource.parse(text: "id: a\nsteps:\n  - intensity: 20\n  - intensity: 40\n", file: "p.yaml")
        guard case .mapping(let pairs) = root.value, case .sequence(let steps) = pairs[1].value.value,
              case .mapping(let step) = steps[1].value else { return XCTFail("shape") }
        XCTAssertEqual(step[0].value.path, "steps[1].intensity")
        XCTAssertEqual(step[0].value.location, SourceLocation(file: "p.yaml", line: 4, column: 16))
    }

    func testSyntaxErrorNamesLine() {
        let d = diagnostics("id: a\nsteps: [1, 2\nother: x\n")
        XCTAssertEqual(d.count, 1)
        XCTAssertEqual(d.first?.location.file, "t.yaml")
        XCTAssertGreaterThanOrEqual(d.first?.location.line ?? 0, 2)
    }

    func testAliasBombIsRefused() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let d = diagnostics(text)
        XCTAssertTrue(d.first?.message.contains("alias bomb") ?? false, "\(d)")
    }

    func testDeepNestingIsRefusedBeforeParsing() {
        XCTAssertTrue(diagnostics(String(repeating: "[", count: 100_000)).first?.message.contains("nested deeper") ?? false)
        XCTAssertFalse(diagnostics(String(repeating: "- ", count: 50_000) + "x\n").isEmpty)
        XCTAssertFalse(diagnostics(String(repeating: "{a: ", count: 5000)).isEmpty)
        // An apostrophe must not hide brackets from the scan.
        XCTAssertFalse(diagnostics("x: [don't, " + String(repeating: "[", count: 10_000)).isEmpty)
    }

    func testBinaryAndDuplicateKeys() {
        XCTAssertEqual(diagnostics("a: 1\u{0}\n").first?.message, "file contains NUL bytes: not a YAML text file")
        XCTAssertEqual(diagnostics("a: 1\na: 2\n").first?.field, "a")
        XCTAssertThrowsError(try YAMLSource.parse(data: Data([0xff, 0xfe, 0x41]), file: "b"))
    }

    func testFieldReaderReportsEveryProblem() throws {
        let root = try YAMLSource.parse(text: "title: x\nduration: soon\nmax: 500\nrailng: low\n", file: "f.yaml")
        let sink = DiagnosticSink()
        var r = try XCTUnwrap(FieldReader(root, sink: sink))
        _ = r.string("title", required: true)
        _ = r.number("duration")
        _ = r.number("max", in: 0...100)
        _ = r.choice("railing", ["full", "low", "none"])
        _ = r.string("id", required: true)
        r.finish()
        let messages = sink.diagnostics.map(\.description)
        XCTAssertEqual(messages.count, 4, "\(messages)")
        XCTAssertTrue(messages.contains("f.yaml:2:11: error: duration: expected a number, found `soon`"), "\(messages)")
        XCTAssertTrue(messages.contains("f.yaml:3:6: error: max: 500 is out of range 0...100"), "\(messages)")
        XCTAssertTrue(messages.contains { $0.hasPrefix("f.yaml:4:1: error: railng: unknown field (did you mean `railing`?)") }, "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("id: required field is missing") }, "\(messages)")
    }
}
