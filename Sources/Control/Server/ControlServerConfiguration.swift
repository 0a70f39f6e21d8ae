/// How the control server listens and paces itself.
public struct ControlServerConfiguration: Sendable {
    /// Listen address. Loopback by default; any other address needs `tls`.
    public var host: String
    /// 0 picks a free port (see ControlServer.start's result).
    public var port: Int
    public var tls: TLSSetup?
    /// Telemetry messages per second to each connection, 10-30 (clamped to 1-30).
    public var telemetryHz: Double
    /// Messages per second one connection may send on average; bursts up to the same number.
    public var commandsPerSecond: Double
    /// WebSocket ping period; a connection that misses a pong is closed, and a therapist
    /// connection closing that way counts as link loss.
    public var pingInterval: Duration
    /// A connection that has not authenticated by then is closed.
    public var helloTimeout: Duration
    /// Extra host names the console answers to besides its own addresses (`--allow-host`), e.g.
    /// the clinic's DNS name for this station. Requests naming any other Host or Origin are refused.
    public var allowedHosts: [String] = []
    /// Open connections at most, from one address and in all; more are refused before upgrade,
    /// so viewers can never crowd out the therapist or slow the frames.
    public var maxConnectionsPerSource = 16
    public var maxConnections = 64
    /// Authenticated connections at most, per role.
    public var maxTherapistConnections = 4
    public var maxObserverConnections = 32
    /// Refused traffic is written to the record as one summary per source per this interval.
    public var refusalSummaryInterval: Duration = .seconds(10)
    /// A connection must send a whole request head within this time of opening (slow,
    /// half-sent requests are closed), and an idle HTTP connection is closed after `idleTimeout`.
    public var requestHeadTimeout: Duration = .seconds(10)
    public var idleTimeout: Duration = .seconds(30)

    public init(host: String = "127.0.0.1", port: Int = 8770, tls: TLSSetup? = nil, telemetryHz: Double = 15,
                commandsPerSecond: Double = 20, pingInterval: Duration = .seconds(5), helloTimeout: Duration = .seconds(10)) {
        self.host = host
        self.port = port
        self.tls = tls
        self.telemetryHz = telemetryHz
        self.commandsPerSecond = commandsPerSecond
        self.pingInterval = pingInterval
        self.helloTimeout = helloTimeout
    }

    var clampedTelemetryHz: Double { min(30, max(1, telemetryHz)) }
}
