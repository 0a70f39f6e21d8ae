import Foundation
import XCTest
@testable import ExposureCore
import Environments

/// Every input sequence of length `depth` over an alphabet covering every command, patient input,
/// rating limit, link and frame-rate change and time step, from several states of every bundled
/// protocol, with the environments' real curves: docs/safety.md's invariants hold after every input.
final class ExhaustiveSafetyTests: XCTestCase {
    static let depth = Int(ProcessInfo.processInfo.environment["SAFETY_DEPTH"] ?? "") ?? 6
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
        let checker = InvariantChecker(plan: s.plan, stimulus: StimulusModel(specs: s.specs))
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

    func testEveryInputSequenceKeepsTheSafetyInvariants() throws {
        var total = ExplorationReport()
        for setup in try Self.setups() {
            let letters = Letter.alphabet(for: setup.plan, specs: setup.specs, events: setup.events)
            let checker = InvariantChecker(plan: setup.plan, stimulus: StimulusModel(specs: setup.specs))
            let starts = Self.starts(setup)
            XCTAssertEqual(Set(starts.map { "\($0.engine.state)" }).count >= 6, true,
                           "\(setup.plan.id): the starting states must differ: \(starts.map { "\($0.name): \($0.engine.state)" })")
            // One explorer per protocol: a state reached from two starting states is expanded once.
            let explorer = SafetyExplorer(checker: checker, letters: letters)
            for start in starts {
                do {
                    try explorer.explore(from: start.engine, observer: start.observer, depth: Self.depth)
                } catch {
                    return XCTFail("\(setup.plan.id), from \(start.name): \(error)")
                }
            }
            total.sequences += explorer.report.sequences
            total.distinctStates += explorer.report.distinctStates
            total.transitions += explorer.report.transitions
        }
        print("safety model check: \(String(format: "%.3g", total.sequences)) input sequences of length \(Self.depth) covered, \(total.distinctStates) distinct states, \(total.transitions) transitions checked")
        XCTAssertGreaterThan(total.sequences, 1e9)
    }
}
