import Foundation
import HummingbirdWSClient
import Logging
import NIOSSL
import NIOWebSocket

public enum ControlClientError: Error, Equatable, CustomStringConvertible {
    case notConnected(url: String, detail: String)
    case closed(code: Int?, reason: String?)
    case timedOut(waitingFor: String)
    case unexpectedReply(String)

    public var description: String {
        switch self {
        case .notConnected(let url, let detail): return "ControlClient: could not connect to \(url) (\(detail)); is the runtime running, and the port and scheme right?"
        case .closed(let code, let reason): return "ControlClient: the server closed the connection (code \(code.map(String.init) ?? "none"), \(reason ?? "no reason"))"
        case .timedOut(let what): return "ControlClient: timed out waiting for \(what)"
        case .unexpectedReply(let text): return "ControlClient: unexpected reply \(text.prefix(200))"
        }
    }
}

/// A protocol-v1 client over a real WebSocket: used by the bench, the tests, and any
/// scripted tool. Received messages queue up in order; `next` takes them one at a time.
public final class ControlClient: @unchecked Sendable {
    private let inbox = MessageInbox()
    private let lock = NSLock()
    private var outbound: WebSocketOutboundWriter?
    private var runTask: Task<Void, Never>?
    private var _closeFrame: (code: Int, reason: String?)?
    private var commandCounter = 0
    public let url: String

    private init(url: String) { self.url = url }

