import Control
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// Real sockets on loopback: a Hummingbird server and WebSocket clients.
final class ControlServerTests: XCTestCase {
    func testTherapistCommandIsAckedThenConfirmedByTelemetry() async throws {
        let fixture = try await ServerFixture()
        let therapist = try await fixture.therapist()
        let id = try await therapist.sendCommand(kind: "set_intensity", fields: ["value": 30, "reason": "steady SUDS"])
        let reply = try await therapist.reply(to: id)
        let sequence = try XCTUnwrap(ackSequence(reply), "expected an ack, got \(reply)")
        let confirming = try await therapist.telemetry { $0.lastAppliedCommandSeq >= sequence }
        XCTAssertEqual(confirming.intensity, 30)

        let applied = fixture.session.appliedCommands
        XCTAssertEqual(applied.map(\.command), [.setIntensity(value: 30, confirmed: false, reason: "steady SUDS")])
        XCTAssertEqual(applied.first?.sender.role, .therapist)
        let audit = fixture.session.auditLog
        XCTAssertEqual(audit.count, 1)
        XCTAssertEqual(audit.first?.result, .applied(sequence: sequence))
        XCTAssertEqual(audit.first?.sender?.displayName, "therapist-\(audit.first?.connectionId ?? -1)")
        XCTAssertEqual(audit.first?.messageId, id)
        await therapist.close()
        await fixture.stop()
    }

    func testCommandTakesEffectOnTheNextFrameNotBefore() async throws {
        let fixture = try await ServerFixture(runFrames: false)
        let therapist = try await fixture.therapist()
        let id = try await therapist.sendCommand(kind: "pause")
        let ack = try await therapist.reply(to: id)
        let sequence = try XCTUnwrap(ackSequence(ack))
        try await Task.sleep(for: .milliseconds(100))
        let beforeFrame = fixture.session.latestTelemetry()
        XCTAssertEqual(beforeFrame.state, .running, "queued in the mailbox, not applied off the frame loop")
        XCTAssertLessThan(beforeFrame.lastAppliedCommandSeq, sequence)
        fixture.session.runFrame()
        let confirmed = try await therapist.telemetry { $0.lastAppliedCommandSeq >= sequence }
        XCTAssertEqual(confirmed.state, .paused)
        await therapist.close()
        await fixture.stop()
    }

    func testManyObserversAllReceiveTelemetry() async throws {
        let fixture = try await ServerFixture()
        var observers: [ControlClient] = []
        for _ in 0..<8 { observers.append(try await fixture.observer()) }
        let therapist = try await fixture.therapist()
        let id = try await therapist.sendCommand(kind: "set_intensity", fields: ["value": 25])
        let reply = try await therapist.reply(to: id)
        let sequence = try XCTUnwrap(ackSequence(reply))
        for observer in observers {
            let seen = try await observer.telemetry { $0.lastAppliedCommandSeq >= sequence }
            XCTAssertEqual(seen.intensity, 25)
        }
        XCTAssertEqual(fixture.server.connectionCount, 9)
        for observer in observers { await observer.close() }
        await therapist.close()
        await fixture.stop()
    }

