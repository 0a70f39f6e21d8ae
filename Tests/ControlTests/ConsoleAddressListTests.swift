// Which console URLs are printed for a listen address: pure, with made-up interface lists, and
// live, with this machine's interfaces and a server bound to the wildcard.
import Control
import Foundation
import XCTest

final class ConsoleAddressListTests: XCTestCase {
    static let machine: [InterfaceAddress] = [
        InterfaceAddress(interface: "lo", address: "127.0.0.1", family: .ipv4, isLoopback: true),
        InterfaceAddress(interface: "lo", address: "::1", family: .ipv6, isLoopback: true),
        InterfaceAddress(interface: "eth0", address: "fe80::fc:ff:fe00:1", family: .ipv6, isLoopback: false),
        InterfaceAddress(interface: "eth0", address: "2001:db8::5", family: .ipv6, isLoopback: false),
        InterfaceAddress(interface: "eth0", address: "192.168.1.20", family: .ipv4, isLoopback: false),
        InterfaceAddress(interface: "wlan0", address: "10.0.0.7", family: .ipv4, isLoopback: false),
    ]

    func urls(_ host: String, _ interfaces: [InterfaceAddress] = machine, dualStack: Bool = true) -> [String] {
        ConsoleAddresses.list(bindHost: host, port: 8770, scheme: "https", interfaces: interfaces,
                              ipv6WildcardAcceptsIPv4: dualStack).map(\.url)
    }

    func testASpecificAddressGivesExactlyThatOne() {
        XCTAssertEqual(urls("192.168.1.20"), ["https://192.168.1.20:8770/"])
        XCTAssertEqual(urls("10.9.9.9"), ["https://10.9.9.9:8770/"], "an address not in the list is still the one bound")
        XCTAssertEqual(urls("2001:db8::5"), ["https://[2001:db8::5]:8770/"])
        XCTAssertEqual(urls("localhost"), ["https://localhost:8770/"])
        let loopback = ConsoleAddresses.list(bindHost: "127.0.0.1", port: 9, scheme: "http", interfaces: Self.machine)
        XCTAssertEqual(loopback, [ConsoleAddress(url: "http://127.0.0.1:9/", interface: nil, isLoopback: true)])
    }

    func testIPv4WildcardListsEveryIPv4AddressThenLoopbackLast() {
        XCTAssertEqual(urls("0.0.0.0"), ["https://192.168.1.20:8770/", "https://10.0.0.7:8770/", "https://127.0.0.1:8770/"])
        let listed = ConsoleAddresses.list(bindHost: "0.0.0.0", port: 8770, scheme: "https", interfaces: Self.machine)
        XCTAssertEqual(listed.map(\.interface), ["eth0", "wlan0", "lo"])
        XCTAssertEqual(listed.map(\.isLoopback), [false, false, true])
    }

    func testIPv6WildcardListsIPv4FirstThenGlobalIPv6AndSkipsLinkLocal() {
        let expected = ["https://192.168.1.20:8770/", "https://10.0.0.7:8770/", "https://[2001:db8::5]:8770/", "https://127.0.0.1:8770/"]
        XCTAssertEqual(urls("::"), expected)
        XCTAssertEqual(urls("[::]"), expected)
        // With net.ipv6.bindv6only = 1 a socket on :: takes no IPv4 connections.
        XCTAssertEqual(urls("::", dualStack: false), ["https://[2001:db8::5]:8770/", "https://[::1]:8770/"])
    }

    func testLinkLocalOnlyWhenNothingElse() {
        let cableOnly = Self.machine.filter { $0.isLoopback || $0.isLinkLocal }
        XCTAssertEqual(urls("::", cableOnly), ["https://[fe80::fc:ff:fe00:1%25eth0]:8770/", "https://127.0.0.1:8770/"])
        XCTAssertEqual(urls("0.0.0.0", cableOnly), ["https://127.0.0.1:8770/"], "an IPv4 wildcard cannot take IPv6 link-local")
        let apipa = cableOnly + [InterfaceAddress(interface: "eth1", address: "169.254.3.4", family: .ipv4, isLoopback: false)]
        XCTAssertEqual(urls("0.0.0.0", apipa), ["https://169.254.3.4:8770/", "https://127.0.0.1:8770/"])
        XCTAssertEqual(urls("0.0.0.0", apipa + Self.machine).first, "https://192.168.1.20:8770/")
    }

