import Foundation
import HummingbirdWebSocket
import NIOWebSocket

/// One WebSocket connection: authenticate, then route commands and stream telemetry.
/// Every refusal is an error message; nothing reaches the session unless it passed
/// authentication, the role check, the rate limit and validation.
struct ControlConnection {
    let connectionId: Int
    let session: any ControlledSession
    let authenticator: Authenticator
    let hub: TelemetryHub
    let presence: TherapistPresence
    let configuration: ControlServerConfiguration
    let registry: ConnectionRegistry
    /// The peer's address ("127.0.0.1"), for per-source limits and the refusal summaries.
    let source: String
    let tally: RefusalTally

    /// Frames above this are cut off by the WebSocket layer itself (close code 1009); messages
    /// between WireFormat.maxClientMessageBytes and this get a protocol error and stay open.
    static let hardFrameLimit = 64 * 1024

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let state = ConnectionState()
        registry.add(connectionId, source: source, outbound: outbound)
        let helloWatch = Task {
            try await Task.sleep(for: configuration.helloTimeout)
            if state.sender == nil {
                try? await outbound.write(.text(ServerMessage.error(ControlProtocolError(.notAuthenticated,
                    "no hello within the time allowed; reconnect and send {\"type\":\"hello\",\"v\":1,\"token\":...} first")).jsonText()))
                try? await outbound.close(.policyViolation, reason: "authentication timeout")
            }
        }
        var telemetryTask: Task<Void, Never>?
        defer {
            helloWatch.cancel()
            telemetryTask?.cancel()
            hub.unsubscribe(connectionId: connectionId)
            registry.remove(connectionId)
            if state.sender?.role == .therapist { presence.left() }
        }
        var limiter = RateLimiter(ratePerSecond: configuration.commandsPerSecond, burst: max(1, configuration.commandsPerSecond))

        for try await message in inbound.messages(maxSize: Self.hardFrameLimit) {
            guard case .text(let text) = message else {
                try await send(.error(ControlProtocolError(.malformedMessage, "binary frames are not part of the protocol; send JSON text frames")), outbound)
                continue
            }
            if let sender = state.sender {
                guard limiter.allow() else {
                    let error = ControlProtocolError(.rateLimited,
                        "more than \(Int(configuration.commandsPerSecond)) messages a second; wait and send again", id: Self.peekId(text))
                    tally.note(.rateLimited, from: source)
                    try await send(.error(error), outbound)
                    continue
                }
                try await handleAuthenticated(text, sender: sender, outbound: outbound)
            } else {
                let outcome = try await handleHello(text, outbound: outbound)
                switch outcome {
                case .stayUnauthenticated: continue
                case .close:
                    try? await outbound.close(.policyViolation, reason: "authentication failed")
                    return
                case .authenticated(let sender):
                    state.sender = sender
                    helloWatch.cancel()
                    if sender.role == .therapist { presence.joined() }
                    let stream = hub.subscribe(connectionId: connectionId)
                    telemetryTask = Task {
                        for await text in stream {
                            do { try await outbound.write(.text(text)) } catch { break }
                        }
                    }
                }
            }
        }
    }

    private enum HelloOutcome { case stayUnauthenticated, close, authenticated(Sender) }

    private func handleHello(_ text: String, outbound: WebSocketOutboundWriter) async throws -> HelloOutcome {
        let message: ClientMessage
        do {
            message = try ClientMessageDecoder.decode(text)
        } catch let error as ControlProtocolError {
            try await send(.error(error), outbound)
            return .stayUnauthenticated
        }
        switch message {
        case .hello(let token, let pairingCode):
            switch authenticator.authenticate(token: token, pairingCode: pairingCode, source: source) {
            case .granted(let role, let issuedToken):
                let limit = role == .therapist ? configuration.maxTherapistConnections : configuration.maxObserverConnections
                guard registry.authenticate(connectionId, as: role, limit: limit) else {
                    tally.note(.tooManyConnections, from: source)
                    try await send(.error(ControlProtocolError(.tooManyConnections,
                        "\(limit) \(role.rawValue) connections are open already (the most allowed); close one and reconnect")), outbound)
                    return .close
                }
                let sender = Sender(role: role, connectionId: connectionId)
                let welcome = ServerMessage.Welcome(
                    v: WireFormat.version, role: role, connectionId: connectionId, displayName: sender.displayName,
                    token: issuedToken, telemetryHz: configuration.clampedTelemetryHz,
                    maxMessageBytes: WireFormat.maxClientMessageBytes, commandsPerSecond: configuration.commandsPerSecond,
                    environment: session.environment)
                try await send(.welcome(welcome), outbound)
                return .authenticated(sender)
            case .denied(let reason):
                tally.note(.failedHello, from: source)
                try await send(.error(ControlProtocolError(.authenticationFailed, reason)), outbound)
                return .close
            }
        case .command(let id, _):
            tally.note(.notAuthenticated, from: source)
            try await send(.error(ControlProtocolError(.notAuthenticated, "send hello with a token or pairing code before commands", id: id)), outbound)
            return .stayUnauthenticated
        case .ping(let id):
            try await send(.pong(id: id), outbound)
            return .stayUnauthenticated
        }
    }

    private func handleAuthenticated(_ text: String, sender: Sender, outbound: WebSocketOutboundWriter) async throws {
        let message: ClientMessage
        do {
            message = try ClientMessageDecoder.decode(text)
        } catch let error as ControlProtocolError {
            tally.note(.malformed, from: source)
            try await send(.error(error), outbound)
            return
        }
        switch message {
        case .hello:
            try await send(.error(ControlProtocolError(.alreadyAuthenticated, "this connection is already authenticated as \(sender.displayName)")), outbound)
        case .ping(let id):
            try await send(.pong(id: id), outbound)
        case .command(let id, let command):
            guard sender.role == .therapist else {
                // An observer trying to steer is recorded as such (authenticated, and rate-limited).
                let error = ControlProtocolError(.forbidden, "observers can watch but not send commands; connect with the therapist token to steer", id: id)
                audit(sender: sender, kind: command.kind, id: id, error: error)
                try await send(.error(error), outbound)
                return
            }
            switch await session.submit(command, from: sender) {
            case .applied(let sequence, let changes):
                session.recordControlEvent(ControlAuditEntry(sender: sender, connectionId: connectionId, kind: command.kind,
                                                             messageId: id, result: .applied(sequence: sequence)))
                hub.awaitConfirmation(of: sequence)
                try await send(.applied(id: id, sequence: sequence, changes: changes), outbound)
            case .rejected(let code, let reason):
                let error = ControlProtocolError(.rejected, "\(code): \(reason)", id: id)
                audit(sender: sender, kind: command.kind, id: id, error: error)
                try await send(.error(error), outbound)
            }
        }
    }

    private func audit(sender: Sender?, kind: String, id: String?, error: ControlProtocolError) {
        session.recordControlEvent(ControlAuditEntry(sender: sender, connectionId: connectionId, kind: kind, messageId: id,
                                                     result: .refused(code: error.code.rawValue, message: error.message)))
    }

    private func send(_ message: ServerMessage, _ outbound: WebSocketOutboundWriter) async throws {
        try await outbound.write(.text(message.jsonText()))
    }

    /// The id of a message that will not be parsed (rate limited), so the error can name it.
    static func peekId(_ text: String) -> String? {
        guard text.utf8.count <= WireFormat.maxClientMessageBytes, case .object(let object)? = JSONValue.parse(text),
              case .string(let id)? = object["id"], id.count <= 64 else { return nil }
        return id
    }
}

