import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// This machine's interface addresses, from getifaddrs.
public enum NetworkInterfaces {
    /// Addresses of interfaces that are up and running, in the kernel's order. Empty if
    /// getifaddrs fails (the caller still prints the loopback URL).
    public static func current() -> [InterfaceAddress] {
        var first: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&first) == 0, let head = first else { return [] }
        defer { freeifaddrs(head) }
        var result: [InterfaceAddress] = []
        var entry: UnsafeMutablePointer<ifaddrs>? = head
        while let current = entry {
            defer { entry = current.pointee.ifa_next }
            let flags = Int32(bitPattern: current.pointee.ifa_flags)
            guard flags & Int32(IFF_UP) != 0, flags & Int32(IFF_RUNNING) != 0,
                  let socketAddress = current.pointee.ifa_addr, let namePointer = current.pointee.ifa_name,
                  let (address, family) = numeric(socketAddress) else { continue }
            result.append(InterfaceAddress(interface: String(cString: namePointer), address: address, family: family,
                                           isLoopback: flags & Int32(IFF_LOOPBACK) != 0))
        }
        return result
    }

    /// Linux's net.ipv6.bindv6only: 0 (the default) means a socket bound to :: accepts IPv4 too.
    public static func ipv6WildcardAcceptsIPv4() -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv6/bindv6only", encoding: .utf8) else { return true }
        return text.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
    }

    private static func numeric(_ socketAddress: UnsafeMutablePointer<sockaddr>) -> (String, InterfaceAddress.Family)? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            return socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                var raw = ipv4.pointee.sin_addr
                guard inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
                return (String(cString: buffer), .ipv4)
            }
        case AF_INET6:
            return socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                var raw = ipv6.pointee.sin6_addr
                guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return nil }
                return (String(cString: buffer), .ipv6)
            }
        default:
            return nil
        }
    }
}
