import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle

/// The therapist's remote control: HTTP console, WebSocket protocol v1 at /v1/ws, mirror
/// image at /v1/mirror.png. Start it with a session; stop it before the session ends.
public final class ControlServer: @unchecked Sendable {
    /// The session's tokens and its current pairing codes.
    public var keys: AccessKeys { authenticator.currentKeys }
    public let configuration: ControlServerConfiguration
    private let session: any ControlledSession
    private let authenticator: Authenticator
    private let hub: TelemetryHub
    private let presence: TherapistPresence
    private let registry = ConnectionRegistry()
    private let tally = RefusalTally()
    private var summaryTask: Task<Void, Never>?
    private let tlsConfiguration: TLSConfiguration?
    /// SHA-256 fingerprint of the TLS certificate served (`AB:CD:...`, as browsers show it);
    /// nil without TLS. The therapist compares it with the browser's certificate viewer.
    public let certificateFingerprint: String?
    private let lock = NSLock()
    private var serviceGroup: ServiceGroup?
    private var runTask: Task<Void, Error>?
    private var boundPort: Int?

    /// Refuses a non-loopback address without TLS, before anything listens.
    public init(session: any ControlledSession, keys: AccessKeys = .generate(),
                configuration: ControlServerConfiguration = ControlServerConfiguration()) throws {
        guard (0...65535).contains(configuration.port) else { throw ControlSetupError.invalidPort(configuration.port) }
        if !ListenPolicy.isLoopback(configuration.host) && configuration.tls == nil {
            throw ControlSetupError.remoteListenNeedsTLS(host: configuration.host)
        }
        self.session = session
        self.configuration = configuration
        self.authenticator = Authenticator(keys: keys)
        self.hub = TelemetryHub(session: session, hz: configuration.clampedTelemetryHz)
        self.presence = TherapistPresence(session: session)
        let tls = try configuration.tls.map { try TLSMaterial.serverConfiguration(for: $0, host: configuration.host) }
        self.tlsConfiguration = tls?.configuration
        self.certificateFingerprint = tls?.fingerprint
    }

    /// New pairing codes for both roles (the old ones stop working, and a lock on them lifts),
    /// for a therapist whose codes were used or locked; tokens are unchanged.
    @discardableResult
    public func issueNewPairingCodes() -> AccessKeys { authenticator.issueNewPairingCodes() }

    /// From now on nobody connected counts as a lost link, not only a therapist who left: the
    /// session must not run unwatched (see SafetyLimits.requireTherapist).
    public func superviseFromNow() { presence.reportUnwatchedIfNobodyIsHere() }

    /// Refused traffic since the start, by reason (`failed_hello`, `cross_origin`, ...).
    public var refusedTraffic: [String: Int] {
        Dictionary(uniqueKeysWithValues: tally.totals.map { ($0.key.rawValue, $0.value) })
    }

    /// The port it listens on, once started.
    public var port: Int? { lock.lock(); defer { lock.unlock() }; return boundPort }
    public var usesTLS: Bool { tlsConfiguration != nil }
    /// Open WebSocket connections (authenticated or not).
    public var connectionCount: Int { registry.count }

    /// The console address to give the therapist (the token travels in the fragment, which
    /// browsers never send to the server or put in logs).
    /// With a wildcard listen address this is the first of `consoleURLs`.
    public func consoleURL(role: Role = .therapist) -> String {
        consoleURLs(role: role)[0].url
    }

    /// Every URL the console can be opened at, token fragment included: the listen address, or
    /// for a wildcard one URL per usable interface address with loopback last
    /// (see `ConsoleAddresses.list`). `interfaces` is this machine's unless given.
    public func consoleURLs(role: Role = .therapist, interfaces: [InterfaceAddress]? = nil) -> [ConsoleAddress] {
        let wildcard = ConsoleAddresses.isWildcard(configuration.host)
        let addresses = ConsoleAddresses.list(
            bindHost: configuration.host, port: port ?? configuration.port, scheme: usesTLS ? "https" : "http",
            interfaces: interfaces ?? (wildcard ? NetworkInterfaces.current() : []),
            ipv6WildcardAcceptsIPv4: wildcard ? NetworkInterfaces.ipv6WildcardAcceptsIPv4() : true)
        return addresses.map { address in
            var withToken = address
            withToken.url += "#token=\(keys.token(for: role))"
            return withToken
        }
    }

