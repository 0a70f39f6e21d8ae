// swift-tools-version:6.2
// Dependency rule (see README "Architecture"): arrows point down, no cycles.
//   exposure -> SessionRuntime -> {XR, Render, Audio, Control, Recording, LabStreaming, Environments} -> ExposureCore, SceneModel
//   Native C libraries are reached only through the C* system-library targets, except liblsl,
//   which LabStreaming loads at run time (dlopen) because a station may not have it.
import PackageDescription

let v5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "exposure",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "exposure", targets: ["exposure"]),
        // The simulated headset is an OpenXR runtime the real Khronos loader loads (XR_RUNTIME_JSON).
        .library(name: "SimulatedHeadset", type: .dynamic, targets: ["SimulatedHeadset"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
    ],
    targets: [
        // MARK: native system libraries (module map + shim header each)
        .systemLibrary(name: "CVulkan", pkgConfig: "vulkan",
                       providers: [.apt(["libvulkan-dev"])]),
        .systemLibrary(name: "COpenXR", pkgConfig: "openxr",
                       providers: [.apt(["libopenxr-dev"])]),
        .systemLibrary(name: "COpenAL", pkgConfig: "openal",
                       providers: [.apt(["libopenal-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CX11", pkgConfig: "x11", providers: [.apt(["libx11-dev"])]),

        // MARK: pure Swift core
        .target(name: "SceneModel", swiftSettings: v5),
        // Optimised in debug builds too: the exhaustive safety check runs millions of engine steps in the suite.
        .target(name: "ExposureCore", dependencies: [.product(name: "Yams", package: "Yams")],
                swiftSettings: v5 + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "Environments",
                dependencies: ["ExposureCore", "SceneModel", .product(name: "Yams", package: "Yams")],
                swiftSettings: v5),
        .target(name: "PNG", dependencies: ["CZlib"], swiftSettings: v5),

        // MARK: native subsystems
        .plugin(name: "CompileShaders", capability: .buildTool()),
        .target(name: "Render", dependencies: ["CVulkan", "SceneModel", "PNG"],
                exclude: ["Shaders"], swiftSettings: v5, plugins: ["CompileShaders"]),
        .target(name: "XR", dependencies: ["COpenXR", "CVulkan", "CX11", "Render", "SceneModel"], swiftSettings: v5),
        .target(name: "Audio", dependencies: ["COpenAL", "SceneModel"], swiftSettings: v5),
        .target(name: "Recording", dependencies: ["CSQLite", "CZlib", "ExposureCore", "SceneModel"], swiftSettings: v5),
        // Lab Streaming Layer through liblsl, loaded at run time (optional on a station).
        .target(name: "LabStreaming", swiftSettings: v5),
        .target(name: "Control", dependencies: [
            "ExposureCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
        ], resources: [.copy("Console")], swiftSettings: v5),
        .target(name: "SessionRuntime", dependencies: [
            "ExposureCore", "Environments", "SceneModel", "Render", "XR", "Audio", "Recording", "Control", "LabStreaming",
        ], swiftSettings: v5),
        .executableTarget(name: "exposure", dependencies: [
            "SessionRuntime", "ExposureCore", "Environments", "Render", "XR", "Audio", "Recording", "Control", "PNG",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: v5),

        // MARK: test fixture: an OpenXR runtime for CI (no headset here)
        // Linked with -z nodelete: the loader dlclose()s the runtime on xrDestroyInstance, and a Swift
        // library must never be unloaded (the Swift runtime keeps pointers to its type metadata).
        .target(name: "SimulatedHeadset", dependencies: ["COpenXR", "CVulkan", "PNG", "SceneModel"], swiftSettings: v5,
                linkerSettings: [.unsafeFlags(["-Xlinker", "-z", "-Xlinker", "nodelete"])]),

        // MARK: tests
        // The simulated headset as tests select it (manifest, script, validation layer, captures);
        // shared by the XR and session tests. No XCTest import outside `#if canImport(XCTest)`.
        .target(name: "HeadsetTestSupport", path: "Tests/HeadsetTestSupport", swiftSettings: v5),
        .testTarget(name: "PNGTests", dependencies: ["PNG"], swiftSettings: v5),
        .testTarget(name: "ExposureCoreTests", dependencies: [
            "ExposureCore", .product(name: "PropertyBased", package: "swift-property-based"),
        ], swiftSettings: v5),
        // Every input sequence up to a fixed length, from several states of every bundled protocol,
        // against the written safety invariants (docs/safety.md), with the environments' real curves.
        .testTarget(name: "SafetyModelTests", dependencies: ["ExposureCore", "Environments"],
                    swiftSettings: v5 + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .testTarget(name: "EnvironmentsTests", dependencies: ["Environments", "Render", "PNG"], swiftSettings: v5),
        .testTarget(name: "RenderTests", dependencies: ["Render", "SceneModel", "PNG"], swiftSettings: v5),
        .testTarget(name: "XRTests", dependencies: ["XR", "Render", "PNG", "HeadsetTestSupport"], swiftSettings: v5),
        .testTarget(name: "AudioTests", dependencies: ["Audio"], swiftSettings: v5),
        .testTarget(name: "RecordingTests", dependencies: ["Recording"], swiftSettings: v5),
        .testTarget(name: "LabStreamingTests", dependencies: ["LabStreaming"], swiftSettings: v5),
        .testTarget(name: "ControlTests", dependencies: ["Control"], swiftSettings: v5),
        .testTarget(name: "SessionRuntimeTests", dependencies: [
            "SessionRuntime", "PNG", "XR", "Control", "Recording", "ExposureCore", "Environments", "SceneModel",
            "HeadsetTestSupport",
        ], swiftSettings: v5),
        .testTarget(name: "ExposureCLITests", dependencies: ["PNG"], swiftSettings: v5),
    ]
)
