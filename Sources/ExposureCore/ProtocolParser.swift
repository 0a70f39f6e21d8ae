// Reads a protocol file into an `ExposureProtocol`, reporting every problem at file:line:column
// with its field: unknown keys, wrong types, values out of range, environments and parameters the
// vocabulary does not know, steps that can never be reached, missing safety limits.
import Foundation

public enum ProtocolParser {
    /// Reads and checks a protocol file. Throws `ValidationFailure` with every problem found.
    public static func load(path: String, vocabulary: EnvironmentVocabulary) throws -> ExposureProtocol {
        let root = try YAMLSource.load(path: path)
        return try parse(root, vocabulary: vocabulary)
    }

    public static func parse(text: String, file: String, vocabulary: EnvironmentVocabulary) throws -> ExposureProtocol {
        try parse(YAMLSource.parse(text: text, file: file), vocabulary: vocabulary)
    }

    /// Every diagnostic (errors and warnings) for a file; never throws.
    public static func check(path: String, vocabulary: EnvironmentVocabulary) -> [Diagnostic] {
        do {
            let root = try YAMLSource.load(path: path)
            let sink = DiagnosticSink()
            _ = read(root, vocabulary: vocabulary, sink: sink)
            return sink.diagnostics
        } catch let failure as ValidationFailure {
            return failure.diagnostics
        } catch {
            return [Diagnostic(SourceLocation(file: path, line: 1, column: 1), field: "", "cannot read: \(error)")]
        }
    }

    public static func parse(_ root: YNode, vocabulary: EnvironmentVocabulary) throws -> ExposureProtocol {
        let sink = DiagnosticSink()
        let result = read(root, vocabulary: vocabulary, sink: sink)
        try sink.throwIfErrors()
        guard let result else { throw ValidationFailure(sink.diagnostics) }
        return result
    }


    static func read(_ root: YNode, vocabulary: EnvironmentVocabulary, sink: DiagnosticSink) -> ExposureProtocol? {
        guard var r = FieldReader(root, sink: sink, what: "a protocol file") else { return nil }
        let id = r.string("id", required: true)
        if let id, let n = r.node("id"), !isIdentifier(id) {
            sink.error(n.location, "id", "use lower-case letters, digits, `-` and `_` only, found `\(id.prefix(40))`")
        }
        let title = r.string("title", required: true)
        let version = r.string("version", required: true)
        let environment = r.string("environment", required: true)
        var parameters: [String: ParameterSpec]? = nil
        if let environment, let n = r.node("environment") {
            parameters = vocabulary.parameters(of: environment)
            if parameters == nil {
                sink.error(n.location, "environment", "unknown environment `\(environment.prefix(40))`"
                           + "\(FieldReader.suggestion(environment, vocabulary.names)); known: \(vocabulary.names.joined(separator: ", "))")
            }
        }
        let session = r.node("session_limits", required: true).flatMap { readSession($0, sink: sink) }
        let safety = r.node("safety_limits", required: true).flatMap { readSafety($0, sink: sink) }
        let defaults = r.node("defaults").flatMap { readDefaults($0, sink: sink) } ?? StepDefaults()
        let pinned = r.node("pinned").map { readParameters($0, specs: parameters, sink: sink) } ?? [:]
        let events = environment.flatMap { vocabulary.events(of: $0) }
        var steps: [ProtocolStep] = []
        var stepNodes: [YNode] = []
        var ids: [(String, YNode)] = []
        if let list = r.list("steps", required: true) {
            if list.isEmpty, let n = r.node("steps") { sink.error(n.location, "steps", "a protocol needs at least one step") }
            for item in list {
                if sink.isFull { break }
                if case .mapping(let pairs) = item.value, let idPair = pairs.first(where: { $0.key == "id" }),
                   case .scalar(let stepID, _) = idPair.value.value {
                    ids.append((stepID, idPair.value))
                }
                if let step = readStep(item, index: steps.count, defaults: defaults, parameters: parameters,
                                       events: events, session: session, sink: sink) {
                    steps.append(step); stepNodes.append(item)
                }
            }
        }
        r.finish()
        checkHierarchy(steps, nodes: stepNodes, ids: ids, session: session, safety: safety, sink: sink)
        guard let id, let title, let version, let environment, let session, let safety, !steps.isEmpty else { return nil }
        let plan = ExposureProtocol(id: id, title: title, version: version, environment: environment, steps: steps,
                                    session: session, safety: safety, pinned: pinned, source: root.location)
        if stepNodes.count == steps.count, !sink.isFull {
            HierarchyCheck(plan: plan, stepNodes: stepNodes, pinnedNode: r.node("pinned"), specs: parameters, sink: sink).run()
        }
        return plan
    }

