// The real-device path (`.defaultDevice`, wall-clock fades) on a machine with no sound card:
// OpenAL Soft's own "wave" backend plays in real time into a file. OpenAL reads its config once
// per process, so the device run happens in a child copy of this test binary.
import Audio
import Foundation
import SceneModel
import XCTest

/// Reads a WAV file as OpenAL Soft's wave writer makes it (PCM 16-bit or float, plain or extensible).
struct WAVFile {
    var channels: Int, sampleRate: Int
    var samples: [Float]   // interleaved

    init(_ d: Data) throws {
        struct Malformed: Error {}
        func u32(_ at: Int) -> Int { Int(d[at]) | Int(d[at + 1]) << 8 | Int(d[at + 2]) << 16 | Int(d[at + 3]) << 24 }
        func u16(_ at: Int) -> Int { Int(d[at]) | Int(d[at + 1]) << 8 }
        guard d.count >= 12, String(decoding: d[0..<4], as: UTF8.self) == "RIFF" else { throw Malformed() }
        var at = 12, format = 0, bits = 0
        channels = 0; sampleRate = 0; samples = []
        while at + 8 <= d.count {
            let id = String(decoding: d[at..<at + 4], as: UTF8.self), size = u32(at + 4), body = at + 8
            if id == "fmt " {
                format = u16(body); channels = u16(body + 2); sampleRate = u32(body + 4); bits = u16(body + 14)
                if format == 0xFFFE { format = u16(body + 24) }   // extensible: the sub-format GUID starts with the tag
            } else if id == "data" {
                let end = min(d.count, body + size)
                switch (format, bits) {
                case (1, 16):
                    samples = stride(from: body, to: end - 1, by: 2).map { Float(Int16(bitPattern: UInt16(u16($0)))) / 32768 }
                case (3, 32):
                    samples = stride(from: body, to: end - 3, by: 4).map { Float(bitPattern: UInt32(u32($0))) }
                default: throw Malformed()
                }
            }
            at = body + size + (size & 1)
        }
        guard channels > 0, sampleRate > 0 else { throw Malformed() }
    }
}

final class DefaultDeviceTests: XCTestCase {
    static let childFlag = "EXPOSURE_AUDIO_DEVICE_CHILD"

    func testDefaultDevicePlaysSpatialSoundAndFadesOnTheWallClock() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-audio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let wav = folder.appendingPathComponent("device.wav"), conf = folder.appendingPathComponent("alsoft.conf")
        try "[general]\ndrivers = wave\n[wave]\nfile = \(wav.path)\n".write(to: conf, atomically: true, encoding: .utf8)

        let child = Process()
        child.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
        child.arguments = ["AudioTests.DefaultDeviceTests/testChildPlaysThroughTheDefaultDevice"]
        var env = ProcessInfo.processInfo.environment
        env["ALSOFT_CONF"] = conf.path
        env[Self.childFlag] = "1"
        child.environment = env
        let output = Pipe()
        child.standardOutput = output
        child.standardError = output
        try child.run()
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        child.waitUntilExit()
        XCTAssertEqual(child.terminationStatus, 0, "child run failed:\n\(log.suffix(2000))")

        let file = try WAVFile(Data(contentsOf: wav))
        XCTAssertEqual(file.channels, 2)
        // The device starts before the first update: measure from the first sound.
        let onset = (file.samples.firstIndex { abs($0) > 1e-4 } ?? 0) / 2
        let clip = StereoClip(samples: Array(file.samples[(onset * 2)...]), rate: file.sampleRate)
        let seconds = Double(clip.frames) / Double(file.sampleRate)
        XCTAssertGreaterThan(seconds, 1.2, "the device played for the whole child run")
        // Exposure (0.4-0.7 s): the emitter on the left is louder on the left.
        let l = clip.rms(channel: 0, from: 0.4, to: 0.7), r = clip.rms(channel: 1, from: 0.4, to: 0.7)
        XCTAssertGreaterThan(l, 0.001)
        XCTAssertGreaterThan(decibels(l / r), 3, "left \(l) right \(r)")
        // Well after the switch to the safe room only the quiet room tone is left.
        let end = clip.rms(from: seconds - 0.3, to: seconds - 0.05)
        XCTAssertLessThan(decibels(end / clip.rms(from: 0.4, to: 0.7)), -20)
        XCTAssertGreaterThan(end, 1e-5, "room tone present")
    }

    /// Runs only as the child of the test above (it needs OpenAL configured for the wave backend).
    func testChildPlaysThroughTheDefaultDevice() throws {
        guard ProcessInfo.processInfo.environment[Self.childFlag] != nil else {
            throw XCTSkip("driven by testDefaultDevicePlaysSpatialSoundAndFadesOnTheWallClock")
        }
        let engine = try AudioEngine(output: .defaultDevice)
        XCTAssertEqual(engine.deviceName, "Wave File Writer")
        XCTAssertTrue(engine.hrtfEnabled)
        let scene = [SoundEmitter(id: 1, kind: .murmur, position: Vec3(-2, 1.6, 0), gain: 1)]
        let safeRoom = [SoundEmitter(id: 2, kind: .roomTone, position: nil, gain: 0.1)]
        // About 90 updates a second, as the frame loop would call it: 0.8 s exposure, then opt-out
        // to the safe-room scene for 0.8 s.
        for frame in 0..<144 {
            let exposing = frame < 72
            try engine.update(listener: standingHead, emitters: exposing ? scene : safeRoom, mode: exposing ? .exposure : .safeRoom)
            Thread.sleep(forTimeInterval: 1.0 / 90)
        }
        engine.close()
    }
}
