// Explores every sequence of letters up to a fixed length from a starting engine, checking every
// invariant after every letter. Paths that reach the same engine memory and checker view with the
// same number of letters left behave identically from there on (the engine is a deterministic
// function of its memory), so each such state is expanded once: every sequence is still covered.
@testable import ExposureCore

/// One thing that can happen next: an input at the current time, or time passing (a tick).
struct Letter {
    var name: String
    var actor: Actor?
    var confirm = false
    var isResume = false
    var isPatientResume = false
    /// Seconds to advance before a tick; nil for an input.
    var advance: Double?
    /// The input, made from the engine as it is (levels relative to the current one).
    var make: (ExposureEngine) -> EngineInput = { _ in .start }
    var isTick: Bool { advance != nil }

    static func input(_ name: String, _ actor: Actor?, confirm: Bool = false, resume: Bool = false, patientResume: Bool = false,
                      _ make: @escaping (ExposureEngine) -> EngineInput) -> Letter {
        Letter(name: name, actor: actor, confirm: confirm, isResume: resume, isPatientResume: patientResume, advance: nil, make: make)
    }
    static func tick(_ seconds: Double) -> Letter { Letter(name: "tick +\(Int(seconds)) s", actor: nil, advance: seconds) }

    /// Every command and patient input, ratings over and under each limit, link loss and return,
    /// poor and recovered frame rate, and time steps, for one protocol and its environment.
    static func alphabet(for plan: ExposureProtocol, specs: [String: ParameterSpec], events: [String]) -> [Letter] {
        let s = plan.safety
        var letters: [Letter] = [
            .input("therapist level +10", .therapist) { .therapist(.setIntensity(min(plan.session.maxIntensity, $0.intensity + 10))) },
            .input("therapist level +40", .therapist) { .therapist(.setIntensity(min(plan.session.maxIntensity, $0.intensity + 40))) },
            .input("therapist level +40 confirmed", .therapist, confirm: true) {
                .therapist(.setIntensity(min(plan.session.maxIntensity, $0.intensity + 40), confirm: true))
            },
            .input("therapist level to minimum", .therapist) { _ in .therapist(.setIntensity(plan.session.minIntensity)) },
            .input("therapist next step", .therapist) { _ in .therapist(.nextStep()) },
            .input("therapist next step confirmed", .therapist, confirm: true) { _ in .therapist(.nextStep(confirm: true)) },
            .input("therapist previous step", .therapist) { _ in .therapist(.previousStep) },
            .input("therapist last step confirmed", .therapist, confirm: true) { _ in .therapist(.goToStep(plan.steps.count - 1, confirm: true)) },
            .input("therapist pause", .therapist) { _ in .therapist(.pause) },
            .input("therapist resume", .therapist, resume: true) { _ in .therapist(.resume) },
            .input("therapist records spoken consent", .therapist) { _ in .therapist(.recordVerbalConsent) },
            .input("therapist end", .therapist) { _ in .therapist(.end) },
            .input("process stopped (SIGTERM)", nil) { _ in .abort(reason: "stopped by SIGTERM") },
            .input("patient opt-out", .patient) { _ in .patient(.optOut) },
            .input("patient pause", .patient) { _ in .patient(.pause) },
            .input("patient resume", .patient, resume: true, patientResume: true) { _ in .patient(.resume) },
            .input("patient consent", .patient) { _ in .patient(.consentToResume) },
            .input("SUDS at the ceiling", nil) { _ in .suds(s.sudsCeiling) },
            .input("SUDS low", nil) { _ in .suds(5) },
            .input("FMS over the stop", nil) { _ in .fms(min(20, s.fmsStop + 1)) },
            .input("FMS low", nil) { _ in .fms(0) },
            .input("heart rate over the limit", nil) { _ in .heartRate(bpm: 70 * (1 + s.heartRateOverBaselinePercent / 100) + 10) },
            .input("console lost", nil) { _ in .therapistLink(connected: false) },
            .input("console back", nil) { _ in .therapistLink(connected: true) },
            .input("frame rate poor", nil) { _ in .frameRate(healthy: false) },
            .input("frame rate recovered", nil) { _ in .frameRate(healthy: true) },
            .tick(1),
            .tick(s.poorFrameRatePause + 1),
            .tick(s.linkLossTimeout + 1),
        ]
        // The harshest and the mildest value of one curved parameter, and one event, of this environment.
        if let (name, spec) = specs.sorted(by: { $0.key < $1.key }).first(where: { $0.value.curve != nil }),
           let high = spec.curve?.value(at: 100), let low = spec.curve?.value(at: 0) {
            letters.append(.input("therapist \(name) to its harshest", .therapist) { _ in .therapist(.setParameter(name, high)) })
            letters.append(.input("therapist \(name) to its harshest, confirmed", .therapist, confirm: true) { _ in
                .therapist(.setParameter(name, high, confirm: true))
            })
            letters.append(.input("therapist \(name) to its mildest", .therapist) { _ in .therapist(.setParameter(name, low)) })
            letters.append(.input("therapist lets \(name) follow the level", .therapist) { _ in .therapist(.releaseParameter(name)) })
        }
        if let event = events.first {
            letters.append(.input("therapist fires \(event)", .therapist) { _ in .therapist(.fireEvent(event)) })
        }
        return letters
    }
}

