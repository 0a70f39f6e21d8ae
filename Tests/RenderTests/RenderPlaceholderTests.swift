import XCTest

// RenderTests: placeholder until the module lands.
final class RenderPlaceholderTests: XCTestCase { func testModuleLinks() {} }
