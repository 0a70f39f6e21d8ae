import XCTest

// AudioTests: placeholder until the module lands.
final class AudioPlaceholderTests: XCTestCase { func testModuleLinks() {} }
