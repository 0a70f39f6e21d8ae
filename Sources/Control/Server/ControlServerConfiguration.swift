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
