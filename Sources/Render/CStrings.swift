import Foundation

/// Runs `body` with a C array of C strings (`const char* const*`) that lives for the call.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) rethrows -> R {
    let owned = strings.map { strdup($0) }
    defer { owned.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = owned.map { $0.map { UnsafePointer($0) } }
    return try pointers.withUnsafeBufferPointer { try body(strings.isEmpty ? nil : $0.baseAddress) }
}

/// A Swift string from a fixed-size C char array imported as a tuple (e.g. VkPhysicalDeviceProperties.deviceName).
func stringFromCTuple<T>(_ tuple: T) -> String {
    var copy = tuple
    return withUnsafeBytes(of: &copy) { raw in
        let bytes = raw.bindMemory(to: UInt8.self)
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