struct ExplorationReport {
    var sequences: Double = 0
    var distinctStates = 0
    var transitions = 0
}

final class SafetyExplorer {
    let checker: InvariantChecker
    let letters: [Letter]
    private struct Key: Hashable { var memory: EngineMemory; var observer: Observer; var left: Int }
    private var seen: Set<Key> = []
    private(set) var report = ExplorationReport()

    let longestTick: Double
    init(checker: InvariantChecker, letters: [Letter]) {
        self.checker = checker; self.letters = letters
        longestTick = letters.compactMap(\.advance).max() ?? 0
    }

    /// Every sequence of `depth` letters from `start`; throws the first violation with its path.
    func explore(from start: ExposureEngine, observer: Observer, depth: Int) throws {
        report.sequences += pow(Double(letters.count), Double(depth))
        try visit(start, observer, depth, path: [])
    }

    private func visit(_ engine: ExposureEngine, _ observer: Observer, _ left: Int, path: [String]) throws {
        guard left > 0, seen.insert(Key(memory: Self.canonical(engine.memory, plan: checker.plan, left: left, longestTick: longestTick),
                                        observer: Self.canonical(observer, now: engine.memory.now ?? 0, window: checker.plan.safety.escalationWindow),
                                        left: left)).inserted else { return }
        report.distinctStates += 1
        for letter in letters {
            let next = engine.copy()
            let t = step(next, letter)
            report.transitions += 1
            do {
                try checker.check(t, observer)
            } catch let v as Violation {
                throw Violation(rule: v.rule, text: "\(v.text)\n  after: \((path + [letter.name]).joined(separator: " -> "))")
            }
            try visit(next, checker.update(observer, t), left - 1, path: path + [letter.name])
        }
    }

