/// A token bucket: `ratePerSecond` messages a second on average, bursts up to `burst`.
/// One per connection; not shared across threads.
struct RateLimiter {
    let ratePerSecond: Double
    let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant

    init(ratePerSecond: Double, burst: Double, now: ContinuousClock.Instant = .now) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst
        self.tokens = burst
        self.last = now
    }

    /// True if a message may pass now (and takes a token).
    mutating func allow(now: ContinuousClock.Instant = .now) -> Bool {
        let elapsed = now - last
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(burst, tokens + seconds * ratePerSecond)
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
