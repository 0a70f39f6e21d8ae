// LSL outlets (what the session publishes) and inlets (what it takes in), each owning its liblsl
// handle. Timestamps are always given explicitly, on LSL's clock: the moment a sample describes
// (a frame's display time mapped through the session's clock pairs), not the moment code ran.
import Foundation

/// Channel formats of liblsl's `lsl_channel_format_t`.
enum LSLChannelFormat: Int32 { case float32 = 1, string = 3 }

/// A stream this session publishes.
public final class LSLOutlet: @unchecked Sendable {
    // Used from one thread at a time (the session's recorder tap); liblsl outlets are thread-safe.
    public let name: String
    public let type: String
    public let channels: [String]
    private let lib: LSLLibrary
    private let outlet: OpaquePointer
    private let info: OpaquePointer
    private let format: LSLChannelFormat

    /// An outlet of float32 channels at a nominal rate (0: irregular).
    public static func numeric(_ lib: LSLLibrary, name: String, type: String, channels: [String], unit: String,
                               rateHz: Double, sourceID: String) throws -> LSLOutlet {
        try LSLOutlet(lib, name: name, type: type, channels: channels, unit: unit, rateHz: rateHz, format: .float32, sourceID: sourceID)
    }

    /// An irregular outlet of one text channel (markers).
    public static func markers(_ lib: LSLLibrary, name: String, sourceID: String) throws -> LSLOutlet {
        try LSLOutlet(lib, name: name, type: "Markers", channels: ["marker"], unit: "", rateHz: 0, format: .string, sourceID: sourceID)
    }

    private init(_ lib: LSLLibrary, name: String, type: String, channels: [String], unit: String, rateHz: Double,
                 format: LSLChannelFormat, sourceID: String) throws {
        self.lib = lib; self.name = name; self.type = type; self.channels = channels; self.format = format
        guard let info = lib.createStreamInfo(name, type, Int32(channels.count), rateHz, format.rawValue, sourceID) else {
            throw LSLError.failed("could not describe stream \(name)")
        }
        // Channel labels in the stream's XML description, as LSL apps (LabRecorder, XDF) show them.
        if let desc = lib.description(info), let list = lib.appendChild(desc, "channels") {
            for c in channels {
                if let ch = lib.appendChild(list, "channel") {
                    _ = lib.appendChildValue(ch, "label", c)
                    if !unit.isEmpty { _ = lib.appendChildValue(ch, "unit", unit) }
                }
            }
        }
        guard let outlet = lib.createOutlet(info, 0, 360) else {
            lib.destroyStreamInfo(info)
            throw LSLError.failed("could not open outlet \(name)")
        }
        self.info = info; self.outlet = outlet
    }

    deinit {
        lib.destroyOutlet(outlet)
        lib.destroyStreamInfo(info)
    }

    /// Sends one sample with its LSL timestamp.
    public func push(_ values: [Float], at lslTime: Double) {
        precondition(format == .float32 && values.count == channels.count, "\(name): \(channels.count) float channels")
        _ = values.withUnsafeBufferPointer { lib.pushSampleFloat(outlet, $0.baseAddress!, lslTime, 1) }
    }

    /// Sends one marker with its LSL timestamp.
    public func push(marker: String, at lslTime: Double) {
        precondition(format == .string, "\(name) is not a marker stream")
        marker.withCString { text in
            var pointers: [UnsafePointer<CChar>?] = [text]
            _ = pointers.withUnsafeMutableBufferPointer { lib.pushSampleString(outlet, UnsafePointer($0.baseAddress!), lslTime, 1) }
        }
    }

    /// Waits up to `timeout` seconds for someone to subscribe; true when someone has.
    public func waitForConsumers(timeout: Double) -> Bool { lib.waitForConsumers(outlet, timeout) != 0 }
}

/// A stream from another program (a chest strap's LSL app, an EDA sensor), read without blocking.
public final class LSLInlet: @unchecked Sendable {
    // Owned by one reader thread at a time.
    public let name: String
    public let sourceID: String
    public let channelCount: Int
    private let lib: LSLLibrary
    private let inlet: OpaquePointer
    private var correction = 0.0
    private var correctedAt = -Double.infinity

    /// The first stream whose `property` (name, type, source_id) equals `value`, within `timeout` s.
    public static func resolve(_ lib: LSLLibrary, property: String, value: String, timeout: Double) throws -> LSLInlet? {
        var found: [OpaquePointer?] = Array(repeating: nil, count: 4)
        let n = found.withUnsafeMutableBufferPointer { lib.resolveByProperty($0.baseAddress!, 4, property, value, 1, timeout) }
        guard n > 0, let info = found[0] else { return nil }
        for extra in found.dropFirst().prefix(Int(n) - 1) { if let e = extra { lib.destroyStreamInfo(e) } }
        defer { lib.destroyStreamInfo(info) }
        guard let inlet = lib.createInlet(info, 360, 0, 1) else { throw LSLError.failed("could not open an inlet for \(value)") }
        let result = LSLInlet(lib, inlet: inlet, name: lib.streamName(info).map { String(cString: $0) } ?? value,
                              sourceID: lib.sourceID(info).map { String(cString: $0) } ?? "",
                              channels: Int(lib.channelCount(info)))
        var error: Int32 = 0
        lib.openStream(inlet, timeout, &error)
        if error != 0 { throw LSLError.failed("could not open stream \(result.name) (error \(error))") }
        return result
    }

    private init(_ lib: LSLLibrary, inlet: OpaquePointer, name: String, sourceID: String, channels: Int) {
        self.lib = lib; self.inlet = inlet; self.name = name; self.sourceID = sourceID; self.channelCount = channels
    }

    deinit { lib.destroyInlet(inlet) }

    /// Every sample waiting now, with its timestamp on this host's LSL clock (the sender's
    /// timestamp plus LSL's measured clock offset, re-measured every few seconds).
    public func pullAvailable() -> [(values: [Double], lslTime: Double)] {
        var error: Int32 = 0
        let now = lib.localClock()
        if now - correctedAt > 5 {
            // Timeout 0: never wait on the frame thread. The first call starts liblsl's own offset
            // measurement in the background; until it has one, the previous correction stays.
            let c = lib.timeCorrection(inlet, 0, &error)
            if error == 0 { correction = c; correctedAt = now }
        }
        var out: [(values: [Double], lslTime: Double)] = []
        var buffer = [Double](repeating: .nan, count: max(1, channelCount))
        while true {
            error = 0
            let t = buffer.withUnsafeMutableBufferPointer { lib.pullSampleDouble(inlet, $0.baseAddress!, Int32($0.count), 0, &error) }
            guard error == 0, t != 0 else { break }
            out.append((Array(buffer.prefix(channelCount)), t + correction))
        }
        return out
    }
}
