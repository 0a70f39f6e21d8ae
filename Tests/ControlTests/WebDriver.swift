import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
        for tool in [Self.chromium, Self.chromedriver] where !FileManager.default.isExecutableFile(atPath: tool) {
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
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: profile)
    }

    private func request(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> [String: Any] {
        guard let url = URL(string: base + path) else { throw Failure.request(path, "bad URL") }
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = method
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure.request(path, "reply is not a JSON object")
        }
        if let value = object["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure.request(path, "\(error): \(value["message"] ?? "")")
        }
        return object
    }
}
