// All environment definitions of a directory, validated together, and the vocabulary protocols
// are checked against.
import Foundation
import ExposureCore

public struct EnvironmentCatalog: Equatable, Sendable {
    public var definitions: [String: EnvironmentDefinition]
    public init(definitions: [EnvironmentDefinition]) {
        self.definitions = Dictionary(definitions.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func definition(_ id: String) -> EnvironmentDefinition? { definitions[id] }
    public var names: [String] { definitions.keys.sorted() }

    /// Events an environment reacts to (empty for an unknown name).
    public func events(of environment: String) -> [String] {
        definitions[environment].flatMap { EnvironmentKind(rawValue: $0.id) }?.events ?? []
    }

    /// Which environments and parameters protocols may name.
    public var vocabulary: EnvironmentVocabulary {
        EnvironmentVocabulary(environments: definitions.mapValues(\.specs),
                              events: Dictionary(uniqueKeysWithValues: definitions.keys.map { ($0, events(of: $0)) }))
    }

    /// Loads every `*.yaml` in `directory`. Throws `ValidationFailure` with every problem in every
    /// file; the safe room must be defined, because pause and opt-out show it.
    public static func load(directory: String) throws -> EnvironmentCatalog {
        let dirLocation = SourceLocation(file: directory, line: 1, column: 1)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ValidationFailure([Diagnostic(dirLocation, field: "", "cannot list the environments directory (missing or not permitted)")])
        }
        var diagnostics: [Diagnostic] = []
        var definitions: [EnvironmentDefinition] = []
        var fileOf: [String: String] = [:]
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                let d = try EnvironmentDefinition.load(path: path)
                if let other = fileOf[d.id] {
                    diagnostics.append(Diagnostic(SourceLocation(file: path, line: 1, column: 1), field: "id",
                                                  "environment `\(d.id)` is already defined in \(other)"))
                    continue
                }
                fileOf[d.id] = path
                definitions.append(d)
            } catch let failure as ValidationFailure {
                diagnostics += failure.diagnostics
            }
        }
        if !diagnostics.contains(where: { $0.severity == .error }) && fileOf[EnvironmentKind.safeRoom.rawValue] == nil {
            diagnostics.append(Diagnostic(dirLocation, field: "", "no safe_room definition: pause and opt-out need it (add safe_room.yaml)"))
        }
        if diagnostics.contains(where: { $0.severity == .error }) { throw ValidationFailure(diagnostics) }
        return EnvironmentCatalog(definitions: definitions)
    }

    /// Finds the bundled `Environments/` directory: `EXPOSURE_ENVIRONMENTS` if set, else the first
    /// `Environments/` holding `safe_room.yaml` above the executable or the current directory.
    public static func bundledDirectory() -> String? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["EXPOSURE_ENVIRONMENTS"], !env.isEmpty { return env }
        var starts: [URL] = [URL(fileURLWithPath: fm.currentDirectoryPath)]
        if let exe = Bundle.main.executableURL { starts.append(exe.resolvingSymlinksInPath().deletingLastPathComponent()) }
        starts.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        for start in starts {
            var dir = start
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("Environments")
                if fm.fileExists(atPath: candidate.appendingPathComponent("safe_room.yaml").path) { return candidate.path }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }

    public enum LookupError: Error, CustomStringConvertible {
        case notFound
        public var description: String {
            "cannot find the Environments/ directory: run from the project folder or set EXPOSURE_ENVIRONMENTS"
        }
    }

    /// The bundled catalog, validated.
    public static func bundled() throws -> EnvironmentCatalog {
        guard let dir = bundledDirectory() else { throw LookupError.notFound }
        return try load(directory: dir)
    }
}
