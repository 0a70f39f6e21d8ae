// The session on Lab Streaming Layer: a marker for everything recorded, the head pose at the
// display rate, and heart rate (or any named signal) from other LSL apps. Owned by the frame
// thread: the conductor calls it once per frame and for each recorded event. Every timestamp is
// the display time of what it describes, mapped to LSL's clock through the session's latest
// clock pair, and the pairs go into the record, so a lab can relate the record and an XDF file.
import Foundation
import LabStreaming
import Recording
import SceneModel

public final class LabStreamingTap: @unchecked Sendable {
    // `frame` runs on the frame thread; `marker` on whichever thread records an event; the clock
    // pair they share is behind `pairLock`.
    /// A signal taken in from LSL: the stream type to resolve and the record kind it becomes.
    public struct Inlet: Sendable, Equatable {
        public var streamType: String
        public var recordKind: String
        public init(streamType: String, recordKind: String) { self.streamType = streamType; self.recordKind = recordKind }
        public static let heartRate = Inlet(streamType: "HeartRate", recordKind: "heart_rate_bpm")
    }

    /// A sample from an inlet, on the session's display clock.
    public struct Sample { public var kind: String; public var value: Double; public var displayTimeNs: Int64 }

    public let library: LSLLibrary
    private let markers: LSLOutlet
    private let pose: LSLOutlet
    private var inlets: [(Inlet, LSLInlet?)]
    private var currentPair: ClockPair?
    private let pairLock = NSLock()
    private var pair: ClockPair? {
        get { pairLock.withLock { currentPair } }
        set { pairLock.withLock { currentPair = newValue } }
    }
    private var lastResolveAttempt = -Double.infinity
    /// Resolving an LSL stream waits on the network, so it happens here, never on the frame thread;
    /// found inlets are handed over through `found`.
    private let resolver = DispatchQueue(label: "exposure.lsl.resolve")
    private let lock = NSLock()
    private var found: [Int: LSLInlet] = [:]
    private var resolving = false
    /// Seconds between clock pairs in the record.
    public static let pairInterval = 5.0
    public static let resolveInterval = 5.0

    public init(library: LSLLibrary, sessionID: String, displayRateHz: Double, inlets: [Inlet] = [.heartRate]) throws {
        self.library = library
        markers = try LSLOutlet.markers(library, name: "exposure \(sessionID) markers", sourceID: "exposure-\(sessionID)-markers")
        pose = try LSLOutlet.numeric(library, name: "exposure \(sessionID) head", type: "MoCap",
                                     channels: ["head_x", "head_y", "head_z", "head_quat_x", "head_quat_y", "head_quat_z", "head_quat_w"],
                                     unit: "", rateHz: displayRateHz, sourceID: "exposure-\(sessionID)-head")
        self.inlets = inlets.map { ($0, nil) }
    }

    /// The streams the inlets have found, by record kind (frame thread).
    public var connectedInlets: [String: String] {
        var found: [String: String] = [:]
        for (want, inlet) in inlets { if let inlet { found[want.recordKind] = "\(inlet.name) (\(want.streamType))" } }
        return found
    }

    /// Once per frame: a new clock pair when one is due (the caller records it), the head pose on
    /// LSL, and what the inlets received since the last frame, on the display clock.
    public func frame(displayTimeNs: Int64, head: Pose) -> (newPair: ClockPair?, samples: [Sample]) {
        var newPair: ClockPair?
        if pair.map({ Double(displayTimeNs - $0.displayTimeNs) / 1e9 >= Self.pairInterval }) ?? true {
            newPair = ClockPair.now(displayTimeNs: displayTimeNs, lsl: library)
            pair = newPair
        }
        guard let pair = self.pair, let t = pair.lslTime(displayTimeNs: displayTimeNs) else { return (newPair, []) }
        pose.push([head.position.x, head.position.y, head.position.z,
                   head.orientation.x, head.orientation.y, head.orientation.z, head.orientation.w], at: t)
        resolveMissing(now: t)
        var samples: [Sample] = []
        for (want, inlet) in inlets {
            guard let inlet else { continue }
            for s in inlet.pullAvailable() {
                guard let v = s.values.first, v.isFinite, let lsl = pair.lslSeconds else { continue }
                samples.append(Sample(kind: want.recordKind, value: v,
                                      displayTimeNs: pair.displayTimeNs + Int64(((s.lslTime - lsl) * 1e9).rounded())))
            }
        }
        return (newPair, samples)
    }

    /// A marker for a recorded event: its kind and reason, and the payload, as one JSON line.
    public func marker(_ e: RecordedEvent) {
        guard let ns = e.displayTimeNs, let t = pair?.lslTime(displayTimeNs: ns) else { return }
        var object = e.payload
        object["kind"] = e.kind; object["actor"] = e.actor.rawValue; object["reason"] = e.reason
        object["sequence"] = Int(e.sequence)
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        markers.push(marker: String(decoding: data, as: UTF8.self), at: t)
    }

    /// Streams that were not there at the start are looked for again every few seconds (a chest
    /// strap's app may start after the session), off the frame thread.
    private func resolveMissing(now: Double) {
        lock.lock()
        for (i, inlet) in found { inlets[i].1 = inlet }
        found.removeAll()
        let busy = resolving
        lock.unlock()
        let missing = inlets.indices.filter { inlets[$0].1 == nil }.map { ($0, inlets[$0].0.streamType) }
        guard !missing.isEmpty, !busy, now - lastResolveAttempt >= Self.resolveInterval else { return }
        lastResolveAttempt = now
        lock.lock(); resolving = true; lock.unlock()
        let library = self.library
        resolver.async { [weak self] in
            var got: [Int: LSLInlet] = [:]
            for (i, type) in missing {
                if let inlet = try? LSLInlet.resolve(library, property: "type", value: type, timeout: 1) { got[i] = inlet }
            }
            guard let self else { return }
            self.lock.lock(); self.found.merge(got) { a, _ in a }; self.resolving = false; self.lock.unlock()
        }
    }
}
