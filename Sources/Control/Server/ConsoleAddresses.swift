/// One address of one network interface on this machine (from `NetworkInterfaces.current()`).
public struct InterfaceAddress: Sendable, Equatable {
    public enum Family: Sendable, Equatable { case ipv4, ipv6 }
    /// The interface name, e.g. `eth0`, `wlan0`, `lo`.
    public var interface: String
    /// Numeric address without brackets or zone, e.g. `192.168.1.20`, `fe80::1`.
    public var address: String
    public var family: Family
    public var isLoopback: Bool

    public init(interface: String, address: String, family: Family, isLoopback: Bool) {
        self.interface = interface
        self.address = address
        self.family = family
        self.isLoopback = isLoopback
    }

    /// fe80::/10 and 169.254.0.0/16: reachable only on the same network segment, and browsers
    /// cannot open IPv6 ones with a zone, so they are printed only when nothing else exists.
    public var isLinkLocal: Bool {
        switch family {
        case .ipv4: return address.hasPrefix("169.254.")
        case .ipv6:
            let first = address.lowercased().split(separator: ":", omittingEmptySubsequences: false).first ?? ""
            guard let word = UInt16(first, radix: 16) else { return false }
            return word & 0xffc0 == 0xfe80
        }
    }
}

/// A URL the console can be opened at, and where it is reachable from.
public struct ConsoleAddress: Sendable, Equatable {
    /// `scheme://host:port/` (the server appends the token fragment).
    public var url: String
    /// The interface the address belongs to; nil when the server is bound to one address.
    public var interface: String?
    /// True when only this machine can open it.
    public var isLoopback: Bool

    public init(url: String, interface: String?, isLoopback: Bool) {
        self.url = url
        self.interface = interface
        self.isLoopback = isLoopback
    }
}

/// Which URLs to print for a listen address. A wildcard address (0.0.0.0, ::) is not an
/// address a browser can open, so it becomes one URL per usable interface address.
public enum ConsoleAddresses {
    public static func isWildcard(_ host: String) -> Bool {
        ["0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "[0:0:0:0:0:0:0:0]"].contains(host)
    }

    /// Bound to one address: exactly that one. Bound to a wildcard: IPv4 addresses first, then
    /// IPv6, then link-local ones only if there is nothing else, and one loopback URL last (for a
    /// console on the same machine). `ipv6WildcardAcceptsIPv4` is Linux's default
    /// (net.ipv6.bindv6only = 0): a socket bound to :: also accepts IPv4.
    public static func list(bindHost: String, port: Int, scheme: String, interfaces: [InterfaceAddress],
                            ipv6WildcardAcceptsIPv4: Bool = true) -> [ConsoleAddress] {
        guard isWildcard(bindHost) else {
            return [ConsoleAddress(url: url(scheme: scheme, host: bindHost, port: port), interface: nil,
                                   isLoopback: ListenPolicy.isLoopback(bindHost))]
        }
        let families: [InterfaceAddress.Family] = bindHost.contains(":")
            ? (ipv6WildcardAcceptsIPv4 ? [.ipv4, .ipv6] : [.ipv6]) : [.ipv4]
        var seen = Set<String>()
        var usable: [InterfaceAddress] = []
        for family in families {
            for candidate in interfaces where candidate.family == family && seen.insert(candidate.address.lowercased()).inserted {
                usable.append(candidate)
            }
        }
        let remote = usable.filter { !$0.isLoopback && !$0.isLinkLocal }
        let chosen = remote.isEmpty ? usable.filter { !$0.isLoopback && $0.isLinkLocal } : remote
        var result = chosen.map { address -> ConsoleAddress in
            let host = address.family == .ipv6 && address.isLinkLocal ? "\(address.address)%25\(address.interface)" : address.address
            return ConsoleAddress(url: url(scheme: scheme, host: host, port: port), interface: address.interface, isLoopback: false)
        }
        // The wildcard includes loopback even when the interface list (or the lo interface) is missing.
        let loopback = usable.first { $0.isLoopback }
            ?? InterfaceAddress(interface: "lo", address: families.contains(.ipv4) ? "127.0.0.1" : "::1",
                                family: families.contains(.ipv4) ? .ipv4 : .ipv6, isLoopback: true)
        result.append(ConsoleAddress(url: url(scheme: scheme, host: loopback.address, port: port),
                                     interface: loopback.interface, isLoopback: true))
        return result
    }

    static func url(scheme: String, host: String, port: Int) -> String {
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed):\(port)/"
    }
}
