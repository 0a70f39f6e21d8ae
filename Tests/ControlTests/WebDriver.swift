import Foundation
#if canImport(Glibc)
import Glibc
import XCTest
#endif

/// Shared with Tests/SessionRuntimeTests (a symbolic link there): keep it free of ControlTests-only types.
/// A minimal W3C WebDriver client for chromedriver on loopback: enough to open the console,
/// click, read text and run a line of script. Owns the chromedriver process.
final class WebDriver {
    enum Failure: Error, CustomStringConvertible {
        case missing(String)
        case didNotStart(String)
        case request(String, String)
        var description: String {
            switch self {
            case .missing(let tool): return "\(tool) is not installed (Debian: apt-get install chromium chromium-driver)"
            case .didNotStart(let detail): return "chromedriver did not start: \(detail)"
            case .request(let path, let detail): return "WebDriver \(path): \(detail)"
            }
        }
    }

    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    private let process = Process()
    private let base: String
    private let profile: String
    private(set) var sessionId = ""

    init() async throws {
        for tool in [Self.chromium, Self.chromedriver, "/usr/bin/curl"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw Failure.missing(tool)
        }
        let port = Int.random(in: 20_000...60_000)
        base = "http://127.0.0.1:\(port)"
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("control-chromium-\(UUID().uuidString)").path
        process.executableURL = URL(fileURLWithPath: Self.chromedriver)
        process.arguments = ["--port=\(port)", "--allowed-ips=127.0.0.1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            if let status = try? await request("GET", "/status"), status["value"] != nil { break }
            guard ContinuousClock.now < deadline else { terminateDriver(); throw Failure.didNotStart("no answer on \(base)/status") }
            try await Task.sleep(for: .milliseconds(100))
        }
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": Self.chromium, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--user-data-dir=\(profile)"]],
        ]]]
        let created = try await request("POST", "/session", capabilities)
        guard let value = created["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            terminateDriver()
            throw Failure.didNotStart("no session in \(created)")
        }
        sessionId = id
    }

    func open(_ url: String) async throws {
        _ = try await request("POST", "/session/\(sessionId)/url", ["url": url])
    }

    func element(_ css: String) async throws -> String {
        let reply = try await request("POST", "/session/\(sessionId)/element", ["using": "css selector", "value": css])
        guard let value = reply["value"] as? [String: Any], let id = value.values.first as? String else {
            throw Failure.request("element \(css)", "\(reply)")
        }
        return id
    }

    func click(_ css: String) async throws {
        _ = try await request("POST", "/session/\(sessionId)/element/\(try await element(css))/click", [:])
    }

    func text(_ css: String) async throws -> String {
        let reply = try await request("GET", "/session/\(sessionId)/element/\(try await element(css))/text")
        return reply["value"] as? String ?? ""
    }

    func isDisplayed(_ css: String) async throws -> Bool {
        let reply = try await request("GET", "/session/\(sessionId)/element/\(try await element(css))/displayed")
        return reply["value"] as? Bool ?? false
    }

    func execute(_ script: String) async throws -> Any? {
        try await request("POST", "/session/\(sessionId)/execute/sync", ["script": script, "args": []])["value"]
    }

    func screenshot(to path: String) async throws {
        let reply = try await request("GET", "/session/\(sessionId)/screenshot")
        if let base64 = reply["value"] as? String, let data = Data(base64Encoded: base64) {
            try data.write(to: URL(fileURLWithPath: path))
        }
    }

    /// Polls until `read` returns a value satisfying `condition`; returns the last value read.
    func waitFor<T>(timeout: Duration = .seconds(15), _ read: () async throws -> T, until condition: (T) -> Bool) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        var value = try await read()
        while !condition(value) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            value = try await read()
        }
        return value
    }

    /// Ends the browser session and chromedriver (it ends the Chromium processes it started).
    func quit() async {
        if !sessionId.isEmpty { _ = try? await request("DELETE", "/session/\(sessionId)") }
        terminateDriver()
    }

    private func terminateDriver() {
        // chromedriver inherits the test process's blocked signals, so SIGTERM may never
        // arrive: ask it to shut down (it closes its browsers), then make sure with SIGKILL.
        _ = try? Self.run("/usr/bin/curl", ["-s", "-m", "5", base + "/shutdown"])
        for _ in 0..<20 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// WebDriver over HTTP through curl: Foundation's URLSession on Linux fails on
    /// chromedriver's replies ("Failed writing header").
    private func request(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        var arguments = ["-s", "-m", "30", "-X", method, base + path]
        if let body {
            let data = try JSONSerialization.data(withJSONObject: body)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", String(decoding: data, as: UTF8.self)]
        }
        let data = try Self.run("/usr/bin/curl", arguments)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure.request(path, "reply is not a JSON object")
        }
        if let value = object["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure.request(path, "\(error): \(value["message"] ?? "")")
        }
        return object
    }

    /// Runs `tool` to the end and returns its standard output (curl: one WebDriver request).
    private static func run(_ tool: String, _ arguments: [String]) throws -> Data {
        guard FileManager.default.isExecutableFile(atPath: tool) else { throw Failure.missing(tool) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
}