    /// The memory with what cannot change the engine's future within `left` letters taken out, so
    /// paths that differ only there are expanded once. Each line says why it is sound:
    static func canonical(_ m: EngineMemory, plan: ExposureProtocol, left: Int, longestTick: Double) -> EngineMemory {
        var c = m
        let now = m.now ?? 0
        let window = plan.safety.escalationWindow
        // Only differences of times matter to the engine, so times are kept relative to now.
        func rel(_ t: Double?) -> Double? { t.map { $0 - now } }
        c.now = 0; c.lastTick = rel(m.lastTick); c.sessionStart = m.sessionStart - now
        c.linkLostSince = rel(m.linkLostSince); c.poorFrameRateSince = rel(m.poorFrameRateSince)
        c.lastHeartRateStepDown = rel(m.lastHeartRateStepDown); c.baseline.first = rel(m.baseline.first)
        // A time compared only against a limit is the same once the limit is passed (time only grows).
        func since(_ t: Double?, limit: Double) -> Double? { t.map { max($0 - now, -limit) } }
        c.linkLostSince = since(m.linkLostSince, limit: plan.safety.linkLossTimeout)
        c.poorFrameRateSince = since(m.poorFrameRateSince, limit: plan.safety.poorFrameRatePause)
        c.lastHeartRateStepDown = since(m.lastHeartRateStepDown, limit: plan.safety.heartRateCooldown)
        c.baseline.first = since(m.baseline.first, limit: ExposureEngine.baselineWindow)
        // The session time only meets the time limit; far from it, how far does not matter.
        if now - m.sessionStart + Double(left) * longestTick < plan.session.maxDuration { c.sessionStart = 0 }
        // A step's elapsed time is compared with its thresholds only; past the largest it is all the same.
        if let step = m.state.step, plan.steps.indices.contains(step) {
            c.progress.elapsed = min(m.progress.elapsed, Self.largestThreshold(plan.steps[step]))
        }
        // Rises that left the escalation window no longer count.
        c.therapistRises = Self.merged(m.therapistRises, now: now, window: window)
        // The flood limit cannot be reached with the commands left: the count does not matter.
        if m.commandWindow.count + left <= ExposureEngine.commandsPerSecond { c.commandWindow = CommandWindow() }
        // Prompt times only decide which ratings are asked (output), never a state or the stimulus.
        c.nextSUDSPrompt = nil; c.nextFMSPrompt = nil; c.askedExpectancyAfter = false
        // The progression rules read the SUDS count only as "at least two".
        c.progress.sudsCount = min(m.progress.sudsCount, 2)
        // The alphabet has one heart-rate value, so the baseline's mean is all that matters.
        if m.baseline.count > 1 { c.baseline.sum = m.baseline.sum / Double(m.baseline.count); c.baseline.count = 1 }
        return c
    }

    /// Rises still in the window, relative to now; rises at the same time leave the window together,
    /// so only their sum counts.
    static func merged(_ rises: [TimedRise], now: Double, window: Double) -> [TimedRise] {
        var out: [TimedRise] = []
        for r in rises where now - r.time < window {
            if let last = out.last, last.time == r.time - now { out[out.count - 1].amount += r.amount }
            else { out.append(TimedRise(time: r.time - now, amount: r.amount)) }
        }
        return out
    }

    static func largestThreshold(_ step: ProtocolStep) -> Double {
        func durations(_ r: ProgressionRule) -> [Double] {
            switch r {
            case .fixedDuration(let s): return [s]
            case .all(let rs), .any(let rs): return rs.flatMap(durations)
            default: return []
            }
        }
        return ([step.minDuration, step.maxDuration ?? 0, 1] + step.events.map(\.at) + durations(step.progression)).max() ?? 0
    }

    static func canonical(_ o: Observer, now: Double, window: Double) -> Observer {
        var c = o
        c.rises = Self.merged(o.rises, now: now, window: window)
        return c
    }

    func step(_ engine: ExposureEngine, _ letter: Letter) -> Transition {
        let before = engine.memory
        let now = before.now ?? 0
        if let dt = letter.advance {
            let out = engine.tick(at: now + dt)
            return Transition(before: before, after: engine.memory, letter: letter, input: nil, decision: nil, events: out.events)
        }
        let input = letter.make(engine)
        let decision = engine.handle(input, at: now)
        let events = engine.pending
        engine.pending.removeAll()
        engine.prompts.removeAll()
        return Transition(before: before, after: engine.memory, letter: letter, input: input, decision: decision, events: events)
    }
}

import Foundation
