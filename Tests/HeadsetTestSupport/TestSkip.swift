// Turns "a product is not built" into a skipped test. XCTest is imported only where it can be:
// on Linux the toolchain ships it to every target, so `swift build` compiles this target too;
// elsewhere (a plain macOS build) the support error is thrown as it is and the test fails with it.
#if canImport(XCTest)
import XCTest
#endif

extension HeadsetTestSupportError {
    /// The error to throw from a test: XCTSkip for a missing product where XCTest is available.
    func skippingTest() -> Error {
        #if canImport(XCTest)
        if case .notBuilt = self { return XCTSkip(description) }
        #endif
        return self
    }
}
