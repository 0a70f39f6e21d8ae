import Foundation
import XCTest

/// Runs the built `exposure` binary as a subprocess, as a clinician or a script would.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var output: String { stdout + stderr }
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
}

enum CLI {
    /// The package folder (this file is Tests/ExposureCLITests/CLIRunner.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The binary built next to the test bundle (`swift build --build-tests` builds both), else
    /// `.build/debug/exposure`; `EXPOSURE_BINARY` overrides.
    static func binary() throws -> URL {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let explicit = ProcessInfo.processInfo.environment["EXPOSURE_BINARY"], !explicit.isEmpty {
            candidates.append(URL(fileURLWithPath: explicit))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("exposure"))
        if let exe = Bundle.main.executableURL {
            candidates.append(exe.deletingLastPathComponent().appendingPathComponent("exposure"))
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/exposure"))
        guard let found = candidates.first(where: { fm.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("the exposure binary is not built (looked in \(candidates.map(\.path).joined(separator: ", "))): run `swift build --build-tests` first")
        }
        return found
    }

    /// A test tool that scripts/install-deps --test installs (the project's Python tools first, then
    /// PATH); a failure that says how to install it, never a skip.
    static func tool(_ name: String) throws -> String {
        let dirs = [packageRoot.appendingPathComponent(".build-tools/python/bin").path]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        if let found = dirs.map({ "\($0)/\(name)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        throw NSError(domain: "CLI", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(name) is not installed: run scripts/install-deps --test"])
    }

    /// Runs `exposure args...` in the package folder; kills it after `timeout` seconds.
    static func run(_ args: [String], environment: [String: String] = [:], timeout: TimeInterval = 60,
                    file: StaticString = #filePath, line: UInt = #line) throws -> CLIResult {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = try binary()
        process.arguments = args
        process.currentDirectoryURL = packageRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            XCTFail("exposure \(args.joined(separator: " ")) did not finish within \(timeout) s", file: file, line: line)
        }
        process.waitUntilExit()
        try out.close(); try err.close()
        return CLIResult(status: process.terminationStatus,
                         stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// 1-based number of the first line of `text` containing `needle`.
    static func lineNumber(of needle: String, in text: String) -> Int? {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) }.map { $0 + 1 }
    }
}
