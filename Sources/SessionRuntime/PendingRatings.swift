// Which ratings the protocol has asked for and not yet received. The engine names a prompt on one
// tick only; the headset keeps asking until an answer is recorded (from the headset, the console
// or a script) or the session ends, so a patient alone in an automated session sees every request.
import ExposureCore

struct PendingRatings: Equatable {
    private(set) var suds = false
    private(set) var fms = false

    /// Takes one tick's output: answers recorded in it clear their prompt, new prompts are added.
    /// Answers come first because the engine judges inputs before the tick that asks again.
    mutating func observe(_ out: EngineOutput) {
        if out.state.isEnded { suds = false; fms = false; return }
        for e in out.events {
            if case .ratingRecorded(let kind, _) = e.kind {
                if kind == .suds { suds = false }
                if kind == .fms { fms = false }
            }
        }
        for p in out.prompts {
            if p == .suds { suds = true }
            if p == .fms { fms = true }
        }
    }

    /// A therapist's "ask for SUDS now" (the console's request, not an engine prompt).
    mutating func therapistAskedSUDS() { suds = true }

    /// What the headset asks for: SUDS first when both are wanted, since SUDS steers the exposure.
    var asking: HeadsetRating? { suds ? .suds : (fms ? .fms : nil) }
}
