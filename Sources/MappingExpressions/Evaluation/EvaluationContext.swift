import Foundation
import Synchronization

/// Everything an evaluation reads besides the expression: the source object's attributes and
/// the sources of time, GUIDs, randomness and target uniqueness, each injectable so that
/// `Now()`, `Guid()`, `RandomString()` and `SelectUniqueValue` can be tested.
public struct EvaluationContext: Sendable {
    /// The source object: attribute name → value. A missing name is NULL.
    public var attributes: [String: Value]
    /// The current time, in UTC, for `Now()`.
    public var clock: @Sendable () -> DateTime
    /// Successive values of `Guid()`.
    public var guids: GUIDSource
    /// Randomness for `RandomString()`.
    public var random: RandomSource
    /// Whether a value already exists in the target (for `SelectUniqueValue`).
    public var isTaken: @Sendable (String) -> Bool

    public init(
        attributes: [String: Value] = [:],
        clock: @escaping @Sendable () -> DateTime = { DateTime.now },
        guids: GUIDSource = .system,
        random: RandomSource = .system,
        isTaken: @escaping @Sendable (String) -> Bool = { _ in false }
    ) {
        self.attributes = attributes
        self.clock = clock
        self.guids = guids
        self.random = random
        self.isTaken = isTaken
    }

    /// A context whose clock always returns `now`.
    public func withFixedClock(_ now: DateTime) -> EvaluationContext {
        var copy = self
        copy.clock = { now }
        return copy
    }

    /// A context that treats every value in `values` as already present in the target.
    public func withExistingValues(_ values: [String]) -> EvaluationContext {
        var copy = self
        let set = Set(values)
        copy.isTaken = { set.contains($0) }
        return copy
    }
}

extension DateTime {
    /// The system's current time.
    public static var now: DateTime { DateTime(unixSeconds: Date().timeIntervalSince1970) }
}

/// Where `Guid()` gets its values.
public struct GUIDSource: Sendable {
    private let next: @Sendable () -> String

    /// GUIDs from `next`.
    public init(_ next: @escaping @Sendable () -> String) { self.next = next }

    /// The next GUID.
    public func generate() -> String { next() }

    /// Random version-4 GUIDs, lower case.
    public static let system = GUIDSource { UUID().uuidString.lowercased() }

    /// The given values in order; after the last, random GUIDs.
    public static func sequence(_ values: [String]) -> GUIDSource {
        let index = Mutex(0)
        return GUIDSource {
            let position = index.withLock { value in
                defer { value += 1 }
                return value
            }
            return position < values.count ? values[position] : UUID().uuidString.lowercased()
        }
    }
}

/// Where `RandomString()` gets its randomness.
public struct RandomSource: Sendable {
    private let next: @Sendable () -> UInt64

    /// Random numbers from `next`.
    public init(_ next: @escaping @Sendable () -> UInt64) { self.next = next }

    /// A uniformly distributed integer in `0..<upperBound`.
    public func integer(below upperBound: Int) -> Int {
        precondition(upperBound > 0)
        return Int(next() % UInt64(upperBound))
    }

    public static let system = RandomSource {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }

    /// A deterministic source (SplitMix64) for tests and reproducible runs.
    public static func seeded(_ seed: UInt64) -> RandomSource {
        let state = Mutex(seed)
        return RandomSource {
            state.withLock { value in
                value &+= 0x9E37_79B9_7F4A_7C15
                var z = value
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
        }
    }
}
