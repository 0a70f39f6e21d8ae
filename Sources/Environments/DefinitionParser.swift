// Reads one environment definition (YAML) into an EnvironmentDefinition, reporting every problem
// with file:line:column and the field path, in one pass.
import ExposureCore
import SceneModel

public extension EnvironmentDefinition {
    /// Parses a definition file. Throws `ValidationFailure` listing every problem found.
    static func load(path: String) throws -> EnvironmentDefinition {
        try parse(root: YAMLSource.load(path: path), file: path)
    }

    static func parse(text: String, file: String) throws -> EnvironmentDefinition {
        try parse(root: YAMLSource.parse(text: text, file: file), file: file)
    }

    static func parse(root: YNode, file: String) throws -> EnvironmentDefinition {
        let sink = DiagnosticSink()
        let definition = DefinitionParser(sink: sink, file: file).definition(root)
        try sink.throwIfErrors()
        guard let definition else {
            throw ValidationFailure([Diagnostic(root.location, field: "", "not a usable environment definition")])
        }
        return definition
    }
}

struct DefinitionParser {
    let sink: DiagnosticSink
    let file: String

    func definition(_ root: YNode) -> EnvironmentDefinition? {
        guard var r = FieldReader(root, sink: sink, what: "an environment definition") else { return nil }
        let idNode = r.node("id", required: true)
        let id = r.string("id", required: true)
        let title = r.string("title") ?? id ?? ""
        let description = r.string("description") ?? ""
        var kind: EnvironmentKind?
        if let id, let idNode {
            kind = EnvironmentKind(rawValue: id)
            if kind == nil {
                sink.error(idNode.location, "id", "unknown environment `\(id)`\(Self.suggest(id, EnvironmentKind.allCases.map(\.rawValue))); the runtime builds: \(EnvironmentKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let parametersNode = r.node("parameters", required: true)
        let sceneNode = r.node("scene", required: true)
        r.finish()
        guard let kind else { return nil }

        var parameters: [ParameterDefinition] = []
        if let parametersNode {
            parameters = self.parameters(parametersNode, kind: kind)
        }
        var scene = SceneSettings(seed: 1, areaMetres: 100, maxPeople: 0, colors: [:])
        if let sceneNode { scene = self.scene(sceneNode, kind: kind) }
        return EnvironmentDefinition(id: kind.rawValue, title: title, description: description,
                                     parameters: parameters, scene: scene, file: file)
    }

    func parameters(_ node: YNode, kind: EnvironmentKind) -> [ParameterDefinition] {
        guard case .mapping(let pairs) = node.value else {
            sink.error(node.location, node.path, "parameters must be a mapping of parameter name to its definition, found \(node.typeName)")
            return []
        }
        let allowed = kind.parameters
        var result: [ParameterDefinition] = []
        for pair in pairs {
            guard let widest = allowed[pair.key] else {
                sink.error(pair.keyLocation, "parameters.\(pair.key)",
                           "\(kind.rawValue) has no parameter `\(pair.key)`\(Self.suggest(pair.key, Array(allowed.keys))); known: \(allowed.keys.sorted().joined(separator: ", "))")
                continue
            }
            if let p = parameter(pair.key, pair.value, widest: widest) { result.append(p) }
        }
        let present = Set(pairs.map(\.key))
        for name in allowed.keys.sorted() where !present.contains(name) {
            sink.error(node.location, "parameters.\(name)", "missing: \(kind.rawValue) needs a definition of `\(name)`")
        }
        return result
    }

    func parameter(_ name: String, _ node: YNode, widest: ParameterSpec) -> ParameterDefinition? {
        guard var r = FieldReader(node, sink: sink, what: "parameter `\(name)`") else { return nil }
        switch widest.kind {
        case .number(let limits):
            let unitNode = r.node("unit", required: true)
            let unit = r.string("unit", required: true)
            if let unit, let unitNode, unit != widest.unit {
                sink.error(unitNode.location, unitNode.path, "unit must be `\(widest.unit ?? "")` (the runtime reads \(name) in \(widest.unit ?? "")), found `\(unit)`")
            }
            let rangeNode = r.node("range", required: true)
            var range: ClosedRange<Double>?
            if let rangeNode, let pair = numberPair(rangeNode, what: "range") {
                if pair.0 >= pair.1 {
                    sink.error(rangeNode.location, rangeNode.path, "range must go from low to high, found [\(FieldReader.format(pair.0)), \(FieldReader.format(pair.1))]")
                } else if pair.0 < limits.lowerBound || pair.1 > limits.upperBound {
                    sink.error(rangeNode.location, rangeNode.path, "range must lie within \(FieldReader.format(limits.lowerBound))...\(FieldReader.format(limits.upperBound)) \(widest.unit ?? "")")
                } else {
                    range = pair.0...pair.1
                }
            }
            let defaultValue = r.number("default", required: true, in: range)
            let maxRate = r.number("max_rate", required: true, in: 0.000001...1_000_000)
            let curveNode = r.node("curve")
            r.finish()
            guard let range else { return nil }
            let curve = curveNode.flatMap { linearCurve($0, range: range, unit: widest.unit) }
            guard let defaultValue, let maxRate, curveNode == nil || curve != nil else { return nil }
            return ParameterDefinition(name: name, spec: ParameterSpec(name: name, kind: .number(range), unit: widest.unit),
                                       defaultValue: .number(defaultValue), maxRate: maxRate,
                                       curve: curve.map { .linear($0) })
        case .choice(let known):
            var options: [String]?
            if let list = r.list("options", required: true) {
                var seen: [String] = []
                for item in list {
                    guard case .scalar(let s, _) = item.value else {
                        sink.error(item.location, item.path, "expected an option name, found \(item.typeName)"); continue
                    }
                    if !known.contains(s) {
                        sink.error(item.location, item.path, "`\(s)` is not an option the runtime can build; known: \(known.joined(separator: ", "))")
                    } else if seen.contains(s) {
                        sink.error(item.location, item.path, "`\(s)` is listed twice")
                    } else { seen.append(s) }
                }
                if seen.isEmpty { sink.error(r.node.location, "\(r.node.path).options", "needs at least one option") } else { options = seen }
            }
            let defaultValue = r.choice("default", options ?? known, required: true)
            let hold = r.number("min_hold_s", in: 0...3600) ?? 0
            let curveNode = r.node("curve")
            r.finish()
            guard let options else { return nil }
            let curve = curveNode.flatMap { stepCurve($0, options: options) }
            guard let defaultValue, curveNode == nil || curve != nil else { return nil }
            return ParameterDefinition(name: name, spec: ParameterSpec(name: name, kind: .choice(options)),
                                       defaultValue: .choice(defaultValue), maxRate: nil, minHoldSeconds: hold,
                                       curve: curve.map { .steps($0) })
        }
    }

    /// `[[intensity, value], ...]`: intensities 0...100 strictly rising, values inside the range.
    func linearCurve(_ node: YNode, range: ClosedRange<Double>, unit: String?) -> [CurvePoint]? {
        guard let points = curvePoints(node) else { return nil }
        var result: [CurvePoint] = []
        var ok = true
        for (pointNode, x, valueNode) in points {
            guard let y = FieldReader.number(valueNode, sink: sink) else { ok = false; continue }
            if !range.contains(y) {
                sink.error(valueNode.location, valueNode.path, "curve value \(FieldReader.format(y)) is outside the parameter's range \(FieldReader.format(range.lowerBound))...\(FieldReader.format(range.upperBound))\(unit.map { " \($0)" } ?? "")")
                ok = false
            }
            _ = pointNode
            result.append(CurvePoint(intensity: x, value: y))
        }
        return ok ? result : nil
    }

    func stepCurve(_ node: YNode, options: [String]) -> [ChoiceStep]? {
        guard let points = curvePoints(node) else { return nil }
        var result: [ChoiceStep] = []
        var ok = true
        for (_, x, valueNode) in points {
            guard case .scalar(let s, _) = valueNode.value, options.contains(s) else {
                sink.error(valueNode.location, valueNode.path, "expected one of \(options.joined(separator: ", ")), found \(FieldReader.formatNode(valueNode))")
                ok = false; continue
            }
            result.append(ChoiceStep(intensity: x, option: s))
        }
        return ok ? result : nil
    }

    /// Checks the shared shape of both curve kinds and returns (point, intensity, value node).
    func curvePoints(_ node: YNode) -> [(YNode, Double, YNode)]? {
        guard case .sequence(let items) = node.value, !items.isEmpty else {
            sink.error(node.location, node.path, "curve must be a list of [intensity, value] points, e.g. [[0, 2], [100, 150]]")
            return nil
        }
        var result: [(YNode, Double, YNode)] = []
        var ok = true
        var previous: Double?
        for item in items {
            guard case .sequence(let pair) = item.value, pair.count == 2 else {
                sink.error(item.location, item.path, "each curve point must be [intensity, value]"); ok = false; continue
            }
            guard let x = FieldReader.number(pair[0], sink: sink, in: 0...100) else { ok = false; continue }
            if let previous, x <= previous {
                sink.error(pair[0].location, pair[0].path, "curve intensities must rise: \(FieldReader.format(x)) follows \(FieldReader.format(previous))")
                ok = false
            }
            previous = x
            result.append((item, x, pair[1]))
        }
        return ok ? result : nil
    }

    func numberPair(_ node: YNode, what: String) -> (Double, Double)? {
        guard case .sequence(let items) = node.value, items.count == 2 else {
            sink.error(node.location, node.path, "\(what) must be [low, high]"); return nil
        }
        guard let a = FieldReader.number(items[0], sink: sink), let b = FieldReader.number(items[1], sink: sink) else { return nil }
        return (a, b)
    }

    func scene(_ node: YNode, kind: EnvironmentKind) -> SceneSettings {
        var settings = SceneSettings(seed: 1, areaMetres: 100, maxPeople: 0, colors: [:])
        guard var r = FieldReader(node, sink: sink, what: "scene") else { return settings }
        if let seed = r.integer("seed", required: true, in: 0...Int.max) { settings.seed = UInt64(seed) }
        if let area = r.number("area_m", required: true, in: 10...1000) { settings.areaMetres = area }
        if let maxPeople = r.integer("max_people", in: 0...2000) { settings.maxPeople = maxPeople }
        if let colors = r.node("colors") {
            if var c = FieldReader(colors, sink: sink, what: "colors") {
                for name in kind.colorNames {
                    guard let n = c.node(name) else { continue }
                    if let rgb = color(n) { settings.colors[name] = rgb }
                }
                c.finish()
            }
        }
        r.finish()
        return settings
    }

    /// `[r, g, b]`, each 0...1 (linear RGB).
    func color(_ node: YNode) -> Vec3? {
        guard case .sequence(let items) = node.value, items.count == 3 else {
            sink.error(node.location, node.path, "a colour is [red, green, blue], each 0 to 1"); return nil
        }
        let parts = items.compactMap { FieldReader.number($0, sink: sink, in: 0...1) }
        guard parts.count == 3 else { return nil }
        return Vec3(Float(parts[0]), Float(parts[1]), Float(parts[2]))
    }

    static func suggest(_ word: String, _ known: [String]) -> String {
        let best = known.map { ($0, distance(word, $0)) }.min { $0.1 < $1.1 }
        if let best, best.1 <= max(2, word.count / 3) { return " (did you mean `\(best.0)`?)" }
        return ""
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8.prefix(64)), b = Array(b.utf8.prefix(64))
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var prev = row[0]; row[0] = i
            for j in 1...b.count {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return row[b.count]
    }
}

extension FieldReader {
    static func formatNode(_ n: YNode) -> String {
        if case .scalar(let s, _) = n.value { return "`\(s.prefix(40))`" }
        return n.typeName
    }
}
