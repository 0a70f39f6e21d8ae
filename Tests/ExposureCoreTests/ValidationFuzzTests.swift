import XCTest
@testable import ExposureCore

/// `exposure validate` must answer any input with diagnostics: never crash, never hang.
final class ValidationFuzzTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func check(_ data: Data, _ name: String) -> [Diagnostic] {
        let url = directory.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: data)
        return ProtocolParser.check(path: url.path, vocabulary: testVocabulary)
    }

    func assertCleanError(_ d: [Diagnostic], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(d.isEmpty, "\(what): no diagnostic", file: file, line: line)
        for diag in d {
            XCTAssertTrue(diag.location.file.hasSuffix(".yaml"), "\(what): \(diag)", file: file, line: line)
            XCTAssertGreaterThanOrEqual(diag.location.line, 1, file: file, line: line)
            XCTAssertFalse(diag.message.isEmpty, file: file, line: line)
        }
    }

    func testRandomBytes() {
        var rng = SeededGenerator(seed: 7)
        for i in 0..<150 {
            let count = Int.random(in: 0..<2000, using: &rng)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let d = check(Data(bytes), "random-\(i).yaml")
            if count > 0 { assertCleanError(d, "random \(i)") }
        }
    }

    func testRandomPrintableYAMLishText() {
        var rng = SeededGenerator(seed: 11)
        let alphabet = Array("abc:-[]{}&*!|>'\"#,? \n\n  0123456789.%@`")
        for i in 0..<300 {
            let text = String((0..<Int.random(in: 1..<400, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
            _ = check(Data(text.utf8), "text-\(i).yaml")   // must return, whatever it says
        }
    }

    func testEveryTruncationOfARealProtocol() throws {
        let url = repositoryRoot.appendingPathComponent("Protocols/heights-graded.yaml")
        let data = try Data(contentsOf: url)
        var cut = 1, tried = 0, reported = 0
        while cut < data.count {
            // A cut at a step boundary can leave a valid, shorter protocol; any diagnostic must be clean.
            let d = check(data.prefix(cut), "cut-\(cut).yaml")
            if !d.isEmpty { assertCleanError(d, "truncated at \(cut)"); reported += 1 }
            tried += 1
            cut += 37
        }
        XCTAssertGreaterThan(reported, tried * 3 / 4, "most cuts break the file")
    }

    func testDeepNestingAliasBombAndHugeFile() {
        assertCleanError(check(Data(String(repeating: "[", count: 100_000).utf8), "brackets.yaml"), "brackets")
        assertCleanError(check(Data(String(repeating: "{a: ", count: 100_000).utf8), "braces.yaml"), "braces")
        var indent = ""
        var nested = ""
        for _ in 0..<3000 { nested += indent + "a:\n"; indent += " " }
        assertCleanError(check(Data(nested.utf8), "indent.yaml"), "indentation")

        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...12 { bomb += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let d = check(Data(bomb.utf8), "bomb.yaml")
        XCTAssertTrue(d.contains { $0.message.contains("alias bomb") }, "\(d)")

        let huge = String(repeating: "# padding line for a file that is far too big\n", count: 2 * 1024 * 1024 / 46 + 1)
        let big = check(Data(huge.utf8), "huge.yaml")
        XCTAssertTrue(big.first?.message.contains("limit") ?? false, "\(big)")

        assertCleanError(check(Data([0xEF, 0xBB, 0xBF, 0xFF, 0x00, 0x41]), "bom.yaml"), "binary")
        let missing = ProtocolParser.check(path: directory.appendingPathComponent("nope.yaml").path, vocabulary: testVocabulary)
        XCTAssertEqual(missing.first?.message, "cannot read file (missing or not permitted)")
    }

    func testWrongShapesEverywhereNeverCrash() {
        // Replace each value of a valid protocol with a list, a mapping, nothing and junk in turn.
        let lines = ProtocolParserTests.good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (i, line) in lines.enumerated() where line.contains(": ") {
            for junk in ["[1, 2]", "{x: 1}", "", "~", "-1e309", "\"\"", "*nope", "&a b"] {
                var copy = lines
                copy[i] = String(line[..<line.range(of: ": ")!.upperBound]) + junk
                let d = check(Data(copy.joined(separator: "\n").utf8), "shape-\(i).yaml")
                if junk == "[1, 2]" { XCTAssertFalse(d.isEmpty, "line \(i + 1) `\(copy[i])` accepted") }
            }
        }
    }

    func testThousandsOfProblemsAreCappedWithOneClosingLine() {
        let text = (0..<5000).map { "unknown_field_number_\($0): 1" }.joined(separator: "\n")
        let d = check(Data(text.utf8), "many.yaml")
        XCTAssertEqual(d.count, 501)
        XCTAssertEqual(d.last?.message, "more than 500 problems; stopped listing here")
        XCTAssertEqual(d.first?.location.line, 1)
    }
}
