import XCTest
import ExposureCore
@testable import Environments

enum Fixtures {
    static func catalog(file: StaticString = #filePath, line: UInt = #line) throws -> EnvironmentCatalog {
        guard let dir = EnvironmentCatalog.bundledDirectory() else {
            XCTFail("Environments/ not found", file: file, line: line)
            throw EnvironmentCatalog.LookupError.notFound
        }
        return try EnvironmentCatalog.load(directory: dir)
    }

    /// A minimal valid safe room definition with a line to vary.
    static func safeRoom(parameterBody: String) -> String {
        """
        id: safe_room
        title: Safe room
        parameters:
          light_level:
        \(parameterBody)
        scene:
          seed: 1
          area_m: 10
        """
    }

    static func diagnostics(_ text: String, file: String = "test.yaml") -> [Diagnostic] {
        do {
            _ = try EnvironmentDefinition.parse(text: text, file: file)
            return []
        } catch let failure as ValidationFailure {
            return failure.diagnostics
        } catch {
            return [Diagnostic(SourceLocation(file: file, line: 0, column: 0), field: "", "unexpected \(error)")]
        }
    }
}