    /// Starts listening; returns the bound port. Starting a running server returns its port.
    @discardableResult
    public func start() async throws -> Int {
        if let port = lock.withLock({ runTask == nil ? nil : boundPort }) { return port }
        var logger = Logger(label: "exposure.control")
        logger.logLevel = .warning
        let (session, authenticator, hub, presence, configuration, registry, tally) =
            (self.session, self.authenticator, self.hub, self.presence, self.configuration, self.registry, self.tally)
        let policy = RequestOriginPolicy.forListening(on: configuration.host,
                                                      interfaces: NetworkInterfaces.current().map(\.address),
                                                      extra: configuration.allowedHosts)
        let listeningPort: @Sendable () -> Int? = { [weak self] in self?.port }
        let router = Router(context: ControlRequestContext.self)
        router.add(middleware: OriginCheckMiddleware(policy: policy, port: listeningPort, tally: tally))
        ConsoleRoutes.add(to: router, session: session, authenticator: authenticator)

        let wsRouter = Router(context: ControlRequestContext.self)
        wsRouter.add(middleware: OriginCheckMiddleware(policy: policy, port: listeningPort, tally: tally))
        wsRouter.ws("/v1/ws") { _, context in
            // Capped before the upgrade, so a crowd of sockets costs the frame loop nothing.
            if let why = registry.reserve(source: context.sourceName, perSource: configuration.maxConnectionsPerSource,
                                          total: configuration.maxConnections) {
                tally.note(.tooManyConnections, from: context.sourceName)
                throw HTTPError(.serviceUnavailable, message: why)
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            let connection = ControlConnection(connectionId: registry.makeId(), session: session, authenticator: authenticator,
                                               hub: hub, presence: presence, configuration: configuration, registry: registry,
                                               source: context.requestContext.sourceName, tally: tally)
            try await connection.run(inbound: inbound, outbound: outbound)
        }
        let wsConfiguration = WebSocketServerConfiguration(maxFrameSize: ControlConnection.hardFrameLimit,
                                                           autoPing: .enabled(timePeriod: configuration.pingInterval),
                                                           closeTimeout: .seconds(2))
        // Each connection: the request-head deadline (slow half-sent requests are closed), then
        // HTTP/1 with the WebSocket upgrade, idle HTTP connections closed; TLS outermost.
        let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(configuration.idleTimeout.components.seconds)))
        let headDeadline = TimeAmount.seconds(Int64(configuration.requestHeadTimeout.components.seconds))
        let wsResponder = wsRouter.buildResponder()
        let onSlowRequest: @Sendable () -> Void = { tally.note(.slowRequest, from: "unknown") }
        let tlsConfiguration = self.tlsConfiguration
        let server = HTTPServerBuilder { responder in
            let plain = RequestHeadDeadlineChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: wsResponder,
                                                    configuration: .init(http1: http1, ws: wsConfiguration)),
                deadline: headDeadline, onTimeout: onSlowRequest)
            guard let tlsConfiguration else { return plain }
            return try TLSChannel(plain, tlsConfiguration: tlsConfiguration)
        }

        let portSignal = PortSignal()
        let app = Application(router: router, server: server,
                              configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                                   serverName: "exposure-control", reuseAddress: true),
                              onServerRunning: { channel in portSignal.resolve(.success(channel.localAddress?.port ?? -1)) },
                              logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        hub.start()
        let interval = configuration.refusalSummaryInterval
        summaryTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                self?.writeRefusalSummaries()
            }
        }
        let task = Task {
            do {
                try await group.run()
            } catch {
                portSignal.resolve(.failure(error))
                throw error
            }
            portSignal.resolve(.failure(CancellationError()))
        }
        lock.withLock {
            serviceGroup = group
            runTask = task
        }
        let port = try await portSignal.value()
        lock.withLock { boundPort = port }
        return port
    }

    /// Closes every connection and stops listening. A closing therapist connection counts as
    /// link loss, so the runtime stops the server after it has ended the session.
    public func stop() async {
        let (group, task) = lock.withLock {
            defer { serviceGroup = nil; runTask = nil }
            return (serviceGroup, runTask)
        }
        hub.stop()
        summaryTask?.cancel()
        writeRefusalSummaries()
        // A peer that stops reading can hold a WebSocket close or the graceful shutdown open for
        // ever, and with it the session's exit: both get a few seconds, then the server is cancelled.
        let registry = self.registry
        let finished = StopSignal()
        Task {
            await registry.closeAll()
            await group?.triggerGracefulShutdown()
            _ = try? await task?.value
            finished.set()
        }
        if await finished.wait(seconds: Self.gracefulStopSeconds) { return }
        task?.cancel()
        _ = await finished.wait(seconds: 2)
    }

    /// How long stopping waits for connections to close before the server is cancelled.
    static let gracefulStopSeconds = 3.0
}

extension ControlServer {
    /// One record row per source with what was refused from it since the last summary.
    func writeRefusalSummaries() {
        let seconds = Double(configuration.refusalSummaryInterval.components.seconds)
        for entry in tally.drain(interval: "in the last \(Int(seconds)) s") { session.recordControlEvent(entry) }
    }
}

/// Set once the server has stopped; `wait` polls it with a deadline (stopping is rare and short).
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func set() { lock.withLock { done = true } }
    func wait(seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if lock.withLock({ done }) { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return lock.withLock { done }
    }
}

/// Hands the bound port (or the start failure) from the server task to start().
final class PortSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Int, Error>?
    private var waiter: CheckedContinuation<Int, Error>?

    func resolve(_ value: Result<Int, Error>) {
        lock.lock()
        guard result == nil else { lock.unlock(); return }
        result = value
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume(with: value)
    }

    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            lock.lock()
            if let result {
                lock.unlock()
                continuation.resume(with: result)
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }
}
