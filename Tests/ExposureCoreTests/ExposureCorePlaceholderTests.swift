import XCTest

// ExposureCoreTests: placeholder until the module lands.
final class ExposureCorePlaceholderTests: XCTestCase { func testModuleLinks() {} }
