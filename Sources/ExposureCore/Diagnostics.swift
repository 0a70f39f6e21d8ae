// Problems found in a protocol, environment or script file, each naming file, line, column and field,
// so a clinician editing YAML can go straight to the mistake.

/// A place in a source file. Lines and columns start at 1.
public struct SourceLocation: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) { self.file = file; self.line = line; self.column = column }
    public var description: String { "\(file):\(line):\(column)" }
}

public struct Diagnostic: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var location: SourceLocation
    /// Dotted path of the field, e.g. `steps[3].progression.suds_drop_percent`; empty for the whole file.
    public var field: String
    public var message: String
    public var severity: Severity

    public init(_ location: SourceLocation, field: String, _ message: String, severity: Severity = .error) {
        self.location = location; self.field = field; self.message = message; self.severity = severity
    }
    public var description: String {
        "\(location): \(severity.rawValue): \(field.isEmpty ? "" : "\(field): ")\(message)"
    }
}

/// Thrown when a file has one or more errors; carries every problem found, not just the first.
public struct ValidationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Collects diagnostics while a file is read, so validation reports everything in one pass.
public final class DiagnosticSink {
    public private(set) var diagnostics: [Diagnostic] = []
    /// A file with thousands of problems is reported up to this many, then one line says so:
    /// a person cannot act on more, and a hostile file cannot make validation slow.
    public let limit: Int
    public private(set) var isFull = false
    public init(limit: Int = 500) { self.limit = max(1, limit) }
    public func error(_ at: SourceLocation, _ field: String, _ message: String) {
        add(Diagnostic(at, field: field, message))
    }
    public func warning(_ at: SourceLocation, _ field: String, _ message: String) {
        add(Diagnostic(at, field: field, message, severity: .warning))
    }
    private func add(_ d: Diagnostic) {
        guard !isFull else { return }
        if diagnostics.count >= limit {
            isFull = true
            diagnostics.append(Diagnostic(d.location, field: "", "more than \(limit) problems; stopped listing here"))
            return
        }
        diagnostics.append(d)
    }
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    /// Throws the collected diagnostics if any of them is an error.
    public func throwIfErrors() throws {
        if hasErrors { throw ValidationFailure(diagnostics) }
    }
}
