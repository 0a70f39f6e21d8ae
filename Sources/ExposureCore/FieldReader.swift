// Typed reading of YAML mappings with every problem reported (unknown keys, wrong types, values
// out of range) at the line and column of the offending field.

public struct FieldReader {
    public let node: YNode
    public let sink: DiagnosticSink
    private let pairs: [(key: String, keyLocation: SourceLocation, value: YNode)]
    private var used: Set<String> = []

    /// nil (with a diagnostic) when `node` is not a mapping.
    public init?(_ node: YNode, sink: DiagnosticSink, what: String = "this section") {
        guard case .mapping(let p) = node.value else {
            sink.error(node.location, node.path, "\(what) must be a mapping of `name: value` fields, found \(node.typeName)")
            return nil
        }
        self.node = node; self.sink = sink; self.pairs = p
    }

    public var keys: [String] { pairs.map(\.key) }
    public func has(_ key: String) -> Bool { pairs.contains { $0.key == key } }

    public mutating func node(_ key: String, required: Bool = false) -> YNode? {
        used.insert(key)
        guard let pair = pairs.first(where: { $0.key == key }) else {
            if required { sink.error(node.location, path(key), "required field is missing") }
            return nil
        }
        if case .null = pair.value.value {
            if required { sink.error(pair.value.location, path(key), "required field is empty") }
            return nil
        }
        return pair.value
    }

    public mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let n = node(key, required: required) else { return nil }
        guard case .scalar(let s, _) = n.value else {
            sink.error(n.location, n.path, "expected text, found \(n.typeName)"); return nil
        }
        return s
    }

    public mutating func number(_ key: String, required: Bool = false, in range: ClosedRange<Double>? = nil) -> Double? {
        guard let n = node(key, required: required) else { return nil }
        return FieldReader.number(n, sink: sink, in: range)
    }

    public mutating func integer(_ key: String, required: Bool = false, in range: ClosedRange<Int>? = nil) -> Int? {
        guard let n = node(key, required: required) else { return nil }
        guard case .scalar(let s, let quoted) = n.value, !quoted, let v = Int(s) else {
            sink.error(n.location, n.path, "expected a whole number, found \(FieldReader.show(n))"); return nil
        }
        if let range, !range.contains(v) {
            sink.error(n.location, n.path, "\(v) is out of range \(range.lowerBound)...\(range.upperBound)"); return nil
        }
        return v
    }

    public mutating func bool(_ key: String, required: Bool = false) -> Bool? {
        guard let n = node(key, required: required) else { return nil }
        guard case .scalar(let s, let quoted) = n.value, !quoted else {
            sink.error(n.location, n.path, "expected true or false, found \(FieldReader.show(n))"); return nil
        }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: sink.error(n.location, n.path, "expected true or false, found `\(s)`"); return nil
        }
    }

    /// One of a fixed set of words (e.g. `railing: low`).
    public mutating func choice(_ key: String, _ allowed: [String], required: Bool = false) -> String? {
        guard let n = node(key, required: required) else { return nil }
        guard case .scalar(let s, _) = n.value else {
            sink.error(n.location, n.path, "expected one of \(allowed.joined(separator: ", ")), found \(n.typeName)"); return nil
        }
        guard allowed.contains(s) else {
            sink.error(n.location, n.path, "`\(s)` is not one of \(allowed.joined(separator: ", "))"); return nil
        }
        return s
    }

    public mutating func list(_ key: String, required: Bool = false) -> [YNode]? {
        guard let n = node(key, required: required) else { return nil }
        guard case .sequence(let items) = n.value else {
            sink.error(n.location, n.path, "expected a list, found \(n.typeName)"); return nil
        }
        return items
    }

    /// Reports every key that was never asked for, naming the ones that are allowed.
    public func finish() {
        let known = used.sorted()
        for pair in pairs where !used.contains(pair.key) {
            if sink.isFull { return }
            sink.error(pair.keyLocation, path(pair.key),
                       "unknown field\(FieldReader.suggestion(pair.key, known)); allowed here: \(known.joined(separator: ", "))")
        }
    }

    func path(_ key: String) -> String { node.path.isEmpty ? key : "\(node.path).\(key)" }

    public static func number(_ n: YNode, sink: DiagnosticSink, in range: ClosedRange<Double>? = nil) -> Double? {
        guard case .scalar(let s, let quoted) = n.value, !quoted, let v = Double(s), v.isFinite else {
            sink.error(n.location, n.path, "expected a number, found \(show(n))"); return nil
        }
        if let range, !range.contains(v) {
            sink.error(n.location, n.path, "\(format(v)) is out of range \(format(range.lowerBound))...\(format(range.upperBound))")
            return nil
        }
        return v
    }

    static func show(_ n: YNode) -> String {
        if case .scalar(let s, _) = n.value { return "`\(s.prefix(40))`" }
        return n.typeName
    }

    public static func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    /// " (did you mean `x`?)" for a near miss, else "".
    static func suggestion(_ key: String, _ known: [String]) -> String {
        let best = known.map { ($0, editDistance(key, $0)) }.min { $0.1 < $1.1 }
        if let best, best.1 <= max(2, key.count / 3) { return " (did you mean `\(best.0)`?)" }
        return ""
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8.prefix(64)), b = Array(b.utf8.prefix(64))
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var prev = row[0]; row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
