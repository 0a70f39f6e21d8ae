// A small seeded generator (SplitMix64): the same seed gives the same world on every machine run,
// and nothing here touches a global generator.

public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Float { Float(next() >> 40) / Float(1 << 24) }
    public mutating func float(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * unit() }
    public mutating func int(_ upperExclusive: Int) -> Int { upperExclusive <= 1 ? 0 : Int(next() % UInt64(upperExclusive)) }
    public mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }

    /// A generator for a named part of the world, so adding one part does not reshuffle the others.
    public static func derived(_ seed: UInt64, _ salt: UInt64) -> SeededRandom {
        var g = SeededRandom(seed: seed ^ (salt &* 0xD6E8_FEB8_6659_FD93))
        _ = g.next()
        return g
    }
}
