import Foundation
@testable import Recording

func temporaryDirectory(_ name: String) -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("exposure-record-\(name)-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func sampleMetadata(_ id: String = "S-001", start: Double = 1_800_000_000) -> SessionMetadata {
    SessionMetadata(sessionID: id, participantID: "P-0042", sessionNumber: 3, protocolID: "heights-graded",
                    protocolVersion: "1.2", protocolHash: "abc123", environmentHashes: ["heights": "e1", "saferoom": "e2"],
                    softwareVersion: "0.1.0", seed: 7, runtimeName: "Simulated", headsetName: "SimHMD",
                    displayRateHz: 90, startWallClock: start)
}

/// A small synthetic session: 3 steps, SUDS each 20 s, intensity changes, a safety event, heart rate,
/// 90 Hz head pose turning at a constant 30 deg/s about +Y.
func writeSyntheticSession(store: SessionStore, id: String = "S-001", seconds: Double = 60) throws -> SessionMetadata {
    let meta = sampleMetadata(id)
    let rec = try store.create(meta)
    let t0 = meta.startWallClock
    rec.record(Rating(sessionTime: 0, wallClock: t0, kind: .ssqPre, value: 3 * 3.74,
                      items: [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], source: "console"))
    let frames = Int(seconds * 90)
    for i in 0..<frames {
        let t = Double(i) / 90
        let angle = Float(t) * .pi / 6 // 30 deg/s
        rec.record(PoseSample(displayTimeNs: 5_000_000_000 + Int64(t * 1e9), wallClock: t0 + t,
                              position: SIMD3(0, 1.6, Float(-t) * 0.01),
                              orientation: SIMD4(0, sin(angle / 2), 0, cos(angle / 2))))
        rec.record(FrameSample(index: Int64(i), displayTimeNs: 5_000_000_000 + Int64(t * 1e9),
                               cpuMs: i % 100 == 0 ? 14 : 4, missedFrames: i % 100 == 0 ? 1 : 0))
        if i % 90 == 0 {
            rec.record(PhysioSample(kind: "heart_rate_bpm", value: 70 + t / 2, sessionTime: t, wallClock: t0 + t))
        }
        if i % Int(seconds * 90 / 3) == 0 {
            let step = i / Int(seconds * 90 / 3) + 1
            rec.record(RecordedEvent(sessionTime: t, wallClock: t0 + t, kind: EventKind.step, actor: .protocol,
                                     reason: "previous step complete",
                                     payloadJSON: RecordedEvent.payload(["step": step, "name": "floor \(step)"])))
            rec.record(RecordedEvent(sessionTime: t, wallClock: t0 + t, kind: EventKind.intensity, actor: .protocol,
                                     reason: "step start", payloadJSON: RecordedEvent.payload(["intensity": step * 25])))
        }
        if i > 0 && i % (20 * 90) == 10 * 90 || i % (20 * 90) == 19 * 90 {
            // SUDS peaks mid-step then falls: 60 then 30 in step 1, 70 then 35 in step 2...
            let step = i / Int(seconds * 90 / 3)
            let peak = Double(60 + 10 * step)
            rec.record(Rating(sessionTime: t, wallClock: t0 + t, kind: .suds,
                              value: i % (20 * 90) == 10 * 90 ? peak : peak / 2))
        }
    }
    let safetyAt = min(45, seconds * 0.75) // within the session, however short
    rec.record(RecordedEvent(sessionTime: safetyAt, wallClock: t0 + safetyAt, kind: EventKind.safety, actor: .safety,
                             reason: "heart rate 40% over baseline", payloadJSON: RecordedEvent.payload(["rule": "hr_panic"])))
    rec.record(Rating(sessionTime: seconds, wallClock: t0 + seconds, kind: .ssqPost, value: 6 * 3.74,
                      items: [1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1], source: "headset"))
    try rec.finish(state: .completed, wallClock: t0 + seconds)
    return meta
}
