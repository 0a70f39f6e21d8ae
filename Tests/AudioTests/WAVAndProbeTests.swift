// A short render written as WAV and read back; the device probe's diagnosis for `exposure doctor`.
import Audio
import Foundation
import SceneModel
import XCTest

final class WAVWriterTests: XCTestCase {
    private func u32(_ d: Data, _ at: Int) -> Int { Int(d[at]) | Int(d[at + 1]) << 8 | Int(d[at + 2]) << 16 | Int(d[at + 3]) << 24 }
    private func u16(_ d: Data, _ at: Int) -> Int { Int(d[at]) | Int(d[at + 1]) << 8 }

    func testRenderedSessionWritesAValidWAV() throws {
        let engine = try AudioEngine.testLoopback()
        try engine.update(listener: standingHead, emitters: [
            SoundEmitter(id: 1, kind: .wind, position: nil, gain: 0.6),
            SoundEmitter(id: 2, kind: .birds, position: Vec3(-4, 5, -6), gain: 1),
        ], mode: .exposure)
        let samples = try engine.render(frames: testRate / 2)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-audio-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        try WAVWriter.write(samples: samples, sampleRate: testRate, to: url)

        let d = try Data(contentsOf: url)
        XCTAssertEqual(String(decoding: d[0..<4], as: UTF8.self), "RIFF")
        XCTAssertEqual(u32(d, 4), d.count - 8)
        XCTAssertEqual(String(decoding: d[8..<12], as: UTF8.self), "WAVE")
        XCTAssertEqual(String(decoding: d[12..<16], as: UTF8.self), "fmt ")
        XCTAssertEqual(u16(d, 20), 1, "PCM")
        XCTAssertEqual(u16(d, 22), 2, "stereo")
        XCTAssertEqual(u32(d, 24), testRate)
        XCTAssertEqual(u32(d, 28), testRate * 4, "byte rate")
        XCTAssertEqual(u16(d, 34), 16, "bits")
        XCTAssertEqual(String(decoding: d[36..<40], as: UTF8.self), "data")
        XCTAssertEqual(u32(d, 40), samples.count * 2)
        // A sample read back matches what was rendered.
        let i = samples.indices.max { abs(samples[$0]) < abs(samples[$1]) } ?? 0
        let raw = Int16(bitPattern: UInt16(u16(d, 44 + i * 2)))
        XCTAssertEqual(Float(raw) / 32767, samples[i], accuracy: 1.0 / 16000)
        XCTAssertGreaterThan(abs(samples[i]), 0.01)
    }

    func testUnwritablePathIsATypedError() {
        let url = URL(fileURLWithPath: "/nonexistent-folder-\(UUID().uuidString)/a.wav")
        XCTAssertThrowsError(try WAVWriter.write(samples: [0, 0], sampleRate: 48000, to: url)) { error in
            guard case let .wavWrite(path, _)? = error as? AudioError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
        }
    }
}

final class AudioDeviceProbeTests: XCTestCase {
    func testProbeIsConsistentWithOpeningTheDefaultDevice() {
        let report = AudioDeviceProbe.probe()
        XCTAssertTrue(report.loopbackAvailable)
        XCTAssertFalse(report.summary.isEmpty)
        do {
            _ = try AudioEngine(output: .defaultDevice)
            XCTAssertTrue(report.isUsable)
            XCTAssertNil(report.problem)
        } catch let AudioError.noDevice(reason, fix) {
            XCTAssertFalse(report.isUsable)
            XCTAssertEqual(reason, report.problem)
            XCTAssertEqual(fix, report.fix)
            XCTAssertTrue(report.summary.contains { $0.hasPrefix("problem: ") })
        } catch {
            XCTFail("opening the default device must fail only with .noDevice, got \(error)")
        }
    }

    private func facts(container: Bool = false, snd: Bool = false, cards: [String] = [], pulse: Bool = false,
                       pipewire: Bool = false, runtimeDir: Bool = true) -> AudioHostFacts {
        AudioHostFacts(inContainer: container, soundCardNodes: snd, soundCards: cards, pulseSocket: pulse,
                       pipewireSocket: pipewire, runtimeDirSet: runtimeDir)
    }

    func testDiagnosisNamesTheContainer() {
        let (problem, fix) = AudioDeviceProbe.diagnose(facts: facts(container: true), devices: ["ALSA Default"])
        XCTAssertTrue(problem.contains("container"), problem)
        XCTAssertTrue(fix.contains("/dev/snd") && fix.contains("PULSE_SERVER"), fix)
    }

    func testDiagnosisWithoutServerOrCard() {
        let (problem, fix) = AudioDeviceProbe.diagnose(facts: facts(), devices: [])
        XCTAssertTrue(problem.contains("PipeWire") && problem.contains("/dev/snd"), problem)
        XCTAssertTrue(fix.contains("pipewire"), fix)
    }

    func testDiagnosisWhenOpenALIgnoresARunningServer() {
        let (problem, fix) = AudioDeviceProbe.diagnose(facts: facts(snd: true, cards: ["0 [PCH ]: HDA-Intel"], pipewire: true),
                                                       devices: ["ALSA Default"])
        XCTAssertTrue(problem.contains("did not connect"), problem)
        XCTAssertTrue(fix.contains("libpulse0"), fix)
    }

    func testDiagnosisWithoutRuntimeDir() {
        let (problem, _) = AudioDeviceProbe.diagnose(facts: facts(snd: true, cards: ["0 [PCH ]"], pulse: true, runtimeDir: false),
                                                     devices: ["PulseAudio Default"])
        XCTAssertTrue(problem.contains("XDG_RUNTIME_DIR"), problem)
    }
}
