import XCTest
import ExposureCore
@testable import Environments

/// Every bundled protocol passes `exposure validate` against the real environment catalog with no
/// error and no warning: its hierarchy gives the level a meaning (issue #13).
final class BundledProtocolTests: XCTestCase {
    func testEveryBundledProtocolIsCleanAgainstTheRealCatalog() throws {
        let catalog = try Fixtures.catalog()
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Protocols")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertEqual(files.count, 5)
        for file in files {
            let d = ProtocolParser.check(path: dir.appendingPathComponent(file).path, vocabulary: catalog.vocabulary)
            XCTAssertEqual(d, [], "\(file): \(d.map(\.description).joined(separator: "\n"))")
        }
    }
}