    func testEveryCommandReachesTheSession() async throws {
        let fixture = try await ServerFixture()
        let therapist = try await fixture.therapist()
        let commands: [(String, [String: Any])] = [
            ("set_parameter", ["name": "wind_speed_mps", "value": 6]), ("next_step", [:]), ("fire_event", ["name": "crowd_arrives"]),
            ("request_suds", [:]), ("message", ["text": "You are doing well"]), ("pause", [:]), ("resume", [:]),
            ("previous_step", [:]), ("end", ["reason": "planned end"]),
        ]
        var last: UInt64 = 0
        for (kind, fields) in commands {
            let id = try await therapist.sendCommand(kind: kind, fields: fields)
            let commandReply = try await therapist.reply(to: id)
            last = try XCTUnwrap(ackSequence(commandReply), kind)
        }
        let final = try await therapist.telemetry { $0.lastAppliedCommandSeq >= last }
        XCTAssertEqual(final.state, .ended)
        XCTAssertEqual(final.parameters["wind_speed_mps"], 6)
        XCTAssertEqual(final.patientMessage, "You are doing well")
        XCTAssertEqual(final.step.index, 0)
        XCTAssertEqual(fixture.session.firedEvents, ["crowd_arrives"])
        XCTAssertEqual(fixture.session.sudsRequests, 1)
        XCTAssertEqual(fixture.session.appliedCommands.map(\.command.kind), commands.map(\.0))
        // An ended session accepts nothing more.
        let after = try await therapist.sendCommand(kind: "resume")
        let replyAfterEnd = try await therapist.reply(to: after)
        XCTAssertEqual(errorCode(replyAfterEnd), .rejected)
        await therapist.close()
        await fixture.stop()
    }

    func testObserverWatchesButCannotCommand() async throws {
        let fixture = try await ServerFixture()
        let observer = try await fixture.observer()
        let telemetry = try await observer.telemetry { _ in true }
        XCTAssertEqual(telemetry.state, .running)
        let id = try await observer.sendCommand(kind: "pause")
        let observerReply = try await observer.reply(to: id)
        XCTAssertEqual(errorCode(observerReply), .forbidden)
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertTrue(fixture.session.appliedCommands.isEmpty)
        XCTAssertEqual(fixture.session.latestTelemetry().state, .running)
        XCTAssertEqual(fixture.session.auditLog.last?.sender?.role, .observer)
        XCTAssertEqual(fixture.session.auditLog.last?.result, .refused(code: "forbidden", message: "observers can watch but not send commands; connect with the therapist token to steer"))
        XCTAssertTrue(fixture.session.linkEvents.isEmpty, "an observer is not the therapist link")
        await observer.close()
        await fixture.stop()
    }

