import XCTest

// ControlTests: placeholder until the module lands.
final class ControlPlaceholderTests: XCTestCase { func testModuleLinks() {} }
