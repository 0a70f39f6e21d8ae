import XCTest

// SessionRuntimeTests: placeholder until the module lands.
final class SessionRuntimePlaceholderTests: XCTestCase { func testModuleLinks() {} }
