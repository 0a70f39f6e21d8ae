import ArgumentParser
import ExposureCore
import Foundation

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a protocol against a scripted patient on a virtual clock and print the timeline.",
        discussion: "The patient script format is described in docs/patient-script.md.")

    @Argument(help: "Protocol file (YAML).")
    var protocolFile: String

    @Option(name: .customLong("patient"), help: "Patient script (YAML).")
    var patientScript: String

    @Flag(help: "Print the events and summary as JSON instead of a table.")
    var json = false

    @OptionGroup var environments: EnvironmentsOption

    func run() throws {
        let plan: ExposureProtocol
        let script: PatientScript
        let vocabulary: EnvironmentVocabulary
        do {
            vocabulary = try environments.vocabulary()
            plan = try ProtocolParser.load(path: protocolFile, vocabulary: vocabulary)
            script = try PatientScriptParser.load(path: patientScript,
                                                  parameterSpecs: vocabulary.parameters(of: plan.environment))
        } catch let failure as ValidationFailure {
            printDiagnostics(failure)
            throw ExitCode(1)
        }
        let specs = vocabulary.parameters(of: plan.environment)
        let result = Simulator.run(plan, script: script, parameterSpecs: specs, eventNames: vocabulary.events(of: plan.environment))
        if json {
            let object: [String: Any] = [
                "protocol": plan.id,
                "version": plan.version,
                "events": result.events.map { Timeline.record($0, plan) },
                "outcome": result.finalState.description,
                "end_time_s": result.endTime,
                "highest_step": result.highestStep.map { $0 + 1 as Any } ?? NSNull(),
                "time_in_step_s": result.timeInStep,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(Timeline.text(result, plan: plan, specs: specs))
        }
    }
}
