import XCTest

// XRTests: placeholder until the module lands.
final class XRPlaceholderTests: XCTestCase { func testModuleLinks() {} }
