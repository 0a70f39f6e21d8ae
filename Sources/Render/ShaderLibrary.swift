import Foundation

/// SPIR-V compiled from Shaders/ by the CompileShaders plugin at build time.
public enum ShaderLibrary {
    public enum Missing: Error, CustomStringConvertible {
        case shader(String)
        public var description: String {
            switch self { case .shader(let n): return "compiled shader \(n).spv is missing from the Render bundle: rebuild (glslc must be on PATH)" }
        }
    }
    public static func spirv(_ name: String) throws -> [UInt32] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "spv") else { throw Missing.shader(name) }
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
    }
}
