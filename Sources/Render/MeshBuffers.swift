import CVulkan
import SceneModel

/// All unit meshes in one vertex and one index buffer, uploaded once per renderer.
final class MeshBuffers {
    struct Range { var firstIndex: UInt32; var indexCount: UInt32; var vertexOffset: Int32 }
    let vertices: GPUBuffer
    let indices: GPUBuffer
    let ranges: [MeshShape: Range]

    init(context: VulkanContext) throws {
        var floats: [Float] = [], indexData: [UInt32] = []
        var ranges: [MeshShape: Range] = [:]
        for shape in MeshShape.allCases {
            let g = UnitMeshes.geometry(shape)
            ranges[shape] = Range(firstIndex: UInt32(indexData.count), indexCount: UInt32(g.indices.count),
                                  vertexOffset: Int32(floats.count / 6))
            floats += g.interleaved
            indexData += g.indices
        }
        // Host-visible: small, written once; lavapipe has only host memory anyway.
        vertices = try GPUBuffer(context: context, size: floats.count * 4,
                                 usage: VK_BUFFER_USAGE_VERTEX_BUFFER_BIT.rawValue, hostVisible: true)
        indices = try GPUBuffer(context: context, size: indexData.count * 4,
                                usage: VK_BUFFER_USAGE_INDEX_BUFFER_BIT.rawValue, hostVisible: true)
        vertices.write(floats)
        indices.write(indexData)
        self.ranges = ranges
    }
}
