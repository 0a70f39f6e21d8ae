// Where `swift build --build-tests` put the products the headset tests run: the simulated
// headset's library and the `exposure` binary. Test bundles live beside them (or a few folders
// below, on platforms that bundle tests), so the search walks up from the running test process.
import Foundation

public enum BuiltProducts {
    /// The package folder (this file is Tests/HeadsetTestSupport/BuiltProducts.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Candidate folders of the built products: next to the test bundle, else .build/debug.
    public static func directories() -> [URL] {
        var dirs: [URL] = []
        if let first = CommandLine.arguments.first {
            var dir = URL(fileURLWithPath: first).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 { dirs.append(dir); dir.deleteLastPathComponent() }
        }
        dirs.append(Bundle.main.bundleURL)
        if let exe = Bundle.main.executableURL { dirs.append(exe.deletingLastPathComponent()) }
        dirs.append(packageRoot.appendingPathComponent(".build/debug"))
        var seen = Set<String>()
        return dirs.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// The OpenXR runtime library the simulated headset is built as; XCTSkip when it is not built.
    public static func simulatedHeadsetLibrary() throws -> String {
        let candidates = directories().map { $0.appendingPathComponent("libSimulatedHeadset.so").path }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw HeadsetTestSupportError.notBuilt(product: "libSimulatedHeadset.so", lookedIn: candidates).skippingTest()
        }
        return found
    }

    /// The `exposure` binary; the EXPOSURE_BINARY variable, when set, is tried first. XCTSkip when
    /// it is not built.
    public static func exposureBinary() throws -> URL {
        var candidates = directories().map { $0.appendingPathComponent("exposure") }
        if let explicit = ProcessInfo.processInfo.environment["EXPOSURE_BINARY"], !explicit.isEmpty {
            candidates.insert(URL(fileURLWithPath: explicit), at: 0)
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw HeadsetTestSupportError.notBuilt(product: "the exposure binary", lookedIn: candidates.map(\.path)).skippingTest()
        }
        return found
    }
}
