import Foundation
import RegistryCore
import Testing

/// The randomness the executables hand down: a seeded source repeats itself, identifiers are
/// version-4 UUIDs, uniform numbers stay in their range.
@Suite("Random sources")
struct RandomSourceTests {
    @Test("The same seed gives the same bytes; another seed, others; any count of bytes is given")
    func seeded() {
        let first = SeededRandom(seed: 42).bytes(40)
        #expect(first == SeededRandom(seed: 42).bytes(40))
        #expect(first != SeededRandom(seed: 43).bytes(40))
        for count in [0, 1, 7, 8, 9, 33] { #expect(SeededRandom(seed: 1).bytes(count).count == count) }
        // Drawn in pieces, the sequence is the same stream of 64-bit words.
        let pieces = SeededRandom(seed: 42)
        #expect(pieces.bytes(8) + pieces.bytes(8) == Array(first.prefix(16)))
    }

    @Test("An identifier is a lowercase version-4 UUID with the RFC 4122 variant, different each draw")
    func identifiers() throws {
        let source = SeededRandom(seed: 7)
        var seen = Set<String>()
        for _ in 0..<200 {
            let id = source.identifier()
            let uuid = try #require(UUID(uuidString: id))
            #expect(id == id.lowercased() && id.count == 36)
            #expect(uuid.uuid.6 >> 4 == 4, "version 4: \(id)")
            #expect(uuid.uuid.8 >> 6 == 0b10, "variant: \(id)")
            seen.insert(id)
        }
        #expect(seen.count == 200)
    }

    @Test("Uniform numbers fall inside their range and spread over it")
    func uniform() {
        let source = SeededRandom(seed: 9)
        let draws = (0..<2000).map { _ in source.uniform(in: 0.8...1.2) }
        #expect(draws.allSatisfy { (0.8...1.2).contains($0) })
        #expect(draws.contains { $0 < 0.85 } && draws.contains { $0 > 1.15 })
        let mean = draws.reduce(0, +) / Double(draws.count)
        #expect(abs(mean - 1.0) < 0.02, "\(mean)")
    }
}
