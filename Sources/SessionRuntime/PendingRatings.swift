// Which ratings the protocol (or the therapist) has asked for and not yet received. The engine names
// a prompt on one tick only; the session keeps asking until an answer is recorded (from the
// headset, the console or a script) or the session ends, so a patient alone in an automated session
// sees every request in the headset and the therapist sees it on the console.
import ExposureCore

struct PendingRatings: Equatable {
    private(set) var suds = false
    private(set) var fms = false
    private(set) var expectancyBefore = false
    private(set) var expectancyAfter = false

    /// Takes one tick's output: answers recorded in it clear their prompt, new prompts are added.
    /// Answers come first because the engine judges inputs before the tick that asks again.
    mutating func observe(_ out: EngineOutput) {
        if out.state.isEnded { self = PendingRatings(); return }
        for e in out.events {
            if case .ratingRecorded(let kind, _) = e.kind {
                switch kind {
                case .suds: suds = false
                case .fms: fms = false
                case .expectancyBefore: expectancyBefore = false
                case .expectancyAfter: expectancyAfter = false
                default: break
                }
            }
        }
        for p in out.prompts {
            switch p {
            case .suds: suds = true
            case .fms: fms = true
            case .expectancyBefore: expectancyBefore = true
            case .expectancyAfter: expectancyAfter = true
            }
        }
    }

    /// A therapist's "ask for SUDS now" (the console's request, not an engine prompt).
    mutating func therapistAskedSUDS() { suds = true }

    /// Everything still asked, first asked first (see `asking`).
    var all: [Prompt] {
        [(expectancyBefore, Prompt.expectancyBefore), (suds, .suds), (expectancyAfter, .expectancyAfter), (fms, .fms)]
            .filter { $0.0 }.map { $0.1 }
    }

    /// What the headset asks for first: the prediction before a trial (it must come before the
    /// exposure it predicts), then SUDS (it steers the exposure), the judgement after a trial, FMS.
    var asking: HeadsetRating? {
        if expectancyBefore { return .expectancyBefore }
        if suds { return .suds }
        if expectancyAfter { return .expectancyAfter }
        return fms ? .fms : nil
    }
}