    static func readSession(_ node: YNode, sink: DiagnosticSink) -> SessionLimits? {
        guard var r = FieldReader(node, sink: sink, what: "session_limits") else { return nil }
        let minutes = r.number("max_duration_min", required: true, in: 1...240)
        let lo = r.number("min_intensity", in: 0...100) ?? 0
        let hi = r.number("max_intensity", in: 0...100) ?? 100
        let fms = r.number("fms_every_s", in: 10...3600) ?? 60
        r.finish()
        if lo >= hi { sink.error(node.location, r.path("min_intensity"), "min_intensity \(FieldReader.format(lo)) must be below max_intensity \(FieldReader.format(hi))") }
        guard let minutes else { return nil }
        return SessionLimits(maxDuration: minutes * 60, minIntensity: lo, maxIntensity: max(lo, hi), fmsEvery: fms)
    }

    static func readSafety(_ node: YNode, sink: DiagnosticSink) -> SafetyLimits? {
        guard var r = FieldReader(node, sink: sink, what: "safety_limits") else { return nil }
        let ceiling = r.number("suds_ceiling", required: true, in: 1...100)
        let fms = r.number("fms_stop", required: true, in: 1...20)
        let hr = r.number("heart_rate_over_baseline_percent", required: true, in: 5...200)
        let link = r.number("link_loss_timeout_s", required: true, in: 0...600)
        let change = r.number("max_intensity_change", required: true, in: 1...100)
        let window = r.number("escalation_window_s", in: 0...600) ?? 10
        let down = r.number("step_down_intensity", in: 1...100) ?? 20
        let cooldown = r.number("heart_rate_cooldown_s", in: 0...3600) ?? 60
        let frames = r.number("poor_frame_rate_pause_s", in: 1...600) ?? 10
        let watched = r.bool("require_therapist") ?? true
        let stopOnRecord = r.bool("stop_on_record_failure") ?? false
        r.finish()
        guard let ceiling, let fms, let hr, let link, let change else { return nil }
        return SafetyLimits(sudsCeiling: ceiling, fmsStop: fms, heartRateOverBaselinePercent: hr, linkLossTimeout: link,
                            maxIntensityChange: change, escalationWindow: window, stepDownIntensity: down,
                            heartRateCooldown: cooldown, poorFrameRatePause: frames, requireTherapist: watched,
                            stopOnRecordFailure: stopOnRecord)
    }

    struct StepDefaults {
        var minDuration: Double = 0
        var maxDuration: Double?
        var sudsEvery: Double = 180
        var progression: ProgressionRule?
    }

    static func readDefaults(_ node: YNode, sink: DiagnosticSink) -> StepDefaults? {
        guard var r = FieldReader(node, sink: sink, what: "defaults") else { return nil }
        var d = StepDefaults()
        if let v = r.number("min_duration_s", in: 0...14_400) { d.minDuration = v }
        d.maxDuration = r.number("max_duration_s", in: 1...14_400)
        if let v = r.number("suds_every_s", in: 10...3600) { d.sudsEvery = v }
        d.progression = r.node("progression").flatMap { readRule($0, sink: sink) }
        r.finish()
        return d
    }

