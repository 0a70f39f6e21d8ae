import Control
import Foundation
import XCTest

/// A started server on a free loopback port with an embedded session running its frame loop.
final class ServerFixture {
    let session: EmbeddedControlledSession
    let server: ControlServer
    let port: Int

    init(configuration: ControlServerConfiguration = ControlServerConfiguration(port: 0, telemetryHz: 30),
         session: EmbeddedControlledSession = EmbeddedControlledSession(), runFrames: Bool = true) async throws {
        self.session = session
        self.server = try ControlServer(session: session, configuration: configuration)
        if runFrames { session.startFrameLoop(hz: 90) }
        self.port = try await server.start()
    }

    var wsURL: String { "ws://127.0.0.1:\(port)/v1/ws" }
    var therapistToken: String { server.keys.therapistToken }
    var observerToken: String { server.keys.observerToken }

    func therapist() async throws -> ControlClient {
        let client = try await ControlClient.connect(url: wsURL)
        try await client.hello(token: therapistToken)
        return client
    }

    func observer() async throws -> ControlClient {
        let client = try await ControlClient.connect(url: wsURL)
        try await client.hello(token: observerToken)
        return client
    }

    func stop() async {
        session.stopFrameLoop()
        await server.stop()
    }
}

/// Polls `condition` until true or `timeout`; for effects that arrive asynchronously.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

func errorCode(_ message: ServerMessage) -> ControlErrorCode? {
    if case .error(let error) = message { return error.code }
    return nil
}

func ackSequence(_ message: ServerMessage) -> UInt64? {
    if case .applied(_, let sequence, _) = message { return sequence }
    return nil
}
