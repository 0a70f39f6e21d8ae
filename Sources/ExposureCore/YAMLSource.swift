// Safe YAML loading for files a person wrote (or a stranger sent): size, nesting and alias-expansion
// limits are checked before and while parsing, so bad input gives a diagnostic, never a crash or a hang.
import Foundation
import Yams

public struct YAMLLimits: Sendable {
    public var maxBytes: Int = 1 << 20
    /// Deepest nesting of mappings and sequences accepted (protocols need fewer than 10).
    public var maxDepth: Int = 48
    /// Total nodes after expanding aliases: stops "billion laughs" alias bombs.
    public var maxNodes: Int = 200_000
    public init() {}
    public static let standard = YAMLLimits()
}

/// A parsed YAML node with its place in the file and its field path.
public struct YNode: Sendable {
    public indirect enum Value: Sendable {
        case null
        case scalar(String, quoted: Bool)
        case sequence([YNode])
        case mapping([(key: String, keyLocation: SourceLocation, value: YNode)])
    }
    public var value: Value
    public var location: SourceLocation
    /// Dotted field path from the document root, e.g. `steps[2].intensity`.
    public var path: String

    public var typeName: String {
        switch value {
        case .null: return "nothing"
        case .scalar: return "a value"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

public enum YAMLSource {
    /// Reads and parses a file. Every problem becomes a `ValidationFailure` naming the file.
    public static func load(path: String, limits: YAMLLimits = .standard) throws -> YNode {
        let start = SourceLocation(file: path, line: 1, column: 1)
        let attrs = try? FileManager.default.attributesOfItem(atPath: path)
        guard let attrs else { throw ValidationFailure([Diagnostic(start, field: "", "cannot read file (missing or not permitted)")]) }
        if let size = attrs[.size] as? Int, size > limits.maxBytes {
            throw ValidationFailure([Diagnostic(start, field: "", "file is \(size) bytes; the limit is \(limits.maxBytes)")])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationFailure([Diagnostic(start, field: "", "cannot read file")])
        }
        return try parse(data: data, file: path, limits: limits)
    }

    public static func parse(data: Data, file: String, limits: YAMLLimits = .standard) throws -> YNode {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard data.count <= limits.maxBytes else {
            throw ValidationFailure([Diagnostic(start, field: "", "file is \(data.count) bytes; the limit is \(limits.maxBytes)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ValidationFailure([Diagnostic(start, field: "", "file is not UTF-8 text")])
        }
        return try parse(text: text, file: file, limits: limits)
    }

    public static func parse(text: String, file: String, limits: YAMLLimits = .standard) throws -> YNode {
        let start = SourceLocation(file: file, line: 1, column: 1)
        if text.utf8.count > limits.maxBytes {
            throw ValidationFailure([Diagnostic(start, field: "", "text is \(text.utf8.count) bytes; the limit is \(limits.maxBytes)")])
        }
        if text.utf8.contains(0) {
            throw ValidationFailure([Diagnostic(start, field: "", "file contains NUL bytes: not a YAML text file")])
        }
        if let problem = NestingPrescan.check(text, file: file, maxDepth: limits.maxDepth) { throw ValidationFailure([problem]) }
        let node: Yams.Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ValidationFailure([describe(error, file: file)])
        } catch {
            throw ValidationFailure([Diagnostic(start, field: "", "not valid YAML: \(error)")])
        }
        guard let node else { return YNode(value: .null, location: start, path: "") }
        var budget = limits.maxNodes
        return try convert(node, file: file, path: "", depth: 0, limits: limits, budget: &budget)
    }

    static func location(_ mark: Mark?, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    static func convert(_ node: Yams.Node, file: String, path: String, depth: Int, limits: YAMLLimits,
                        budget: inout Int) throws -> YNode {
        let loc = location(node.mark, file)
        budget -= 1
        guard budget >= 0 else {
            throw ValidationFailure([Diagnostic(loc, field: path, "document expands to more than \(limits.maxNodes) nodes (alias bomb?)")])
        }
        guard depth <= limits.maxDepth else {
            throw ValidationFailure([Diagnostic(loc, field: path, "nested deeper than \(limits.maxDepth) levels")])
        }
        switch node {
        case .scalar(let s):
            if s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) {
                return YNode(value: .null, location: loc, path: path)
            }
            return YNode(value: .scalar(s.string, quoted: s.style != .plain), location: loc, path: path)
        case .sequence(let seq):
            var items: [YNode] = []
            for (i, child) in seq.enumerated() {
                items.append(try convert(child, file: file, path: "\(path)[\(i)]", depth: depth + 1, limits: limits, budget: &budget))
            }
            return YNode(value: .sequence(items), location: loc, path: path)
        case .mapping(let map):
            var pairs: [(key: String, keyLocation: SourceLocation, value: YNode)] = []
            var seen = Set<String>()
            for (k, v) in map {
                let keyLoc = location(k.mark, file)
                guard case .scalar(let ks) = k else {
                    throw ValidationFailure([Diagnostic(keyLoc, field: path, "mapping keys must be plain names")])
                }
                let childPath = path.isEmpty ? ks.string : "\(path).\(ks.string)"
                guard seen.insert(ks.string).inserted else {
                    throw ValidationFailure([Diagnostic(keyLoc, field: childPath, "duplicate key")])
                }
                let value = try convert(v, file: file, path: childPath, depth: depth + 1, limits: limits, budget: &budget)
                pairs.append((ks.string, keyLoc, value))
            }
            return YNode(value: .mapping(pairs), location: loc, path: path)
        }
    }

    static func describe(_ error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return Diagnostic(location(mark, file), field: "", "not valid YAML: \(what)")
        case .parser(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return Diagnostic(location(mark, file), field: "", "not valid YAML: \(what)")
        case .composer(let context, let problem, let mark, _):
            let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return Diagnostic(location(mark, file), field: "", "not valid YAML: \(what)")
        default:
            return Diagnostic(SourceLocation(file: file, line: 1, column: 1), field: "", "not valid YAML: \(error)")
        }
    }
}

/// The YAML composer recurses once per nesting level, so very deep input must be refused before it
/// reaches the parser. A conservative lexical scan: flow brackets outside quotes and comments, and
/// the column where a line's content starts after indentation and block indicators ("- ", "? ").
enum NestingPrescan {
    static func check(_ text: String, file: String, maxDepth: Int) -> Diagnostic? {
        let maxColumn = maxDepth * 8
        var flowDepth = 0
        var line = 1, column = 0
        var atLineStart = true
        var quote: UInt8? = nil
        var inComment = false
        // Last non-blank byte outside quotes: a quote only opens a scalar after one of these.
        var previous: UInt8 = UInt8(ascii: "\n")
        let opensScalar: Set<UInt8> = Set(":,[{-?\n".utf8)
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            column += 1
            if b == UInt8(ascii: "\n") {
                // Quotes are closed at line ends: under-counting a multi-line quoted scalar only
                // makes the scan stricter, never lets deep nesting through.
                line += 1; column = 0; atLineStart = true; inComment = false; quote = nil
                previous = b
                i += 1; continue
            }
            if inComment { i += 1; continue }
            if atLineStart {
                let isIndicator = (b == UInt8(ascii: "-") || b == UInt8(ascii: "?")) && i + 1 < bytes.count
                    && (bytes[i + 1] == UInt8(ascii: " ") || bytes[i + 1] == UInt8(ascii: "\t"))
                if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || isIndicator {
                    if column > maxColumn {
                        return Diagnostic(SourceLocation(file: file, line: line, column: column), field: "",
                                          "nested or indented deeper than this reader accepts (\(maxDepth) levels)")
                    }
                    i += 1; continue
                }
                atLineStart = false
            }
            if let q = quote {
                if b == UInt8(ascii: "\\"), q == UInt8(ascii: "\"") { i += 2; column += 1; continue }
                if b == q { quote = nil }
                i += 1; continue
            }
            defer { if b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") { previous = b } }
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                if opensScalar.contains(previous) { quote = b }
            case UInt8(ascii: "#"):
                if previous == UInt8(ascii: "\n") || (i > 0 && (bytes[i - 1] == UInt8(ascii: " ") || bytes[i - 1] == UInt8(ascii: "\t"))) {
                    inComment = true
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                flowDepth += 1
                if flowDepth > maxDepth {
                    return Diagnostic(SourceLocation(file: file, line: line, column: column), field: "",
                                      "nested deeper than \(maxDepth) levels")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): flowDepth = max(0, flowDepth - 1)
            default: break
            }
            i += 1
        }
        return nil
    }
}
