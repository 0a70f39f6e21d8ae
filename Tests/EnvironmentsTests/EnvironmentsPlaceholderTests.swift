import XCTest

// EnvironmentsTests: placeholder until the module lands.
final class EnvironmentsPlaceholderTests: XCTestCase { func testModuleLinks() {} }