    func testBadTokenIsRefusedAndTheConnectionClosed() async throws {
        let fixture = try await ServerFixture()
        let client = try await ControlClient.connect(url: fixture.wsURL)
        do {
            try await client.hello(token: String(repeating: "0", count: 64))
            XCTFail("a wrong token was accepted")
        } catch let error as ControlProtocolError {
            XCTAssertEqual(error.code, .authenticationFailed)
        }
        do {
            _ = try await client.next(timeout: .seconds(5))
            XCTFail("connection stayed open after a failed hello")
        } catch let error as ControlClientError {
            guard case .closed(let code, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(code, 1008)
        }
        XCTAssertTrue(fixture.session.auditLog.isEmpty, "a failed hello is counted, not recorded on its own")
        await fixture.stop()
        // Stopping writes the summary: one row for the source, with the count.
        XCTAssertEqual(fixture.session.auditLog.map(\.kind), ["refused_traffic"])
        XCTAssertNil(fixture.session.auditLog.first?.sender)
        XCTAssertEqual(fixture.session.auditLog.first?.counts, ["failed_hello": 1])
    }

    func testCommandBeforeHelloChangesNothing() async throws {
        let fixture = try await ServerFixture()
        let client = try await ControlClient.connect(url: fixture.wsURL)
        let id = try await client.sendCommand(kind: "pause")
        let unauthenticatedReply = try await client.reply(to: id)
        XCTAssertEqual(errorCode(unauthenticatedReply), .notAuthenticated)
        XCTAssertTrue(fixture.session.appliedCommands.isEmpty)
        // No telemetry before authentication: health data goes only to authenticated clients.
        do {
            let message = try await client.next(timeout: .milliseconds(300))
            XCTFail("unauthenticated client got \(message)")
        } catch ControlClientError.timedOut {}
        await client.close()
        await fixture.stop()
    }

    func testBadMessagesGetClearErrorsAndChangeNothing() async throws {
        let fixture = try await ServerFixture()
        let therapist = try await fixture.therapist()
        let before = fixture.session.latestTelemetry()
        let bad: [(String, ControlErrorCode)] = [
            ("{this is not json", .malformedMessage),
            (#"{"type":"command","v":2,"id":"v2","command":{"kind":"pause"}}"#, .unsupportedVersion),
            (#"{"type":"command","v":1,"id":"k","command":{"kind":"self_destruct"}}"#, .unknownCommand),
            (#"{"type":"command","v":1,"id":"r","command":{"kind":"set_intensity","value":400}}"#, .invalidField),
            (#"{"type":"command","v":1,"id":"p","command":{"kind":"pause","pad":""# + String(repeating: "x", count: 20_000) + #""}}"#, .messageTooLarge),
            (#"{"type":"hello","v":1,"token":"again"}"#, .alreadyAuthenticated),
        ]
        for (text, expected) in bad {
            try await therapist.send(text: text)
            let reply = try await therapist.next(skippingTelemetry: true)
            XCTAssertEqual(errorCode(reply), expected, "for \(text.prefix(60)): \(reply)")
        }
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertTrue(fixture.session.appliedCommands.isEmpty)
        let after = fixture.session.latestTelemetry()
        XCTAssertEqual(after.state, before.state)
        XCTAssertEqual(after.intensity, before.intensity)
        // The connection is still usable.
        let id = try await therapist.sendCommand(kind: "pause")
        let stillUsableReply = try await therapist.reply(to: id)
        XCTAssertNotNil(ackSequence(stillUsableReply))
        await therapist.close()
        await fixture.stop()
    }

    func testFramesBeyondTheHardLimitCloseTheConnection() async throws {
        let fixture = try await ServerFixture()
        let therapist = try await fixture.therapist()
        try await therapist.send(text: String(repeating: "y", count: 100_000))
        do {
            while true { _ = try await therapist.next(timeout: .seconds(5)) }
        } catch let error as ControlClientError {
            guard case .closed = error else { return XCTFail("expected a close, got \(error)") }
        }
        XCTAssertTrue(fixture.session.appliedCommands.isEmpty)
        await fixture.stop()
    }

    func testRateLimitRefusesFloods() async throws {
        var configuration = ControlServerConfiguration(port: 0, telemetryHz: 10)
        configuration.commandsPerSecond = 5
        let fixture = try await ServerFixture(configuration: configuration)
        let therapist = try await fixture.therapist()
        var ids: [String] = []
        for index in 0..<15 {
            ids.append(try await therapist.sendCommand(kind: "set_parameter", fields: ["name": "wind_speed_mps", "value": index]))
        }
        var acks = 0, limited = 0
        for id in ids {
            let reply = try await therapist.reply(to: id)
            if ackSequence(reply) != nil { acks += 1 }
            if errorCode(reply) == .rateLimited { limited += 1 }
        }
        XCTAssertEqual(acks + limited, 15)
        XCTAssertGreaterThan(limited, 0)
        XCTAssertGreaterThanOrEqual(acks, 5)
        await therapist.close()
        await fixture.stop()
        let summaries = fixture.session.auditLog.filter { $0.kind == "refused_traffic" }
        XCTAssertEqual(summaries.compactMap { $0.counts?["rate_limited"] }.reduce(0, +), limited, "every limited message counted, in one summary")
        XCTAssertEqual(summaries.count, 1)
    }

    func testSafetyWinsDuringOptOut() async throws {
        let fixture = try await ServerFixture()
        let therapist = try await fixture.therapist()
        fixture.session.patientOptsOut()
        let seen = try await therapist.telemetry { $0.state == .optedOut }
        XCTAssertEqual(seen.alerts.last?.kind, .optOut)
        let raise = try await therapist.sendCommand(kind: "set_intensity", fields: ["value": 10, "confirm": true])
        let reply = try await therapist.reply(to: raise)
        guard case .error(let error) = reply else { return XCTFail("raise during opt-out was accepted: \(reply)") }
        XCTAssertEqual(error.code, .rejected)
        XCTAssertTrue(error.message.contains("safety_opt_out"), error.message)
        let resume = try await therapist.sendCommand(kind: "resume")
        let resumeReply = try await therapist.reply(to: resume)
        XCTAssertEqual(errorCode(resumeReply), .rejected)
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertEqual(fixture.session.latestTelemetry().intensity, 0)
        XCTAssertEqual(fixture.session.latestTelemetry().state, .optedOut)
        await therapist.close()
        await fixture.stop()
    }

    func testLargeChangesNeedConfirmation() async throws {
        let fixture = try await ServerFixture()
        let therapist = try await fixture.therapist()
        let unconfirmed = try await therapist.sendCommand(kind: "set_intensity", fields: ["value": 60])
        let reply = try await therapist.reply(to: unconfirmed)
        guard case .error(let error) = reply else { return XCTFail("unconfirmed jump accepted") }
        XCTAssertTrue(error.message.contains("confirmation_required"), error.message)
        let confirmed = try await therapist.sendCommand(kind: "set_intensity", fields: ["value": 60, "confirm": true])
        let confirmedReply = try await therapist.reply(to: confirmed)
        let sequence = try XCTUnwrap(ackSequence(confirmedReply))
        let telemetry = try await therapist.telemetry { $0.lastAppliedCommandSeq >= sequence }
        XCTAssertEqual(telemetry.intensity, 60)
        await therapist.close()
        await fixture.stop()
    }

    func testLinkLossPausesAndReconnectRestoresControl() async throws {
        let fixture = try await ServerFixture()
        let first = try await fixture.therapist()
        let observer = try await fixture.observer()
        let linkCameUp = await eventually { fixture.session.linkEvents == [true] }
        XCTAssertTrue(linkCameUp)
        await first.close()
        let linkWentDown = await eventually { fixture.session.linkEvents == [true, false] }
        XCTAssertTrue(linkWentDown, "\(fixture.session.linkEvents)")
        let paused = try await observer.telemetry { $0.state == .paused }
        XCTAssertEqual(paused.alerts.last?.kind, .linkLoss)
        XCTAssertFalse(paused.therapistConnected)

        let second = try await fixture.therapist()
        let linkCameBack = await eventually { fixture.session.linkEvents == [true, false, true] }
        XCTAssertTrue(linkCameBack)
        let id = try await second.sendCommand(kind: "resume")
        let resumeReply = try await second.reply(to: id)
        let sequence = try XCTUnwrap(ackSequence(resumeReply))
        let resumed = try await second.telemetry { $0.lastAppliedCommandSeq >= sequence }
        XCTAssertEqual(resumed.state, .running)
        XCTAssertTrue(resumed.therapistConnected)
        XCTAssertGreaterThan(resumed.elapsed, paused.elapsed, "the session kept running, it was not restarted")
        await second.close()
        await observer.close()
        await fixture.stop()
    }

    func testTherapistWhoStopsAnsweringPingsCountsAsLinkLoss() async throws {
        var configuration = ControlServerConfiguration(port: 0)
        configuration.pingInterval = .milliseconds(200)
        let fixture = try await ServerFixture(configuration: configuration)
        let silent = try SilentSocketClient(port: fixture.port)
        defer { silent.shutdown() }
        try silent.sendText(#"{"type":"hello","v":1,"token":"\#(fixture.therapistToken)"}"#)
        let linkCameUp = await eventually { fixture.session.linkEvents == [true] }
        XCTAssertTrue(linkCameUp, "\(fixture.session.linkEvents)")
        // The socket stays open but answers no pings: the server must give up on it.
        let linkWentDown = await eventually(timeout: .seconds(5)) { fixture.session.linkEvents == [true, false] }
        XCTAssertTrue(linkWentDown, "\(fixture.session.linkEvents)")
        XCTAssertEqual(fixture.session.latestTelemetry().state, .paused)
        await fixture.stop()
    }

    func testPairingCodeGivesTheTokenForReconnecting() async throws {
        let fixture = try await ServerFixture()
        let client = try await ControlClient.connect(url: fixture.wsURL)
        let welcome = try await client.hello(pairingCode: fixture.server.keys.therapistPairingCode)
        XCTAssertEqual(welcome.role, .therapist)
        XCTAssertEqual(welcome.token, fixture.therapistToken)
        await client.close()
        let again = try await ControlClient.connect(url: fixture.wsURL)
        do {
            try await again.hello(pairingCode: fixture.server.keys.therapistPairingCode)
            XCTFail("pairing code reused")
        } catch let error as ControlProtocolError {
            XCTAssertEqual(error.code, .authenticationFailed)
        }
        await fixture.stop()
    }

    func testHelloTimeoutClosesIdleConnections() async throws {
        var configuration = ControlServerConfiguration(port: 0)
        configuration.helloTimeout = .milliseconds(200)
        let fixture = try await ServerFixture(configuration: configuration)
        let client = try await ControlClient.connect(url: fixture.wsURL)
        let timeoutNotice = try await client.next(timeout: .seconds(3))
        XCTAssertEqual(errorCode(timeoutNotice), .notAuthenticated)
        let closed = await eventually { client.isClosed }
        XCTAssertTrue(closed)
        await fixture.stop()
    }

    func testMirrorNeedsTokenAndServesThePNG() async throws {
        let fixture = try await ServerFixture()
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
        fixture.session.setMirrorPNG(png)
        let url = try XCTUnwrap(URL(string: "http://127.0.0.1:\(fixture.port)/v1/mirror.png"))
        let (_, anonymous) = try await URLSession.shared.data(from: url)
        XCTAssertEqual((anonymous as? HTTPURLResponse)?.statusCode, 401)
        var request = URLRequest(url: url)
        request.setValue("Bearer \(fixture.observerToken)", forHTTPHeaderField: "Authorization")
        let (body, response) = try await URLSession.shared.data(for: request)
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200)
        XCTAssertEqual([UInt8](body), png)
        XCTAssertEqual((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type"), "image/png")

        let (page, pageResponse) = try await URLSession.shared.data(from: try XCTUnwrap(URL(string: "http://127.0.0.1:\(fixture.port)/")))
        XCTAssertEqual((pageResponse as? HTTPURLResponse)?.statusCode, 200)
        XCTAssertTrue(String(decoding: page, as: UTF8.self).contains("console.js"))
        await fixture.stop()
    }

    func testTLSWithSelfSignedCertificate() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("control-tls-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = ControlServerConfiguration(host: "127.0.0.1", port: 0, tls: .selfSigned(directory: directory))
        let fixture = try await ServerFixture(configuration: configuration)
        XCTAssertTrue(fixture.server.consoleURL().hasPrefix("https://127.0.0.1:"))
        let client = try await ControlClient.connect(url: "wss://127.0.0.1:\(fixture.port)/v1/ws",
                                                     trustedCertificatePEMFile: directory + "/control-cert.pem")
        let welcome = try await client.hello(token: fixture.therapistToken)
        XCTAssertEqual(welcome.role, .therapist)
        await client.close()

        // A client that pinned another certificate refuses this server.
        let otherDirectory = directory + "-other"
        defer { try? FileManager.default.removeItem(atPath: otherDirectory) }
        _ = try ControlServer(session: EmbeddedControlledSession(),
                              configuration: ControlServerConfiguration(port: 0, tls: .selfSigned(directory: otherDirectory)))
        do {
            _ = try await ControlClient.connect(url: "wss://127.0.0.1:\(fixture.port)/v1/ws",
                                               trustedCertificatePEMFile: otherDirectory + "/control-cert.pem")
            XCTFail("connected although the server's certificate is not the pinned one")
        } catch let error as ControlClientError {
            guard case .notConnected = error else { return XCTFail("\(error)") }
        }
        await fixture.stop()
    }
}
