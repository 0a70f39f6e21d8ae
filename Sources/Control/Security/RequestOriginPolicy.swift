import Foundation

/// Which `Host` and `Origin` headers the server answers. A page on another site the therapist
/// visits can make the browser open a WebSocket to loopback, and a DNS-rebinding name can point
/// at it; neither gets past this check. Clients that are not browsers send no `Origin` and are
/// judged by `Host` alone (their credentials are checked later, as always).
public struct RequestOriginPolicy: Sendable, Equatable {
    /// Host names and addresses (lower case, IPv6 without brackets) the console is reached at.
    public let hosts: Set<String>

    public init(hosts: Set<String>) { self.hosts = Set(hosts.map { $0.lowercased() }) }

    /// The console's own names: the listen address; for loopback also `localhost` and both
    /// loopback addresses; for a wildcard every interface address and this machine's name;
    /// plus any the operator names (`--allow-host`, e.g. a name on the clinic's DNS).
    public static func forListening(on host: String, interfaces: [String], extra: [String]) -> RequestOriginPolicy {
        var names: Set<String> = [strip(host)]
        if ListenPolicy.isLoopback(host) || ConsoleAddresses.isWildcard(host) {
            names.formUnion(["localhost", "127.0.0.1", "::1"])
        }
        if ConsoleAddresses.isWildcard(host) {
            names.formUnion(interfaces.map(strip))
            let machine = ProcessInfo.processInfo.hostName
            if !machine.isEmpty { names.insert(machine) }
        }
        names.formUnion(extra.map(strip))
        return RequestOriginPolicy(hosts: names)
    }

    /// Why a request with these headers is refused, or nil when it may go on. `port` is the
    /// port the server listens on: a page served from another port of the same host is another
    /// origin (another program on this machine) and is refused too.
    public func refusal(host: String?, origin: String?, port: Int?) -> String? {
        guard let host, let name = Self.hostName(ofHostHeader: host) else {
            return "the request names no Host; open the console at the address the runtime printed"
        }
        guard hosts.contains(name) else {
            return "host `\(name.prefix(80))` is not one this console answers to; open it at the address the runtime printed "
                + "(or start the session with --allow-host \(name.prefix(80)))"
        }
        guard let origin else { return nil }
        guard let url = URL(string: origin), let scheme = url.scheme?.lowercased(), ["http", "https", "ws", "wss"].contains(scheme),
              let originHost = url.host.map(Self.strip) else {
            return "origin `\(origin.prefix(80))` is not a web page this console serves"
        }
        guard hosts.contains(originHost) else {
            return "a page from `\(origin.prefix(80))` may not use this console; open the console at the address the runtime printed"
        }
        // A ws:// origin is a WebSocket client program naming its target (browsers send the
        // page's http(s) origin); for a page, another port is another origin.
        if let port, scheme == "http" || scheme == "https", (url.port ?? (scheme == "https" ? 443 : 80)) != port {
            return "a page from `\(origin.prefix(80))` (another port) may not use this console"
        }
        return nil
    }

    /// `[::1]:8770` -> `::1`, `Example.org:80` -> `example.org`.
    static func hostName(ofHostHeader header: String) -> String? {
        let h = header.trimmingCharacters(in: .whitespaces)
        guard !h.isEmpty else { return nil }
        if h.hasPrefix("[") {
            guard let end = h.firstIndex(of: "]") else { return nil }
            return String(h[h.index(after: h.startIndex)..<end]).lowercased()
        }
        if h.filter({ $0 == ":" }).count == 1, let colon = h.firstIndex(of: ":") { return String(h[..<colon]).lowercased() }
        return h.lowercased()
    }

    static func strip(_ host: String) -> String {
        var h = host.lowercased()
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if let percent = h.firstIndex(of: "%") { h = String(h[..<percent]) }  // fe80::1%eth0
        return h
    }
}
