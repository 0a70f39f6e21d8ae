import ArgumentParser
import ExposureCore
import Foundation

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check protocol files and report every problem with file:line:column and field.",
        discussion: """
            Protocols are checked against the environment definitions in Environments/; a missing or \
            broken definition is reported the same way and no protocol is checked. Exits 1 when any \
            file has an error. Warnings are printed but do not fail.
            """)

    @Argument(help: "Protocol files (YAML) to check.")
    var files: [String]

    @OptionGroup var environments: EnvironmentsOption

    func run() throws {
        let vocabulary: EnvironmentVocabulary
        do {
            vocabulary = try environments.vocabulary()
        } catch let failure as ValidationFailure {
            for d in failure.diagnostics { print(d.description) }
            print("no protocol was checked: the environment definitions must be valid first")
            throw ExitCode(1)
        }
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