    static func readStep(_ node: YNode, index: Int, defaults: StepDefaults, parameters: [String: ParameterSpec]?,
                         events known: [String]? = nil, session: SessionLimits?, sink: DiagnosticSink) -> ProtocolStep? {
        guard var r = FieldReader(node, sink: sink, what: "a step") else { return nil }
        let id = r.string("id", required: true)
        if let id, let n = r.node("id"), !isIdentifier(id) {
            sink.error(n.location, n.path, "use lower-case letters, digits, `-` and `_` only, found `\(id.prefix(40))`")
        }
        let title = r.string("title") ?? id ?? "step \(index + 1)"
        let intensity = r.number("intensity", in: 0...100)
        if let intensity, let session, let n = r.node("intensity"),
           intensity < session.minIntensity || intensity > session.maxIntensity {
            sink.error(n.location, n.path, "\(FieldReader.format(intensity)) is outside the session's intensity bounds "
                       + "\(FieldReader.format(session.minIntensity))...\(FieldReader.format(session.maxIntensity))")
        }
        let values = r.node("parameters").map { readParameters($0, specs: parameters, sink: sink) } ?? [:]
        let pinned = r.node("pinned").map { readParameters($0, specs: parameters, sink: sink) } ?? [:]
        if let pinNode = r.node("pinned"), case .mapping(let pairs) = pinNode.value {
            for pair in pairs where values[pair.key] != nil {
                sink.error(pair.keyLocation, pair.value.path, "`\(pair.key)` is both in `parameters` (follows the level) and `pinned` (held); keep one")
            }
        }
        if !r.has("intensity") && !r.has("parameters") {
            sink.error(node.location, node.path, "a step needs an intensity, parameters, or both")
        }
        let minDuration = r.number("min_duration_s", in: 0...14_400) ?? defaults.minDuration
        let maxDuration = r.has("max_duration_s") ? r.number("max_duration_s", in: 1...14_400) : defaults.maxDuration
        if let maxDuration, minDuration > maxDuration {
            sink.error(r.node("min_duration_s")?.location ?? node.location, "\(node.path).min_duration_s",
                       "minimum duration \(FieldReader.format(minDuration)) s is longer than the maximum \(FieldReader.format(maxDuration)) s")
        }
        let sudsEvery = r.number("suds_every_s", in: 10...3600) ?? defaults.sudsEvery
        var rule: ProgressionRule? = nil
        if let n = r.node("progression") { rule = readRule(n, sink: sink) } else { rule = defaults.progression }
        if rule == nil, !r.has("progression") {
            sink.error(node.location, "\(node.path).progression", "required field is missing (here or in `defaults`)")
        }
        var events: [TimedEvent] = []
        for item in r.list("events") ?? [] {
            guard var e = FieldReader(item, sink: sink, what: "an event") else { continue }
            let at = e.number("at_s", required: true, in: 0...14_400)
            let name = e.string("name", required: true)
            e.finish()
            if let name, let n = e.node("name"), !isIdentifier(name) {
                sink.error(n.location, n.path, "event names use lower-case letters, digits and `_`, found `\(name.prefix(40))`")
            } else if let name, let n = e.node("name"), let known, !known.contains(name) {
                sink.error(n.location, n.path, "this environment has no event `\(name.prefix(40))`\(FieldReader.suggestion(name, known)); "
                           + (known.isEmpty ? "it has no events" : "its events: \(known.joined(separator: ", "))"))
            }
            if let at, let maxDuration, at > maxDuration, let n = e.node("at_s") {
                sink.error(n.location, n.path, "fires at \(FieldReader.format(at)) s but the step lasts at most \(FieldReader.format(maxDuration)) s")
            }
            if let at, let name { events.append(TimedEvent(at: at, name: name)) }
        }
        r.finish()
        guard let id, let rule else { return nil }
        if rule.usesExpectancy && minDuration < 30 {
            sink.warning(node.location, "\(node.path).min_duration_s",
                         "the after-trial expectancy rating is asked when min_duration_s has passed; \(FieldReader.format(minDuration)) s is a very short trial")
        }
        return ProtocolStep(id: id, title: title, intensity: intensity, parameters: values, pinned: pinned, minDuration: minDuration,
                            maxDuration: maxDuration, progression: rule, sudsEvery: sudsEvery, events: events)
    }

    static func readParameters(_ node: YNode, specs: [String: ParameterSpec]?, sink: DiagnosticSink) -> [String: ParameterValue] {
        guard case .mapping(let pairs) = node.value else {
            sink.error(node.location, node.path, "parameters must be a mapping of `name: value`, found \(node.typeName)")
            return [:]
        }
        var values: [String: ParameterValue] = [:]
        for pair in pairs {
            let path = pair.value.path
            guard let specs else { continue }  // unknown environment: reported once already
            guard let spec = specs[pair.key] else {
                let known = specs.keys.sorted()
                sink.error(pair.keyLocation, path, "unknown parameter\(FieldReader.suggestion(pair.key, known)); this environment has: \(known.joined(separator: ", "))")
                continue
            }
            guard let value = parameterValue(pair.value, spec: spec, sink: sink) else { continue }
            values[pair.key] = value
        }
        return values
    }

    /// Reads one parameter value against its spec (also used by the patient script and commands).
    public static func parameterValue(_ node: YNode, spec: ParameterSpec, sink: DiagnosticSink) -> ParameterValue? {
        guard case .scalar(let s, let quoted) = node.value else {
            sink.error(node.location, node.path, "expected a value, found \(node.typeName)"); return nil
        }
        let value: ParameterValue
        if case .number = spec.kind {
            guard !quoted, let v = Double(s), v.isFinite else {
                sink.error(node.location, node.path, "expected a number\(spec.unit.map { " in \($0)" } ?? ""), found `\(s.prefix(40))`"); return nil
            }
            value = .number(v)
        } else {
            value = .choice(s)
        }
        if let problem = spec.problem(with: value) { sink.error(node.location, node.path, problem); return nil }
        return value
    }

