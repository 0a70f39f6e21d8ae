// Lab Streaming Layer through liblsl itself, loaded at run time: a system liblsl where one is
// installed, else the one inside the `pylsl` wheel (scripts/install-deps --test puts it in
// .build-tools/python). Loading at run time keeps LSL optional: a station without it runs
// sessions as before and says that LSL is off.
#if canImport(Glibc)
import Glibc
#endif
import Foundation

public enum LSLError: Error, CustomStringConvertible, Equatable {
    case notFound(tried: [String])
    case missingSymbol(String, path: String)
    case failed(String)

    public var description: String {
        switch self {
        case let .notFound(tried):
            return "liblsl not found (tried \(tried.joined(separator: ", "))): install it (`pip install pylsl`, or scripts/install-deps --test) or name it with EXPOSURE_LIBLSL"
        case let .missingSymbol(name, path): return "\(path) has no \(name): not a usable liblsl"
        case let .failed(what): return "liblsl: \(what)"
        }
    }
}

/// The liblsl C functions this runtime uses, bound once.
public final class LSLLibrary: @unchecked Sendable {
    // Every member is immutable after init, so the library can be shared across threads; liblsl
    // itself is thread-safe for distinct outlets and inlets.
    public let path: String
    public let version: String

    typealias CreateInfo = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, Int32, Double, Int32, UnsafePointer<CChar>) -> OpaquePointer?
    typealias CreateOutlet = @convention(c) (OpaquePointer, Int32, Int32) -> OpaquePointer?
    typealias PushFloat = @convention(c) (OpaquePointer, UnsafePointer<Float>, Double, Int32) -> Int32
    typealias PushString = @convention(c) (OpaquePointer, UnsafePointer<UnsafePointer<CChar>?>, Double, Int32) -> Int32
    typealias Clock = @convention(c) () -> Double
    typealias Resolve = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UInt32, UnsafePointer<CChar>, UnsafePointer<CChar>, Int32, Double) -> Int32
    typealias CreateInlet = @convention(c) (OpaquePointer, Int32, Int32, Int32) -> OpaquePointer?
    typealias OpenStream = @convention(c) (OpaquePointer, Double, UnsafeMutablePointer<Int32>) -> Void
    typealias PullDouble = @convention(c) (OpaquePointer, UnsafeMutablePointer<Double>, Int32, Double, UnsafeMutablePointer<Int32>) -> Double
    typealias TimeCorrection = @convention(c) (OpaquePointer, Double, UnsafeMutablePointer<Int32>) -> Double
    typealias InfoInt = @convention(c) (OpaquePointer) -> Int32
    typealias InfoString = @convention(c) (OpaquePointer) -> UnsafePointer<CChar>?
    typealias Destroy = @convention(c) (OpaquePointer) -> Void
    typealias Desc = @convention(c) (OpaquePointer) -> OpaquePointer?
    typealias AppendChild = @convention(c) (OpaquePointer, UnsafePointer<CChar>) -> OpaquePointer?
    typealias AppendChildValue = @convention(c) (OpaquePointer, UnsafePointer<CChar>, UnsafePointer<CChar>) -> OpaquePointer?
    typealias WaitForConsumers = @convention(c) (OpaquePointer, Double) -> Int32
    typealias LibraryInfo = @convention(c) () -> UnsafePointer<CChar>?

    let createStreamInfo: CreateInfo
    let createOutlet: CreateOutlet
    let pushSampleFloat: PushFloat
    let pushSampleString: PushString
    let localClockFunction: Clock
    let resolveByProperty: Resolve
    let createInlet: CreateInlet
    let openStream: OpenStream
    let pullSampleDouble: PullDouble
    let timeCorrection: TimeCorrection
    let channelCount: InfoInt
    let streamName: InfoString
    let sourceID: InfoString
    let destroyStreamInfo: Destroy
    let destroyOutlet: Destroy
    let destroyInlet: Destroy
    let description: Desc
    let appendChild: AppendChild
    let appendChildValue: AppendChildValue
    let waitForConsumers: WaitForConsumers

    /// Seconds on LSL's clock (the host's monotonic clock), the clock every LSL timestamp is on.
    public func localClock() -> Double { localClockFunction() }

    private init(path: String, handle: UnsafeMutableRawPointer) throws {
        func bind<T>(_ name: String, as: T.Type) throws -> T {
            guard let symbol = dlsym(handle, name) else { throw LSLError.missingSymbol(name, path: path) }
            return unsafeBitCast(symbol, to: T.self)
        }
        self.path = path
        createStreamInfo = try bind("lsl_create_streaminfo", as: CreateInfo.self)
        createOutlet = try bind("lsl_create_outlet", as: CreateOutlet.self)
        pushSampleFloat = try bind("lsl_push_sample_ftp", as: PushFloat.self)
        pushSampleString = try bind("lsl_push_sample_strtp", as: PushString.self)
        localClockFunction = try bind("lsl_local_clock", as: Clock.self)
        resolveByProperty = try bind("lsl_resolve_byprop", as: Resolve.self)
        createInlet = try bind("lsl_create_inlet", as: CreateInlet.self)
        openStream = try bind("lsl_open_stream", as: OpenStream.self)
        pullSampleDouble = try bind("lsl_pull_sample_d", as: PullDouble.self)
        timeCorrection = try bind("lsl_time_correction", as: TimeCorrection.self)
        channelCount = try bind("lsl_get_channel_count", as: InfoInt.self)
        streamName = try bind("lsl_get_name", as: InfoString.self)
        sourceID = try bind("lsl_get_source_id", as: InfoString.self)
        destroyStreamInfo = try bind("lsl_destroy_streaminfo", as: Destroy.self)
        destroyOutlet = try bind("lsl_destroy_outlet", as: Destroy.self)
        destroyInlet = try bind("lsl_destroy_inlet", as: Destroy.self)
        description = try bind("lsl_get_desc", as: Desc.self)
        appendChild = try bind("lsl_append_child", as: AppendChild.self)
        appendChildValue = try bind("lsl_append_child_value", as: AppendChildValue.self)
        waitForConsumers = try bind("lsl_wait_for_consumers", as: WaitForConsumers.self)
        let info = try bind("lsl_library_info", as: LibraryInfo.self)
        version = info().map { String(cString: $0) } ?? "unknown"
    }

    /// The first liblsl that loads from `candidates` (default: `candidates()`).
    public static func load(candidates: [String] = candidates()) throws -> LSLLibrary {
        var tried: [String] = []
        for path in candidates {
            tried.append(path)
            // RTLD_LOCAL: liblsl's symbols stay out of the process's global namespace.
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { continue }
            return try LSLLibrary(path: path, handle: handle)
        }
        throw LSLError.notFound(tried: tried)
    }

    /// Where liblsl is looked for: `EXPOSURE_LIBLSL`, the system's, then the pylsl wheel in the
    /// project's tool environment (found from the working directory and the executable upwards),
    /// then `PYLSL_LIB` (pylsl's own variable).
    public static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var list: [String] = []
        if let p = environment["EXPOSURE_LIBLSL"], !p.isEmpty { list.append(p) }
        list += ["liblsl.so.2", "liblsl.so"]
        var roots = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() { roots.append(exe.deletingLastPathComponent()) }
        for root in roots {
            var dir = root
            for _ in 0..<6 {
                let lib = dir.appendingPathComponent(".build-tools/python/lib")
                if let versions = try? FileManager.default.contentsOfDirectory(atPath: lib.path) {
                    for v in versions.sorted() where v.hasPrefix("python") {
                        list.append(lib.appendingPathComponent("\(v)/site-packages/pylsl/lib/liblsl.so").path)
                    }
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        if let p = environment["PYLSL_LIB"], !p.isEmpty { list.append(p) }
        var seen = Set<String>()
        return list.filter { seen.insert($0).inserted }
    }
}
