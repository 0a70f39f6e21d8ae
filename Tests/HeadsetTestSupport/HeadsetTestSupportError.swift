// What the headset test support cannot provide. A product that is not built means the test
// cannot run here, not that it failed: `skippingTest()` turns that case into XCTest's skip.
import Foundation

public enum HeadsetTestSupportError: Error, CustomStringConvertible {
    /// A product the tests run is missing from the build folders searched.
    case notBuilt(product: String, lookedIn: [String])
    /// A captured depth file is not a little-endian greyscale PFM of the size its header names.
    case malformedFloatMap(path: String)

    public var description: String {
        switch self {
        case .notBuilt(let product, let lookedIn):
            return "\(product) is not built (looked in \(lookedIn.joined(separator: ", "))): run `swift build --build-tests`"
        case .malformedFloatMap(let path):
            return "not a little-endian greyscale PFM of the size its header names: \(path)"
        }
    }
}
