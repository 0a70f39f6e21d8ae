// Time as a value. The runtime passes the OpenXR display time (in seconds since the session
// started); tests and `exposure simulate` pass a virtual clock they move by hand.

public protocol SessionClock: AnyObject {
    /// Seconds since the session's time origin.
    var now: Double { get }
}

public final class VirtualClock: SessionClock {
    public private(set) var now: Double
    public init(start: Double = 0) { now = start }
    /// Moves time forward (or, to test the engine's guard, backward) by `seconds`.
    public func advance(by seconds: Double) { now += seconds }
    public func set(_ time: Double) { now = time }
}
