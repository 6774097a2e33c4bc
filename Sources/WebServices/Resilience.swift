package import Foundation
import Synchronization

/// At most `limit` holders at once; the others wait in order.
package final class AsyncLimiter: Sendable {
    private struct State {
        var available: Int
        var waiting: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    package init(limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` once a place is free.
    package func run<T: Sendable, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        let acquired = state.withLock { state in
            if state.available > 0 {
                state.available -= 1
                return true
            }
            return false
        }
        if acquired { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiting.append((state.nextID, continuation))
                state.nextID += 1
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume()
    }
}

/// A token bucket: `requests` per `period`, bursts of as many. ``acquire()`` waits for a token.
package final class TokenBucket: Sendable {
    private let state: Mutex<(tokens: Double, last: ContinuousClock.Instant)>
    private let capacity: Double
    private let perSecond: Double

    package init(requests: Int, per period: Duration) {
        capacity = Double(requests)
        perSecond = Double(requests) / max(period.seconds, 0.001)
        state = Mutex((Double(requests), .now))
    }

    package func acquire() async {
        while true {
            let wait = state.withLock { state -> Double in
                let now = ContinuousClock.now
                state.tokens = min(capacity, state.tokens + (now - state.last).seconds * perSecond)
                state.last = now
                if state.tokens >= 1 {
                    state.tokens -= 1
                    return 0
                }
                return (1 - state.tokens) / perSecond
            }
            if wait == 0 { return }
            try? await Task.sleep(for: .milliseconds(max(1, Int(wait * 1000))))
            if Task.isCancelled { return }
        }
    }
}

/// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3), as a wait from now.
package enum RetryAfter {
    package static func parse(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return seconds >= 0 ? .seconds(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(max(0, Int64(date.timeIntervalSince(now) * 1000)))
    }
}
