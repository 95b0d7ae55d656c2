import Foundation
import Synchronization

/// Where the libraries' random numbers come from: a new registry's pseudonym secret, export ids,
/// the spread of delivery retries. No library reads the operating system's generator for them: the
/// executables make one source at start-up, beside the clock, and hand it down; tests give a
/// seeded one. (The records spool's temporary file is named by `mkstemp`, as the C library does.)
public protocol RandomSource: Sendable {
    /// `count` bytes, each uniformly distributed.
    func bytes(_ count: Int) -> [UInt8]
}

extension RandomSource {
    /// A random 64-bit number.
    public func next() -> UInt64 {
        bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A number uniformly distributed in `range` (53 bits of resolution).
    public func uniform(in range: ClosedRange<Double>) -> Double {
        let unit = Double(next() >> 11) / Double(1 << 53)
        return range.lowerBound + unit * (range.upperBound - range.lowerBound)
    }

    /// A random identifier in the form of a version-4 UUID, lowercase (`8c4f…-…`): 122 random bits.
    public func identifier() -> String {
        var raw = bytes(16)
        raw[6] = raw[6] & 0x0F | 0x40
        raw[8] = raw[8] & 0x3F | 0x80
        let uuid = UUID(
            uuid: (
                raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11],
                raw[12], raw[13], raw[14], raw[15]
            ))
        return uuid.uuidString.lowercased()
    }
}

/// A source that gives the same sequence for the same seed (SplitMix64): for tests, never for a
/// real registry's secret. Shared between threads, each draw takes the next numbers of the one
/// sequence, so which caller gets which depends on their order.
public final class SeededRandom: RandomSource {
    private let state: Mutex<UInt64>

    /// A source starting from `seed`.
    public init(seed: UInt64) { state = Mutex(seed) }

    /// The next `count` bytes of the SplitMix64 sequence, eight from each 64-bit step, lowest byte first.
    public func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            var word = state.withLock { value -> UInt64 in
                value &+= 0x9E37_79B9_7F4A_7C15
                var z = value
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return z ^ (z >> 31)
            }
            for _ in 0..<8 where out.count < count {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        return out
    }
}