    /// Opens a wss:// WebSocket that trusts only the certificate in `trustedCertificatePEMFile`
    /// (the runtime's self-signed certificate, pinned).
    public static func connect(url: String, trustedCertificatePEMFile: String) async throws -> ControlClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(trustedCertificatePEMFile))
        } catch {
            throw ControlSetupError.certificateUnreadable(path: trustedCertificatePEMFile, detail: "\(error)")
        }
        // The pin is the trust: the chain must end at this exact certificate. Host names add
        // nothing to that, and TLS cannot send an IP address as the server name (SNI).
        tls.certificateVerification = .noHostnameVerification
        return try await connect(url: url, tls: tls, serverName: "localhost")
    }

    /// Opens the WebSocket (no hello yet). `tls` for wss:// URLs; `serverName` overrides the
    /// TLS server name (needed when the URL host is an IP address).
    public static func connect(url: String, tls: TLSConfiguration? = nil, serverName: String? = nil) async throws -> ControlClient {
        let client = ControlClient(url: url)
        let ready = PortSignal()
        var logger = Logger(label: "exposure.control.client")
        logger.logLevel = .critical
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20)
        configuration.autoPing = .disabled
        configuration.sniHostname = serverName
        // The WebSocket close handshake already says the conversation is over; waiting the TLS
        // default 5 s for the peer's close_notify only made every close() slow.
        var tls = tls
        tls?.shutdownTimeout = .milliseconds(300)
        client.runTask = Task {
            do {
                let close = try await WebSocketClient.connect(url: url, configuration: configuration, tlsConfiguration: tls,
                                                              logger: logger) { inbound, outbound, _ in
                    client.setOutbound(outbound)
                    ready.resolve(.success(0))
                    for try await message in inbound.messages(maxSize: 1 << 22) {
                        if case .text(let text) = message { client.inbox.append(text) }
                    }
                }
                client.setClose(close.map { (Int(UInt16(webSocketErrorCode: $0.closeCode)), $0.reason) })
                ready.resolve(.failure(ControlClientError.notConnected(url: url, detail: "closed during the upgrade")))
            } catch {
                ready.resolve(.failure(ControlClientError.notConnected(url: url, detail: "\(error)")))
            }
            client.inbox.finish()
        }
        _ = try await ready.value()
        return client
    }

    private func setOutbound(_ writer: WebSocketOutboundWriter) { lock.lock(); outbound = writer; lock.unlock() }
    private func setClose(_ frame: (Int, String?)?) { lock.lock(); _closeFrame = frame; lock.unlock() }

    /// The server's close frame, once the connection has closed.
    public var closeFrame: (code: Int, reason: String?)? { lock.lock(); defer { lock.unlock() }; return _closeFrame }
    public var isClosed: Bool { inbox.isFinished }

    /// Sends raw text (tests use it for malformed and oversized messages).
    public func send(text: String) async throws {
        let writer = lock.withLock { outbound }
        guard let writer else { throw ControlClientError.notConnected(url: url, detail: "not open") }
        try await writer.write(.text(text))
    }

    /// Sends hello and waits for welcome; throws with the server's error otherwise.
    @discardableResult
    public func hello(token: String? = nil, pairingCode: String? = nil, timeout: Duration = .seconds(5)) async throws -> ServerMessage.Welcome {
        var object: [String: Any] = ["type": "hello", "v": WireFormat.version]
        if let token { object["token"] = token }
        if let pairingCode { object["pairing_code"] = pairingCode }
        try await send(text: Self.json(object))
        let reply = try await next(timeout: timeout, skippingTelemetry: true)
        switch reply {
        case .welcome(let welcome): return welcome
        case .error(let error): throw error
        default: throw ControlClientError.unexpectedReply("\(reply)")
        }
    }

    /// Sends one command (wire fields as in docs/control-protocol.md) and returns its id.
    @discardableResult
    public func sendCommand(kind: String, fields: [String: Any] = [:], id: String? = nil) async throws -> String {
        let commandId: String = lock.withLock {
            commandCounter += 1
            return id ?? "c\(commandCounter)"
        }
        var command = fields
        command["kind"] = kind
        try await send(text: Self.json(["type": "command", "v": WireFormat.version, "id": commandId, "command": command]))
        return commandId
    }

    /// The reply (applied or error) to the message with `id`, skipping telemetry and other replies.
    public func reply(to id: String, timeout: Duration = .seconds(5)) async throws -> ServerMessage {
        let deadline = ContinuousClock.now + timeout
        while true {
            let message = try await next(timeout: deadline - .now, skippingTelemetry: true)
            switch message {
            case .applied(let appliedId, _, _) where appliedId == id: return message
            case .error(let error) where error.id == id: return message
            default: continue
            }
        }
    }

    /// The first telemetry that satisfies `condition`.
    public func telemetry(timeout: Duration = .seconds(5), where condition: (Telemetry) -> Bool) async throws -> Telemetry {
        let deadline = ContinuousClock.now + timeout
        while true {
            if case .telemetry(_, let telemetry) = try await next(timeout: deadline - .now), condition(telemetry) {
                return telemetry
            }
        }
    }

    /// The next message from the server.
    public func next(timeout: Duration = .seconds(5), skippingTelemetry: Bool = false) async throws -> ServerMessage {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { throw ControlClientError.timedOut(waitingFor: "a server message") }
            switch await inbox.next(timeout: remaining) {
            case .message(let text):
                let message: ServerMessage
                do { message = try ServerMessage.parse(text) } catch { throw ControlClientError.unexpectedReply(text) }
                if skippingTelemetry, case .telemetry = message { continue }
                return message
            case .finished:
                let frame = closeFrame
                throw ControlClientError.closed(code: frame?.code, reason: frame?.reason)
            case .timedOut:
                throw ControlClientError.timedOut(waitingFor: "a server message")
            }
        }
    }

    /// Takes messages until the connection closes and counts those containing `marker`, without
    /// decoding any: a viewer that costs its own process little (the bench's many observers).
    public func countUntilClosed(containing marker: String) async -> Int {
        var count = 0
        while true {
            switch await inbox.next(timeout: .seconds(3600)) {
            case .message(let text): if text.contains(marker) { count += 1 }
            case .finished, .timedOut: return count
            }
        }
    }

    /// Closes the connection and waits until it is down.
    public func close() async {
        let writer = lock.withLock { outbound }
        try? await writer?.close(.normalClosure, reason: nil)
        await runTask?.value
    }

    static func json(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Messages received and not yet taken, with waiters that can time out.
final class MessageInbox: @unchecked Sendable {
    enum Item { case message(String), finished, timedOut }
    private let lock = NSLock()
    private var queue: [String] = []
    private var head = 0
    private var finished = false
    private var waiter: (id: Int, continuation: CheckedContinuation<Item, Never>)?
    private var waiterIds = 0

    var isFinished: Bool { lock.lock(); defer { lock.unlock() }; return finished && head == queue.count }

    func append(_ text: String) {
        lock.lock()
        if let waiter {
            self.waiter = nil
            lock.unlock()
            waiter.continuation.resume(returning: .message(text))
            return
        }
        queue.append(text)
        lock.unlock()
    }

    func finish() {
        lock.lock()
        finished = true
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.continuation.resume(returning: .finished)
    }

    /// One waiter at a time (a client is read by one task).
    func next(timeout: Duration) async -> Item {
        let id: Int = {
            lock.lock(); defer { lock.unlock() }
            waiterIds += 1
            return waiterIds
        }()
        let timer = TimerBox()
        let item = await withCheckedContinuation { (continuation: CheckedContinuation<Item, Never>) in
            lock.lock()
            if head < queue.count {
                let text = queue[head]
                head += 1
                if head > 1024 { queue.removeFirst(head); head = 0 }
                lock.unlock()
                continuation.resume(returning: .message(text))
            } else if finished {
                lock.unlock()
                continuation.resume(returning: .finished)
            } else {
                waiter = (id, continuation)
                // Armed only once the waiter is in place, so an early expiry cannot miss it.
                timer.task = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.expire(id)
                }
                lock.unlock()
            }
        }
        timer.task?.cancel()
        return item
    }

    private func expire(_ id: Int) {
        lock.lock()
        guard let waiter, waiter.id == id else { lock.unlock(); return }
        self.waiter = nil
        lock.unlock()
        waiter.continuation.resume(returning: .timedOut)
    }
}

private final class TimerBox: @unchecked Sendable {
    var task: Task<Void, Never>?
}
