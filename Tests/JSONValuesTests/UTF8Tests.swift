import JSONValues
import Testing

/// JSON text must be UTF-8 (RFC 8259 §8.1): malformed bytes are an error at their place, never
/// replaced by U+FFFD, so two different malformed names cannot become one.
struct UTF8Tests {
    /// `{"userName":"` then the bytes, then `"}`: where the error is, and what it names.
    @Test(arguments: [
        ([0xFF, 0xFE], "the bytes FF FE are not a character"),
        ([0x61, 0xFF], "the byte FF is not a character"),
        ([0xC0, 0xAF], "the bytes C0 AF are not a character"),  // overlong '/'
        ([0xED, 0xA0, 0x80], "the bytes ED A0 80 are not a character"),  // a UTF-16 surrogate
        ([0xF4, 0x90, 0x80, 0x80], "the bytes F4 90 80 80 are not a character"),  // above U+10FFFF
        ([0xE6, 0x97], "the bytes E6 97 are not a character"),  // cut short by the closing quote
        ([0x80], "the byte 80 is not a character"),  // a continuation byte alone
    ] as [([UInt8], String)])
    func malformedBytesInAStringAreLocated(bad: [UInt8], message: String) throws {
        let bytes = Array(#"{"userName":""#.utf8) + bad + Array(#""}"#.utf8)
        let error = try #require(throws: JSON.ParseError.self) { try JSON.parse(bytes) }
        let offset = 13 + (bad.first == 0x61 ? 1 : 0)
        #expect(error.offset == offset)
        #expect(error.line == 1)
        #expect(error.column == offset + 1)
        #expect(error.message == "invalid UTF-8 in a string: \(message); the text must be UTF-8")
    }

    @Test func theSameInAStringWithEscapesAndOnALaterLine() throws {
        let bytes = Array("{\n  \"a\": \"ok\",\n  \"b\": \"x\\n\u{e9}".utf8) + [0xFF] + Array("\"\n}".utf8)
        let error = try #require(throws: JSON.ParseError.self) { try JSON.parse(bytes) }
        #expect(error.line == 3)
        #expect(error.column == 13)
        #expect(error.message.hasPrefix("invalid UTF-8 in a string: the byte FF"))
    }

    @Test func malformedBytesOutsideStringsAreNamed() throws {
        let error = try #require(throws: JSON.ParseError.self) { try JSON.parse([0x5B, 0xFF, 0x5D]) }
        #expect(error.column == 2)
        #expect(error.message == "invalid UTF-8: the byte FF is not a character; the text must be UTF-8")
        let word = try #require(throws: JSON.ParseError.self) { try JSON.parse(Array("[é]".utf8)) }
        #expect(word.message == "unexpected character 'é'; expected a JSON value")
    }

    @Test(arguments: [#""\uD800""#, #""\uDC00""#, #""\uD800\u0041""#, #""a\uDBFFb""#])
    func loneSurrogateEscapesAreRefused(text: String) throws {
        let error = try #require(throws: JSON.ParseError.self) { try JSON.parse(text) }
        #expect(error.message.contains("a lone UTF-16 surrogate is not a character"))
    }

    @Test(arguments: [
        ("\"Zoë\"", "Zoë"), ("\"山田\"", "山田"), ("\"😀\"", "😀"), ("\"e\u{301}\"", "e\u{301}"),
        (#""\u00e9\ud83d\ude00""#, "é😀"), (#""caf\u00e9 \"x\"""#, "café \"x\""),
    ])
    func wellFormedTextIsRead(text: String, expected: String) throws {
        #expect(try JSON.parse(text) == .string(expected))
    }

    @Test func decodingTextDropsAByteOrderMarkAndLocatesBadBytes() throws {
        #expect(try UTF8Text.decode([0xEF, 0xBB, 0xBF] + Array("name: x".utf8)) == "name: x")
        let error = try #require(throws: UTF8Text.InvalidBytes.self) {
            try UTF8Text.decode(Array("mappings:\n  - source: [Björn".utf8) + [0xE9] + Array("]\n".utf8))
        }
        #expect(error.line == 2)
        #expect(error.column == 19)
        #expect(error.bytes == [0xE9])
        #expect(error.description == "2:19: invalid UTF-8: the byte E9 is not a character; the text must be UTF-8")
        #expect(UTF8Text.invalidBytes(in: Array("Zoë 山田 😀".utf8)) == nil)
    }
}
