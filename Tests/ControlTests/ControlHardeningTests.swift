import Control
import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue #14, probed as an attacker on loopback would, over real sockets: cross-site and
/// rebinding requests, a stranger's guesses, floods of failed hellos, crowds of connections.
final class ControlHardeningTests: XCTestCase {
    /// Sends one raw HTTP request and returns the status line and the body.
    func raw(_ port: Int, path: String = "/v1/ws", host: String? = nil, origin: String? = nil, upgrade: Bool = true) throws -> (status: Int, text: String) {
        let fd = try SilentSocketClient.connectLoopback(port: port)
        defer { close(fd) }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\n"
        if let origin { request += "Origin: \(origin)\r\n" }
        if upgrade { request += "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 8192)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        let text = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? -1
        return (status, text)
    }

    func testACrossSiteOrRebindingRequestIsRefusedAndOnlyCounted() async throws {
        let fixture = try await ServerFixture()
        defer { Task { await fixture.stop() } }
        let port = fixture.port
        // The console's own page may open the socket; a page elsewhere may not, nor a rebound name.
        XCTAssertEqual(try raw(port, origin: "http://127.0.0.1:\(port)").status, 101)
        XCTAssertEqual(try raw(port, origin: "http://localhost:\(port)", upgrade: true).status, 101)
        // Hummingbird answers every refused WebSocket upgrade with 400; the socket never opens.
        XCTAssertEqual(try raw(port, origin: "https://evil.example").status, 400)
        XCTAssertEqual(try raw(port, origin: "http://127.0.0.1:\(port + 1)").status, 400, "another port is another origin")
        XCTAssertEqual(try raw(port, origin: "null").status, 400)
        XCTAssertEqual(try raw(port, host: "attacker.example:\(port)").status, 400, "a DNS-rebinding name")
        // The HTTP routes (the page, the mirror) say why, with 403.
        XCTAssertEqual(try raw(port, path: "/", origin: nil, upgrade: false).status, 200)
        let page = try raw(port, path: "/", host: "attacker.example", upgrade: false)
        XCTAssertEqual(page.status, 403, page.text)
        XCTAssertTrue(page.text.contains("forbidden_origin") && page.text.contains("--allow-host"), page.text)
        let mirror = try raw(port, path: "/v1/mirror.png", origin: "https://evil.example", upgrade: false)
        XCTAssertEqual(mirror.status, 403, mirror.text)
        XCTAssertTrue(mirror.text.contains("may not use this console"), mirror.text)
        XCTAssertEqual(fixture.server.refusedTraffic["cross_origin"], 6)
        XCTAssertTrue(fixture.session.auditLog.isEmpty, "refusals are not recorded one by one")
    }

    func testAHostNamedWithAllowHostIsAnswered() async throws {
        var configuration = ControlServerConfiguration(port: 0, telemetryHz: 30)
        configuration.allowedHosts = ["station-3.clinic.example"]
        let fixture = try await ServerFixture(configuration: configuration)
        defer { Task { await fixture.stop() } }
        XCTAssertEqual(try raw(fixture.port, host: "station-3.clinic.example:\(fixture.port)",
                               origin: "http://station-3.clinic.example:\(fixture.port)").status, 101)
    }

    func testAStrangersWrongCodesDoNotLockOutTheTherapist() async throws {
        let fixture = try await ServerFixture()
        defer { Task { await fixture.stop() } }
        for _ in 0..<12 {
            let stranger = try await ControlClient.connect(url: fixture.wsURL)
            _ = try? await stranger.hello(pairingCode: "0000-0000")
            await stranger.close()
        }
        // This address is now locked out of pairing for a while, and says so...
        let locked = try await ControlClient.connect(url: fixture.wsURL)
        do {
            _ = try await locked.hello(pairingCode: fixture.server.keys.therapistPairingCode)
            XCTFail("pairing still open to an address that keeps guessing")
        } catch {
            XCTAssertTrue("\(error)".contains("try again in"), "\(error)")
        }
        await locked.close()
        // ...but the therapist's console link (the token) always works, from the same address.
        let therapist = try await fixture.therapist()
        await therapist.close()
        // And new codes from the terminal work at once.
        let fresh = fixture.server.issueNewPairingCodes()
        XCTAssertNotEqual(fresh.therapistToken, "")
        XCTAssertEqual(fresh.therapistToken, fixture.therapistToken, "tokens are unchanged")
    }

    func testThousandsOfFailedHellosAddAHandfulOfRecordRows() async throws {
        var configuration = ControlServerConfiguration(port: 0, telemetryHz: 30)
        configuration.refusalSummaryInterval = .seconds(1)
        let fixture = try await ServerFixture(configuration: configuration)
        defer { Task { await fixture.stop() } }
        // 300 connections, ten wrong tokens... each closed after its failed hello.
        for _ in 0..<300 {
            let client = try await ControlClient.connect(url: fixture.wsURL)
            _ = try? await client.hello(token: String(repeating: "0", count: 64))
            await client.close()
        }
        XCTAssertEqual(fixture.server.refusedTraffic["failed_hello"], 300)
        let counted = { fixture.session.auditLog.compactMap { $0.counts?["failed_hello"] }.reduce(0, +) }
        let all = await eventually(timeout: .seconds(4)) { counted() == 300 }
        XCTAssertTrue(all, "the summaries add up to every refusal: \(counted())")
        let rows = fixture.session.auditLog
        XCTAssertLessThanOrEqual(rows.count, 8, "one summary per source per second, not one row per hello: \(rows.count)")
        XCTAssertEqual(rows.first?.source, "127.0.0.1")
    }

    func testASlowHalfSentRequestIsClosed() async throws {
        var configuration = ControlServerConfiguration(port: 0, telemetryHz: 30)
        configuration.requestHeadTimeout = .seconds(2)
        let fixture = try await ServerFixture(configuration: configuration)
        defer { Task { await fixture.stop() } }
        let fd = try SilentSocketClient.connectLoopback(port: fixture.port)
        defer { close(fd) }
        func sendText(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }
        XCTAssertTrue(sendText("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(fixture.port)\r\n"))
        // A header byte a second, never the blank line: the server must hang up within the deadline.
        var closedAfter: Int?
        for second in 1...8 {
            try await Task.sleep(for: .seconds(1))
            var probe: UInt8 = 0
            let peeked = recv(fd, &probe, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
            if peeked == 0 || !sendText("X") { closedAfter = second; break }
        }
        let after = try XCTUnwrap(closedAfter, "a request trickling in for 8 s was still open")
        XCTAssertLessThanOrEqual(after, 4)
        // A normal request is unaffected.
        XCTAssertEqual(try raw(fixture.port, path: "/", upgrade: false).status, 200)
    }

    func testConnectionsAreCappedPerSourceAndPerRole() async throws {
        var configuration = ControlServerConfiguration(port: 0, telemetryHz: 30)
        configuration.maxConnectionsPerSource = 6
        configuration.maxObserverConnections = 3
        let fixture = try await ServerFixture(configuration: configuration)
        defer { Task { await fixture.stop() } }
        var observers: [ControlClient] = []
        for _ in 0..<3 { observers.append(try await fixture.observer()) }
        let fourth = try await ControlClient.connect(url: fixture.wsURL)
        do {
            _ = try await fourth.hello(token: fixture.observerToken)
            XCTFail("a fourth observer was let in")
        } catch {
            XCTAssertTrue("\(error)".contains("too_many_connections") || "\(error)".contains("observer connections are open"), "\(error)")
        }
        await fourth.close()
        // The therapist still gets in: observers cannot crowd them out.
        let therapist = try await fixture.therapist()
        // Two more sockets fill this address's six; the seventh is refused before the upgrade.
        let spare = [try await ControlClient.connect(url: fixture.wsURL), try await ControlClient.connect(url: fixture.wsURL)]
        _ = await eventually { fixture.server.connectionCount == 6 }
        XCTAssertEqual(try raw(fixture.port, origin: nil).status, 400, "refused before the upgrade")
        XCTAssertGreaterThanOrEqual(fixture.server.refusedTraffic["too_many_connections"] ?? 0, 2)
        for c in observers + spare + [therapist] { await c.close() }
    }
}
