import ArgumentParser
import ExposureCore

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check protocol files and report every problem with file:line:column and field.",
        discussion: "Exits 1 when any file has an error. Warnings are printed but do not fail.")

    @Argument(help: "Protocol files (YAML) to check.")
    var files: [String]

    func run() throws {
        let vocabulary = environmentVocabulary()
        var failed = false
        for file in files {
            let diagnostics = ProtocolParser.check(path: file, vocabulary: vocabulary)
            for d in diagnostics { print(d.description) }
            if diagnostics.contains(where: { $0.severity == .error }) {
                failed = true
            } else {
                print("\(file): ok\(diagnostics.isEmpty ? "" : " (\(diagnostics.count) warning\(diagnostics.count == 1 ? "" : "s"))")")
            }
        }
        if failed { throw ExitCode(1) }
    }
}
