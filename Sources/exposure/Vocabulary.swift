import ArgumentParser
import ExposureCore
import Environments
import Foundation

/// `--environments DIR`, shared by every command that needs the environment definitions.
struct EnvironmentsOption: ParsableArguments {
    @Option(name: .customLong("environments"),
            help: "Environments directory (default: $EXPOSURE_ENVIRONMENTS, else the Environments/ folder found above the current directory or the executable).")
    var directory: String?

    /// The definitions, validated. Every failure is a `ValidationFailure` whose diagnostics name
    /// file:line:column, so commands print them like protocol problems.
    func catalog() throws -> EnvironmentCatalog { try EnvironmentsOption.catalog(directory: directory) }

    static func catalog(directory: String?) throws -> EnvironmentCatalog {
        if let directory { return try EnvironmentCatalog.load(directory: directory) }
        guard let found = EnvironmentCatalog.bundledDirectory() else {
            let here = FileManager.default.currentDirectoryPath + "/Environments"
            throw ValidationFailure([Diagnostic(SourceLocation(file: here, line: 1, column: 1), field: "",
                                                EnvironmentCatalog.LookupError.notFound.description + ", or pass --environments DIR")])
        }
        return try EnvironmentCatalog.load(directory: found)
    }

    /// The environments and parameters protocols may use: exactly what Environments/ defines.
    func vocabulary() throws -> EnvironmentVocabulary { try catalog().vocabulary }
}

/// The vocabulary of the bundled Environments/ directory (for commands without `--environments`).
func environmentVocabulary() throws -> EnvironmentVocabulary {
    try EnvironmentsOption.catalog(directory: nil).vocabulary
}

/// Prints each diagnostic on stderr as `file:line:column: error: field: message`.
func printDiagnostics(_ failure: ValidationFailure) {
    for d in failure.diagnostics { FileHandle.standardError.write(Data((d.description + "\n").utf8)) }
}
