import Foundation
@testable import RegistryStore
import Testing

@Suite("Stored lists read back")
struct StoredListTests {
    @Test("A stored list of ids reads back as the JSON decoder reads it, escapes, spaces and odd quoting included", arguments: [
        #"[]"#, #"["a"]"#, #"["phq9-item9","madrs-item10"]"#, #"["a\"b"]"#, #"["a","b\\"]"#, #"["a" , "b"]"#, #"[ "a","b" ]"#,
        #"["",""]"#, #"["a","b"c"]"#, #"["é","ü/x"]"#, #"["\u0041"]"#,
        #"["a","b","c"]"#, #"["a",","b"]"#, #"["a""b"]"#, #"[""]"#, #"["a",""]"#, #"["a",",","b"]"#, #"["a"]]"#, #"[["a"]"#,
    ])
    func lists(text: String) {
        // What the decoder reads; a text it refuses reads as no flags, as before.
        let expected: [String]
        do { expected = try JSONDecoder().decode([String].self, from: Data(text.utf8)) } catch { expected = [] }
        #expect(decodeStringList(text) == expected)
    }

    @Test("No list, or not a list, reads as none")
    func none() {
        #expect(decodeStringList(nil) == [])
        #expect(decodeStringList("not json") == [])
    }
}
