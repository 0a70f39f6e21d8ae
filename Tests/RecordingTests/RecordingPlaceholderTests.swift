import XCTest

// RecordingTests: placeholder until the module lands.
final class RecordingPlaceholderTests: XCTestCase { func testModuleLinks() {} }
