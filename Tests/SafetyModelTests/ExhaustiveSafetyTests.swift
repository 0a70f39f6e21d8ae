import Foundation
import XCTest
@testable import ExposureCore
import Environments

/// Every input sequence of length `depth` over an alphabet covering every command, patient input,
/// rating limit, link and frame-rate change and time step, from several states of every bundled
/// protocol, with the environments' real curves: docs/safety.md's invariants hold after every input.
final class ExhaustiveSafetyTests: XCTestCase {
    /// 5 in the suite (about 8 minutes on 2 cores since every input resolves the physical world
    /// through the intensity model); `SAFETY_DEPTH=6` goes one input deeper for a maintainer's run.
    static let depth = Int(ProcessInfo.processInfo.environment["SAFETY_DEPTH"] ?? "") ?? 5
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Setup {
        var plan: ExposureProtocol
        var specs: [String: ParameterSpec]
        var events: [String]
    }

    static func setups() throws -> [Setup] {
        let catalog = try EnvironmentCatalog.load(directory: root.appendingPathComponent("Environments").path)
        let dir = root.appendingPathComponent("Protocols").path
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted().map { name in
            let plan = try ProtocolParser.load(path: "\(dir)/\(name)", vocabulary: catalog.vocabulary)
            return Setup(plan: plan, specs: catalog.vocabulary.parameters(of: plan.environment) ?? [:], events: catalog.events(of: plan.environment))
        }
    }

    /// Starting states: the first step, a middle step, paused, opted out (with and without consent),
    /// paused for cybersickness, in the safe room after a lost link, and just before the time limit.
    static func starts(_ s: Setup) -> [(name: String, engine: ExposureEngine, observer: Observer)] {
        let middle = s.plan.steps.count / 2
        let scripts: [(String, [(Double, EngineInput?)])] = [
            ("first step", []),
            ("middle step", [(1, .therapist(.goToStep(middle, confirm: true)))]),
            ("paused by the therapist", [(1, .therapist(.goToStep(middle, confirm: true))), (2, .therapist(.pause))]),
            ("opted out", [(1, .therapist(.goToStep(middle, confirm: true))), (2, .patient(.optOut))]),
            ("opted out, consent given", [(1, .therapist(.goToStep(middle, confirm: true))), (2, .patient(.optOut)), (3, .patient(.consentToResume))]),
            ("paused for FMS", [(1, .therapist(.goToStep(middle, confirm: true))), (2, .fms(min(20, s.plan.safety.fmsStop + 2))), (2, nil)]),
            ("safe room after a lost link", [(1, .therapistLink(connected: false)), (s.plan.safety.linkLossTimeout + 2, nil)]),
            ("before the time limit", [(1, .therapist(.goToStep(middle, confirm: true))), (s.plan.session.maxDuration - 5, nil)]),
        ]
        let checker = InvariantChecker(plan: s.plan, specs: s.specs)
        return scripts.map { name, script in
            let engine = ExposureEngine(protocol: s.plan, parameterSpecs: s.specs)
            var observer = Observer()
            let explorer = SafetyExplorer(checker: checker, letters: [])
            for letter in [Letter.input("start", nil) { _ in .start }, .tick(0)] {
                observer = checker.update(observer, explorer.step(engine, letter))
            }
            for (time, input) in script {
                observer = checker.update(observer, explorer.step(engine, .tick(max(0, time - (engine.memory.now ?? 0)))))
                if let input {
                    observer = checker.update(observer, explorer.step(engine, .input("set-up", nil) { _ in input }))
                    observer = checker.update(observer, explorer.step(engine, .tick(0)))
                }
            }
            return (name, engine, observer)
        }
    }

    /// Explores every protocol (on all cores, one protocol per thread); the first violation or nil.
    static func exploreAll(depth: Int, weakened: Set<SafetyRule> = [], only: String? = nil) throws -> (ExplorationReport, String?) {
        let setups = try Self.setups().filter { only == nil || $0.plan.id == only }
        let lock = NSLock()
        var total = ExplorationReport()
        var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: setups.count) { i in
            let setup = setups[i]
            let letters = Letter.alphabet(for: setup.plan, specs: setup.specs, events: setup.events)
            let checker = InvariantChecker(plan: setup.plan, specs: setup.specs)
            // One explorer per protocol: a state reached from two starting states is expanded once.
            let explorer = SafetyExplorer(checker: checker, letters: letters)
            var failure: String?
            for start in Self.starts(setup) where failure == nil {
                start.engine.weakenedRulesForTesting = weakened
                do {
                    try explorer.explore(from: start.engine, observer: start.observer, depth: depth)
                } catch {
                    failure = "\(setup.plan.id), from \(start.name): \(error)"
                }
            }
            lock.withLock {
                if let failure { failures.append(failure) }
                total.sequences += explorer.report.sequences
                total.distinctStates += explorer.report.distinctStates
                total.transitions += explorer.report.transitions
            }
        }
        return (total, failures.sorted().first)
    }

    func testStartingStatesDiffer() throws {
        for setup in try Self.setups() {
            let starts = Self.starts(setup)
            XCTAssertGreaterThanOrEqual(Set(starts.map { "\($0.engine.state)" }).count, 6,
                                        "\(setup.plan.id): \(starts.map { "\($0.name): \($0.engine.state)" })")
        }
    }

    func testEveryInputSequenceKeepsTheSafetyInvariants() throws {
        let (total, failure) = try Self.exploreAll(depth: Self.depth)
        if let failure { XCTFail(failure) }
        print("safety model check: \(String(format: "%.3g", total.sequences)) input sequences of length \(Self.depth) covered, \(total.distinctStates) distinct states, \(total.transitions) transitions checked")
        XCTAssertGreaterThan(total.sequences, pow(30, Double(Self.depth)) * 40, "every protocol, every starting state")
    }

    /// The check must fail when a rule is missing: each rule of the gate switched off in turn lets a
    /// bypass through that an invariant catches (the bypasses of the safety issue, on heights).
    func testTheCheckCatchesEachRuleSwitchedOff() throws {
        let expectations: [(SafetyRule, Int)] = [
            (.notRunning, 2),        // a level rise, a harsher step or an event while opted out or paused
            (.consentNeeded, 1),     // back from an opt-out without the patient's consent
            (.escalationLimit, 3),   // next step / set parameter beyond the limit without confirm
            (.cybersickness, 4),     // resume with FMS over the stop
            (.frameRate, 4),         // resume or rise while frames drop
        ]
        for (rule, invariant) in expectations {
            let (_, failure) = try Self.exploreAll(depth: 4, weakened: [rule], only: "heights-graded")
            guard let failure else { XCTFail("switching off \(rule) went unnoticed"); continue }
            XCTAssertTrue(failure.contains("invariant \(invariant):"), "\(rule): \(failure)")
        }
    }
}
