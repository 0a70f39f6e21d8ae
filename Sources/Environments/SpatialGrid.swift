// Neighbour lookup for the crowd: a uniform grid over the area, rebuilt every step.

@inline(__always) func length(_ v: SIMD2<Float>) -> Float { (v.x * v.x + v.y * v.y).squareRoot() }

/// Uniform grid over the area, rebuilt each step with a counting sort (no per-step allocation).
/// `side` cells along x (the row stride), `rows` along z: a long platform needs only a strip.
final class SpatialGrid {
    let side: Int
    let rows: Int
    let cell: Float
    let origin: Float
    let originZ: Float
    var start: [Int32]
    var order: [Int32] = []
    private var cellOf: [Int32] = []
    private var fill: [Int32]

    convenience init(halfSize: Float, cell: Float) {
        self.init(halfX: halfSize, halfZ: halfSize, cell: cell)
    }

    init(halfX: Float, halfZ: Float, centreZ: Float = 0, cell: Float) {
        self.cell = cell
        self.origin = -halfX
        self.originZ = centreZ - halfZ
        self.side = max(1, Int((2 * halfX / cell).rounded(.up)))
        self.rows = max(1, Int((2 * halfZ / cell).rounded(.up)))
        self.start = Array(repeating: 0, count: side * rows + 1)
        self.fill = start
    }

    @inline(__always)
    func cell(_ p: SIMD2<Float>) -> (Int, Int) {
        let x = Int(((p.x - origin) / cell).rounded(.down)), z = Int(((p.y - originZ) / cell).rounded(.down))
        return (min(side - 1, max(0, x)), min(rows - 1, max(0, z)))
    }

    func rebuild(_ walkers: [Walker]) {
        let n = walkers.count
        if cellOf.count != n { cellOf = Array(repeating: 0, count: n); order = Array(repeating: 0, count: n) }
        for c in start.indices { start[c] = 0 }
        for i in 0..<n {
            let (x, z) = cell(walkers[i].position)
            let c = z * side + x
            cellOf[i] = Int32(c)
            start[c + 1] += 1
        }
        for c in 1..<start.count { start[c] += start[c - 1] }
        for c in start.indices { fill[c] = start[c] }
        for i in 0..<n {
            let c = Int(cellOf[i])
            order[Int(fill[c])] = Int32(i)
            fill[c] += 1
        }
    }
}