/// The authenticated identity of a connection, shared with its hello-timeout task.
final class ConnectionState: @unchecked Sendable {
    private let lock = NSLock()
    private var _sender: Sender?
    var sender: Sender? {
        get { lock.lock(); defer { lock.unlock() }; return _sender }
        set { lock.lock(); _sender = newValue; lock.unlock() }
    }
}

/// Open connections with their source and role, so the server can cap them and close them all
/// when it stops.
final class ConnectionRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var writers: [Int: WebSocketOutboundWriter] = [:]
    private var sources: [Int: String] = [:]
    private var roles: [Int: Role] = [:]
    /// Upgrades granted but not yet running, per source, so a burst cannot slip past the cap.
    private var pending: [String: Int] = [:]
    private var nextId = 0

    func makeId() -> Int {
        lock.lock(); defer { lock.unlock() }
        nextId += 1
        return nextId
    }

    /// Reserves a place for a new connection from `source`, or says why there is none.
    func reserve(source: String, perSource: Int, total: Int) -> String? {
        lock.withLock {
            let fromSource = sources.values.filter { $0 == source }.count + pending[source, default: 0]
            let all = writers.count + pending.values.reduce(0, +)
            if fromSource >= perSource { return "this address already has \(fromSource) console connections (at most \(perSource)); close some and retry" }
            if all >= total { return "the console has \(all) connections (at most \(total)); close some and retry" }
            pending[source, default: 0] += 1
            return nil
        }
    }

    func add(_ id: Int, source: String, outbound: WebSocketOutboundWriter) {
        lock.withLock {
            writers[id] = outbound
            sources[id] = source
            if let n = pending[source] { pending[source] = n > 1 ? n - 1 : nil }
        }
    }

    /// Marks the connection as authenticated in `role`, unless that role is full.
    func authenticate(_ id: Int, as role: Role, limit: Int) -> Bool {
        lock.withLock {
            guard roles.values.filter({ $0 == role }).count < limit else { return false }
            roles[id] = role
            return true
        }
    }

    func remove(_ id: Int) {
        lock.withLock { writers[id] = nil; sources[id] = nil; roles[id] = nil }
    }

    func closeAll() async {
        let all = lock.withLock { Array(writers.values) }
        for writer in all { try? await writer.close(.goingAway, reason: "control server stopping") }
    }

    var count: Int { lock.lock(); defer { lock.unlock() }; return writers.count }
}