    static let ruleKeys = ["suds_drop_percent", "suds_at_or_below", "after_s", "expectancy_drop", "therapist", "all", "any"]

    static func readRule(_ node: YNode, sink: DiagnosticSink) -> ProgressionRule? {
        if case .scalar(let s, _) = node.value {
            if s == "therapist" { return .therapistDecision }
            sink.error(node.location, node.path, "`\(s.prefix(40))` is not a rule; write `therapist` or a mapping with one of: \(ruleKeys.joined(separator: ", "))")
            return nil
        }
        guard case .mapping(let pairs) = node.value else {
            sink.error(node.location, node.path, "expected a rule, found \(node.typeName)"); return nil
        }
        guard pairs.count == 1, let pair = pairs.first else {
            sink.error(node.location, node.path, "a rule mapping has exactly one of: \(ruleKeys.joined(separator: ", ")); combine rules with `all:` or `any:`")
            return nil
        }
        let v = pair.value
        switch pair.key {
        case "suds_drop_percent": return FieldReader.number(v, sink: sink, in: 1...100).map { .sudsDropPercent($0) }
        case "suds_at_or_below": return FieldReader.number(v, sink: sink, in: 0...100).map { .sudsAtOrBelow($0) }
        case "after_s": return FieldReader.number(v, sink: sink, in: 1...14_400).map { .fixedDuration($0) }
        case "expectancy_drop": return FieldReader.number(v, sink: sink, in: 1...100).map { .expectancyViolation(minDrop: $0) }
        case "therapist":
            guard case .scalar(let word, _) = v.value, word == "true" else {
                sink.error(v.location, v.path, "write `therapist: true` (or just `therapist`)"); return nil
            }
            return .therapistDecision
        case "all", "any":
            guard case .sequence(let items) = v.value, !items.isEmpty else {
                sink.error(v.location, v.path, "`\(pair.key)` takes a non-empty list of rules"); return nil
            }
            let rules = items.compactMap { readRule($0, sink: sink) }
            guard rules.count == items.count else { return nil }
            return pair.key == "all" ? .all(rules) : .any(rules)
        default:
            sink.error(pair.keyLocation, v.path, "unknown rule\(FieldReader.suggestion(pair.key, ruleKeys)); rules: \(ruleKeys.joined(separator: ", "))")
            return nil
        }
    }

    /// Shortest time a step can take before its rule lets it move on (ignoring the therapist).
    static func shortest(_ step: ProtocolStep) -> Double {
        func rule(_ r: ProgressionRule) -> Double {
            switch r {
            case .fixedDuration(let s): return s
            case .all(let rs): return rs.map(rule).max() ?? 0
            case .any(let rs): return rs.map(rule).min() ?? 0
            default: return 0
            }
        }
        let byRule = max(step.minDuration, rule(step.progression))
        return min(byRule, step.maxDuration ?? byRule)
    }

    /// `ids` holds every step's id as written, including steps that had other errors.
    static func checkHierarchy(_ steps: [ProtocolStep], nodes: [YNode], ids: [(String, YNode)],
                               session: SessionLimits?, safety: SafetyLimits? = nil, sink: DiagnosticSink) {
        var seen: [String: String] = [:]
        for (id, node) in ids {
            if let first = seen[id] {
                sink.error(node.location, node.path, "step id `\(id.prefix(40))` is already used by \(first)")
            } else { seen[id] = node.path.replacingOccurrences(of: ".id", with: "") }
        }
        if let safety {
            var level = session?.minIntensity ?? 0
            for (i, step) in steps.enumerated() {
                guard let next = step.intensity else { continue }
                if i > 0, next - level > safety.maxIntensityChange {
                    sink.warning(nodes[i].location, "\(nodes[i].path).intensity",
                                 "rises by \(FieldReader.format(next - level)) from the step before, more than max_intensity_change "
                                 + "\(FieldReader.format(safety.maxIntensityChange)); a therapist's next-step here needs confirm")
                }
                level = next
            }
        }
        guard let session else { return }
        var before = 0.0
        for (i, step) in steps.enumerated() {
            if i > 0, before >= session.maxDuration {
                sink.error(nodes[i].location, nodes[i].path,
                           "step \(i + 1) (`\(step.id)`) can never be reached: the steps before it take at least "
                           + "\(FieldReader.format((before / 60 * 10).rounded() / 10)) min and the session ends at \(FieldReader.format(session.maxDuration / 60)) min")
            }
            before += shortest(step)
        }
    }

    static func isIdentifier(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 80 && s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }
}
