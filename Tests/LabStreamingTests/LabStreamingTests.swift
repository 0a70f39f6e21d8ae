import Foundation
import XCTest
@testable import LabStreaming

/// LSL with a real peer: pylsl (the Python binding LSL apps are written with) in another process,
/// over loopback. scripts/install-deps --test installs pylsl, whose wheel carries liblsl.
final class LabStreamingTests: XCTestCase {
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func library() throws -> LSLLibrary {
        do { return try LSLLibrary.load(candidates: LSLLibrary.candidates() + Self.pylslLibraries()) } catch {
            XCTFail("\(error)")
            throw error
        }
    }

    /// liblsl inside the pylsl of the Python the tests use (whatever its version folder).
    static func pylslLibraries() -> [String] {
        guard let python = try? python() else { return [] }
        let out = (try? run(python, ["-c", "import pylsl.lib, os; print(os.path.dirname(pylsl.lib.__file__))"]).output) ?? ""
        let dir = out.trimmingCharacters(in: .whitespacesAndNewlines)
        return dir.isEmpty ? [] : ["\(dir)/liblsl.so"]
    }

    static func python() throws -> String {
        let candidates = [projectRoot.appendingPathComponent(".build-tools/python/bin/python").path, "/usr/bin/python3", "/usr/local/bin/python3"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            if (try? run(c, ["-c", "import pylsl; print('ok')"]).output.hasPrefix("ok")) == true { return c }
        }
        throw NSError(domain: "LabStreamingTests", code: 1, userInfo: [NSLocalizedDescriptionKey: "no Python with pylsl: run scripts/install-deps --test"])
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> (output: String, status: Int32) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), p.terminationStatus)
    }

    /// The peer script running in the background; its output lines arrive as they are printed.
    final class Peer {
        let process = Process()
        private let pipe = Pipe()
        private let lock = NSLock()
        private var text = ""

        init(_ arguments: [String]) throws {
            let python = try LabStreamingTests.python()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [LabStreamingTests.projectRoot.appendingPathComponent("Tests/python/lsl_peer.py").path] + arguments
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
                let d = h.availableData
                guard let self, !d.isEmpty else { return }
                self.lock.lock(); self.text += String(decoding: d, as: UTF8.self); self.lock.unlock()
            }
            try process.run()
        }

        /// The first output line that parses as a JSON object, within `timeout` seconds.
        func json(timeout: Double) throws -> [String: Any] {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                lock.lock(); let lines = text.split(separator: "\n"); lock.unlock()
                for l in lines where l.hasPrefix("{") {
                    if let o = try? JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any] { return o }
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            lock.lock(); defer { lock.unlock() }
            throw NSError(domain: "LabStreamingTests", code: 2, userInfo: [NSLocalizedDescriptionKey: "the pylsl peer printed no result: \(text)"])
        }

        func printed(_ line: String, timeout: Double) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                lock.lock(); let has = text.contains(line); lock.unlock()
                if has { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }

        deinit { if process.isRunning { process.terminate() } }
    }

    func testMarkersAndHeadPoseReachPylslWithTheTimestampsTheirDisplayTimesMapTo() throws {
        let lib = try library()
        let markers = try LSLOutlet.markers(lib, name: "exposure test markers", sourceID: "exposure-test-\(UUID().uuidString.prefix(8))")
        let pose = try LSLOutlet.numeric(lib, name: "exposure test head", type: "MoCap",
                                         channels: ["head_x", "head_y", "head_z", "head_quat_x", "head_quat_y", "head_quat_z", "head_quat_w"],
                                         unit: "", rateHz: 90, sourceID: "exposure-test-head-\(UUID().uuidString.prefix(8))")
        let peer = try Peer(["receive", "3", "20"])
        XCTAssertTrue(peer.printed("ready", timeout: 30), "the pylsl peer resolved both streams by type")
        XCTAssertTrue(markers.waitForConsumers(timeout: 10) && pose.waitForConsumers(timeout: 10))

        // Display times 11.1 ms apart (a 90 Hz headset), mapped to LSL through a clock pair.
        let pair = ClockPair.now(displayTimeNs: 40_000_000_000, lsl: lib)
        var expectedPoses: [Double] = []
        for i in 0..<20 {
            let display = pair.displayTimeNs + Int64(i) * 11_111_111
            let t = try XCTUnwrap(pair.lslTime(displayTimeNs: display))
            pose.push([0, 1.6, Float(i) * 0.01, 0, 0, 0, 1], at: t)
            expectedPoses.append(t)
        }
        let expectedMarkers = ["step 1", "intensity 40", "optout"].enumerated().map { (i, m) -> (String, Double) in
            let t = pair.lslTime(displayTimeNs: pair.displayTimeNs + Int64(i) * 500_000_000)!
            markers.push(marker: m, at: t)
            return (m, t)
        }

        let got = try peer.json(timeout: 30)
        let poses = try XCTUnwrap(got["poses"] as? [[String: Any]], "\(got)")
        XCTAssertEqual(poses.count, 20)
        for (p, t) in zip(poses, expectedPoses) {
            XCTAssertEqual(try XCTUnwrap(p["timestamp"] as? Double), t, accuracy: 0.002)
        }
        XCTAssertEqual((poses.last?["values"] as? [Double])?[2] ?? -1, 0.19, accuracy: 1e-6)
        let received = try XCTUnwrap(got["markers"] as? [[String: Any]], "\(got)")
        XCTAssertEqual(received.compactMap { ($0["values"] as? [String])?.first }, expectedMarkers.map(\.0))
        for (r, e) in zip(received, expectedMarkers) { XCTAssertEqual(try XCTUnwrap(r["timestamp"] as? Double), e.1, accuracy: 0.002) }
    }

    func testAHeartRateStreamFromPylslIsReadWithItsTimestamps() throws {
        let lib = try library()
        let peer = try Peer(["send-heart-rate", "10"])
        let inlet = try XCTUnwrap(try LSLInlet.resolve(lib, property: "type", value: "HeartRate", timeout: 20), "resolved by type")
        XCTAssertEqual(inlet.name, "Test chest strap")
        XCTAssertEqual(inlet.channelCount, 1)
        let sent = try XCTUnwrap(try peer.json(timeout: 30)["sent"] as? [[String: Double]])
        var samples: [(values: [Double], lslTime: Double)] = []
        let deadline = Date().addingTimeInterval(15)
        while samples.count < sent.count && Date() < deadline {
            samples += inlet.pullAvailable()
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertEqual(samples.map { $0.values }, sent.map { [$0["value"]!] })
        for (s, e) in zip(samples, sent) { XCTAssertEqual(s.lslTime, e["timestamp"]!, accuracy: 0.002) }
    }

    func testAClockPairMapsDisplayTimesToEveryClock() throws {
        let lib = try library()
        let before = lib.localClock()
        let pair = ClockPair.now(displayTimeNs: 5_000_000_000, lsl: lib)
        let lsl = try XCTUnwrap(pair.lslSeconds)
        XCTAssertGreaterThanOrEqual(lsl, before)
        // LSL's clock is the host's monotonic clock.
        XCTAssertEqual(lsl, Double(pair.monotonicNs) / 1e9, accuracy: 0.01)
        XCTAssertEqual(try XCTUnwrap(pair.lslTime(displayTimeNs: 6_500_000_000)), lsl + 1.5, accuracy: 1e-9)
        XCTAssertEqual(pair.wallClock(displayTimeNs: 4_000_000_000), Double(pair.realtimeNs) / 1e9 - 1, accuracy: 1e-6)
        XCTAssertNil(ClockPair.now(displayTimeNs: 0, lsl: nil).lslTime(displayTimeNs: 1))
    }

    func testAMissingLibraryIsNamedWithWhereItWasLookedFor() {
        XCTAssertThrowsError(try LSLLibrary.load(candidates: ["/nonexistent/liblsl.so"])) { e in
            XCTAssertEqual(e as? LSLError, .notFound(tried: ["/nonexistent/liblsl.so"]))
            XCTAssertTrue("\(e)".contains("pip install pylsl"), "\(e)")
        }
    }
}