    func testLoopbackIsPrintedEvenWithoutAnInterfaceListAndDuplicatesOnce() {
        XCTAssertEqual(urls("0.0.0.0", []), ["https://127.0.0.1:8770/"])
        XCTAssertEqual(urls("::", [], dualStack: false), ["https://[::1]:8770/"])
        let twice = [Self.machine[4], InterfaceAddress(interface: "br0", address: "192.168.1.20", family: .ipv4, isLoopback: false)]
        XCTAssertEqual(urls("0.0.0.0", twice), ["https://192.168.1.20:8770/", "https://127.0.0.1:8770/"])
    }

    func testLinkLocalRecognition() {
        func address(_ a: String, _ f: InterfaceAddress.Family) -> InterfaceAddress {
            InterfaceAddress(interface: "x", address: a, family: f, isLoopback: false)
        }
        XCTAssertTrue(address("fe80::1", .ipv6).isLinkLocal)
        XCTAssertTrue(address("FEBF::1", .ipv6).isLinkLocal)
        XCTAssertFalse(address("fec0::1", .ipv6).isLinkLocal)
        XCTAssertFalse(address("fd00::2", .ipv6).isLinkLocal)
        XCTAssertFalse(address("::1", .ipv6).isLinkLocal)
        XCTAssertTrue(address("169.254.0.1", .ipv4).isLinkLocal)
        XCTAssertFalse(address("192.168.1.1", .ipv4).isLinkLocal)
    }

    func testThisMachineListsItsLoopbackInterface() {
        let interfaces = NetworkInterfaces.current()
        XCTAssertTrue(interfaces.contains { $0.isLoopback && $0.address == "127.0.0.1" && $0.family == .ipv4 }, "\(interfaces)")
        XCTAssertFalse(interfaces.contains { $0.address.contains("%") }, "addresses carry no zone")
    }

    /// Every URL printed for a server bound to a wildcard accepts a TLS connection that presents
    /// the fingerprinted certificate, and (IPv4 and loopback) opens a WebSocket that authenticates:
    /// at least loopback, and every other address this machine has.
    func testEveryURLForAWildcardListenAddressAcceptsTheConsole() async throws {
        for wildcard in ["0.0.0.0", "::"] {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wildcard-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let fixture = try await ServerFixture(configuration: ControlServerConfiguration(
                host: wildcard, port: 0, tls: .selfSigned(directory: directory)), runFrames: false)
            let addresses = fixture.server.consoleURLs(role: .therapist)
            XCTAssertEqual(addresses.last?.isLoopback, true, "\(wildcard): loopback last")
            XCTAssertFalse(addresses.contains { $0.url.contains("0.0.0.0") || $0.url.contains("[::]") }, "\(addresses)")
            let expectedCount = ConsoleAddresses.list(bindHost: wildcard, port: fixture.port, scheme: "https",
                                                      interfaces: NetworkInterfaces.current(),
                                                      ipv6WildcardAcceptsIPv4: NetworkInterfaces.ipv6WildcardAcceptsIPv4()).count
            XCTAssertEqual(addresses.count, expectedCount)
            for address in addresses {
                let parts = address.url.components(separatedBy: "/#token=")
                XCTAssertEqual(parts.count, 2, address.url)
                XCTAssertTrue(parts[0].hasPrefix("https://") && parts[0].hasSuffix(":\(fixture.port)"), address.url)
                XCTAssertEqual(parts.last, fixture.therapistToken)
                let host = String(parts[0].dropFirst("https://".count).dropLast(":\(fixture.port)".count))
                let der = try await PeerCertificate.leafDER(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")),
                                                            port: fixture.port)
                XCTAssertEqual(try PeerCertificate.opensslFingerprint(der: der), fixture.server.certificateFingerprint, address.url)
                // swift-websocket's URL parser takes no IPv6 literals; browsers do.
                guard !host.hasPrefix("[") else { continue }
                let ws = parts[0].replacingOccurrences(of: "https://", with: "wss://") + "/v1/ws"
                let client = try await ControlClient.connect(url: ws, trustedCertificatePEMFile: directory + "/control-cert.pem")
                let welcome = try await client.hello(token: parts[1])
                XCTAssertEqual(welcome.role, .therapist, ws)
                await client.close()
            }
            await fixture.stop()
        }
    }
}
