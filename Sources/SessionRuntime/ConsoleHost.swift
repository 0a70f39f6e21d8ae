// Starts and stops the therapist console server for a session, from synchronous code (the CLI),
// and tells the therapist where to connect. Tokens are printed once to the terminal that started
// the session, never written to logs or the record.
import Foundation
import Control

public struct ConsoleOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8770
    public var certificate: String?
    public var privateKey: String?
    /// Directory for a self-signed certificate generated on first run.
    public var selfSignedDirectory: String?
    public var telemetryHz: Double = 15
    /// Nobody connected counts as a lost link from the start (when the protocol asks for a
    /// therapist, as clinical protocols do). False only for a run meant to go unwatched.
    public var supervised = true
    /// Extra host names the console answers to (`--allow-host`).
    public var allowedHosts: [String] = []
    /// Raises the connection caps (per address, in all, observers) to this many; for benchmarks
    /// that must let hundreds of loopback viewers in. nil keeps the server's defaults.
    public var connectionCap: Int?
    public init() {}
}

public final class ConsoleHost: @unchecked Sendable {
    public let server: ControlServer
    public let bridge: ControlBridge
    public private(set) var port = 0

    public init(session: PreparedSession, mirror: MirrorView?, options: ConsoleOptions) throws {
        var tls: TLSSetup?
        if let cert = options.certificate, let key = options.privateKey { tls = .files(certificate: cert, privateKey: key) }
        else if let dir = options.selfSignedDirectory { tls = .selfSigned(directory: dir) }
        bridge = ControlBridge(session: session, mirror: mirror)
        var configuration = ControlServerConfiguration(host: options.host, port: options.port, tls: tls, telemetryHz: options.telemetryHz)
        configuration.allowedHosts = options.allowedHosts
        if let cap = options.connectionCap {
            configuration.maxConnectionsPerSource = cap
            configuration.maxConnections = cap
            configuration.maxObserverConnections = cap
        }
        server = try ControlServer(session: bridge, configuration: configuration)
        watchedFromStart = options.supervised && session.plan.safety.requireTherapist
        planRequiresTherapist = session.plan.safety.requireTherapist
    }
    private let planRequiresTherapist: Bool

    /// Whether the session counts as unsupervised until a therapist connects.
    public let watchedFromStart: Bool
    private var supervisionOff: String {
        planRequiresTherapist ? "run meant to go unwatched (exposure demo, or --unsupervised): nobody connected is not a lost link"
            : "the protocol sets require_therapist: false: nobody connected is not a lost link"
    }

    /// Starts listening; returns the bound port.
    public func start() throws -> Int {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task { [server] in
            do { box.port = try await server.start() } catch { box.error = error }
            done.signal()
        }
        done.wait()
        if let e = box.error { throw e }
        port = box.port
        // Link supervision starts now, not at the first connection: a protocol must not climb
        // its hierarchy with nobody watching. The first therapist to connect restores the link.
        if watchedFromStart {
            server.superviseFromNow()
            bridge.recordSupervision(watched: true, why: "console listening: until a therapist connects, the link counts as lost")
        } else {
            bridge.recordSupervision(watched: false, why: supervisionOff)
        }
        return port
    }

    public func stop() {
        let done = DispatchSemaphore(value: 0)
        Task { [server] in await server.stop(); done.signal() }
        done.wait()
    }

    /// New pairing codes for both roles (the therapist asked at the terminal); the old ones stop
    /// working at once. Returns the line to print, in the form `instructions` uses.
    public func issueNewPairingCodes() -> String {
        let keys = server.issueNewPairingCodes()
        return "pairing codes:     therapist \(keys.therapistPairingCode), observer \(keys.observerPairingCode) (new: the earlier codes no longer work)"
    }

    /// SHA-256 fingerprint of the console's TLS certificate (`AB:CD:...`); nil without TLS.
    public var certificateFingerprint: String? { server.certificateFingerprint }

    /// What to tell the person who started the session.
    public var instructions: String { instructions(interfaces: nil) }

    /// The console's URLs (one per reachable address when listening on a wildcard, loopback
    /// last), the certificate fingerprint with TLS, and the pairing codes. `interfaces` is this
    /// machine's unless given.
    public func instructions(interfaces: [InterfaceAddress]?) -> String {
        var lines: [String] = []
        for (label, role) in [("therapist console: ", Role.therapist), ("observer view:     ", Role.observer)] {
            for (index, address) in server.consoleURLs(role: role, interfaces: interfaces).enumerated() {
                let prefix = index == 0 ? label : String(repeating: " ", count: label.count)
                lines.append(prefix + address.url + Self.whereFrom(address))
            }
        }
        if let fingerprint = server.certificateFingerprint {
            lines.append("TLS certificate:   SHA-256 fingerprint: \(fingerprint)")
            lines.append("                   (the browser's certificate viewer must show the same before the console is used)")
        }
        lines.append("pairing codes:     therapist \(server.keys.therapistPairingCode), observer \(server.keys.observerPairingCode)")
        return lines.joined(separator: "\n")
    }

    private static func whereFrom(_ address: ConsoleAddress) -> String {
        if address.isLoopback { return address.interface == nil ? "" : "  (this machine only)" }
        return address.interface.map { "  (\($0))" } ?? ""
    }

    private final class ResultBox: @unchecked Sendable { var port = 0; var error: Error? }
}
