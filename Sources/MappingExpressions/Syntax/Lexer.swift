/// Splits the UTF-8 text of an expression into tokens.
///
/// The lexer never fails: text that forms no token becomes a ``Token/Kind/unknown`` token and a
/// diagnostic. String escapes follow the reference: `\\` and `\"` are escapes, any other
/// backslash is kept with the character after it (so the regex `"\+"` stays `\+`).
struct Lexer {
    private let bytes: [UInt8]
    private var position = 0
    private(set) var diagnostics: [Diagnostic] = []

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Tokenizes the whole text; the last token is always ``Token/Kind/end``.
    static func tokenize(_ source: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(source.utf8)
        var tokens: [Token] = []
        while true {
            let token = lexer.next()
            tokens.append(token)
            if token.kind == .end { break }
        }
        return (tokens, lexer.diagnostics)
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
            position += 1
        }
        // Non-breaking and other Unicode spaces pasted from web pages count as whitespace too.
        while let width = unicodeSpaceWidth(at: position) {
            position += width
            while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }
    }

    /// U+00A0, U+2000–U+200B, U+202F, U+3000, U+FEFF.
    private func unicodeSpaceWidth(at index: Int) -> Int? {
        guard index < bytes.count else { return nil }
        let b0 = bytes[index]
        if b0 == 0xC2, index + 1 < bytes.count, bytes[index + 1] == 0xA0 { return 2 }
        if b0 == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80 {
            let b2 = bytes[index + 2]
            if (0x80...0x8B).contains(b2) || b2 == 0xAF { return 3 }
        }
        if b0 == 0xE3, index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] == 0x80 { return 3 }
        if b0 == 0xEF, index + 2 < bytes.count, bytes[index + 1] == 0xBB, bytes[index + 2] == 0xBF { return 3 }
        return nil
    }

    /// A typographic double quote (“ ” „ ″) at `index`: its width in bytes.
    private func typographicQuoteWidth(at index: Int) -> Int? {
        guard index + 2 < bytes.count, bytes[index] == 0xE2 else { return nil }
        if bytes[index + 1] == 0x80, [0x9C, 0x9D, 0x9E, 0x9F].contains(bytes[index + 2]) { return 3 }
        if bytes[index + 1] == 0x80, bytes[index + 2] == 0xB3 { return 3 }
        return nil
    }

    mutating func next() -> Token {
        skipWhitespace()
        let start = position
        guard let byte = peek() else { return Token(.end, .point(position)) }
        switch byte {
        case UInt8(ascii: "("):
            position += 1
            return Token(.leftParen, SourceRange(start, position))
        case UInt8(ascii: ")"):
            position += 1
            return Token(.rightParen, SourceRange(start, position))
        case UInt8(ascii: ","):
            position += 1
            return Token(.comma, SourceRange(start, position))
        case UInt8(ascii: "="):
            position += 1
            return Token(.comparison(.equal), SourceRange(start, position))
        case UInt8(ascii: "<"):
            position += 1
            if peek() == UInt8(ascii: ">") {
                position += 1
                return Token(.comparison(.notEqual), SourceRange(start, position))
            }
            if peek() == UInt8(ascii: "=") {
                position += 1
                return Token(.comparison(.lessOrEqual), SourceRange(start, position))
            }
            return Token(.comparison(.less), SourceRange(start, position))
        case UInt8(ascii: ">"):
            position += 1
            if peek() == UInt8(ascii: "=") {
                position += 1
                return Token(.comparison(.greaterOrEqual), SourceRange(start, position))
            }
            return Token(.comparison(.greater), SourceRange(start, position))
        case UInt8(ascii: "&"):
            if let h = peek(1), h == UInt8(ascii: "H") || h == UInt8(ascii: "h"), let digit = peek(2), digit.isHexDigit {
                return lexHex()
            }
            position += 1
            return Token(.ampersand, SourceRange(start, position))
        case UInt8(ascii: "["):
            return lexAttribute()
        case UInt8(ascii: "\""):
            return lexString(closing: .ascii)
        case UInt8(ascii: "-"):
            if let digit = peek(1), digit.isDigit { return lexNumber() }
        case _ where byte.isDigit:
            return lexNumber()
        case _ where byte.isIdentifierStart:
            return lexIdentifier()
        default:
            if typographicQuoteWidth(at: position) != nil {
                return lexString(closing: .typographic)
            }
        }
        return lexUnknown()
    }

    private mutating func lexHex() -> Token {
        let start = position
        position += 2
        var value: UInt64 = 0
        var overflow = false
        while let byte = peek(), byte.isHexDigit {
            let (shifted, o1) = value.multipliedReportingOverflow(by: 16)
            let (sum, o2) = shifted.addingReportingOverflow(UInt64(byte.hexValue))
            overflow = overflow || o1 || o2
            value = sum
            position += 1
        }
        let range = SourceRange(start, position)
        if overflow {
            diagnostics.append(.error(.lexNumberOutOfRange, "hexadecimal number does not fit in 64 bits", at: range))
            return Token(.hexNumber(0), range)
        }
        return Token(.hexNumber(Int64(bitPattern: value)), range)
    }

    private mutating func lexNumber() -> Token {
        let start = position
        var negative = false
        if peek() == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        var magnitude: UInt64 = 0
        var overflow = false
        while let byte = peek(), byte.isDigit {
            let (shifted, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = shifted.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            overflow = overflow || o1 || o2
            magnitude = sum
            position += 1
        }
        let range = SourceRange(start, position)
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        if overflow || magnitude > limit {
            diagnostics.append(
                .error(.lexNumberOutOfRange, "number does not fit in a 64-bit integer", at: range,
                       notes: [Diagnostic.Note("write it as a string literal to keep it as text")]))
            return Token(.number(0), range)
        }
        let value: Int64 = negative ? (magnitude == limit ? Int64.min : -Int64(magnitude)) : Int64(magnitude)
        return Token(.number(value), range)
    }

    private mutating func lexIdentifier() -> Token {
        let start = position
        while let byte = peek(), byte.isIdentifierContinue { position += 1 }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        return Token(.identifier(name), SourceRange(start, position))
    }

    private mutating func lexAttribute() -> Token {
        let start = position
        position += 1
        while let byte = peek(), byte != UInt8(ascii: "]") { position += 1 }
        if peek() == nil {
            // Report the name up to the end of the line, the likely intent.
            let range = SourceRange(start, position)
            diagnostics.append(
                .error(.lexUnterminatedAttribute, "unterminated attribute reference; expected ']'", at: .point(position),
                       notes: [Diagnostic.Note("attribute reference starts here", at: SourceRange(start, start + 1))],
                       fixIts: [.insert("]", at: position, "insert ']'")]))
            let name = String(decoding: bytes[(start + 1)..<position], as: UTF8.self)
            return Token(.attribute(name), range)
        }
        let name = String(decoding: bytes[(start + 1)..<position], as: UTF8.self)
        position += 1
        return Token(.attribute(name), SourceRange(start, position))
    }

    private enum Quote { case ascii, typographic }

    private mutating func lexString(closing: Quote) -> Token {
        let start = position
        var typographicQuotes: [SourceRange] = []
        if closing == .typographic {
            let width = typographicQuoteWidth(at: position)!
            typographicQuotes.append(SourceRange(position, position + width))
            position += width
        } else {
            position += 1
        }
        var value: [UInt8] = []
        var terminated = false
        while let byte = peek() {
            if byte == UInt8(ascii: "\"") {
                position += 1
                terminated = true
                break
            }
            if closing == .typographic, let width = typographicQuoteWidth(at: position) {
                typographicQuotes.append(SourceRange(position, position + width))
                position += width
                terminated = true
                break
            }
            if byte == UInt8(ascii: "\\"), let escaped = peek(1) {
                if escaped == UInt8(ascii: "\\") || escaped == UInt8(ascii: "\"") {
                    value.append(escaped)
                    position += 2
                    continue
                }
                // Unknown escape: keep the backslash; the next character is read normally.
                value.append(byte)
                position += 1
                continue
            }
            value.append(byte)
            position += 1
        }
        let range = SourceRange(start, position)
        if !terminated {
            diagnostics.append(
                .error(.lexUnterminatedString, "unterminated string literal", at: .point(position),
                       notes: [Diagnostic.Note("string literal starts here", at: SourceRange(start, start + 1))],
                       fixIts: [.insert("\"", at: position, "insert '\"'")]))
        }
        if !typographicQuotes.isEmpty {
            diagnostics.append(
                .error(.lexTypographicQuote, "typographic quotes do not delimit strings; use '\"'",
                       at: typographicQuotes[0],
                       fixIts: [Diagnostic.FixIt("replace with '\"'", edits: typographicQuotes.map {
                           Diagnostic.TextEdit(range: $0, replacement: "\"")
                       })]))
        }
        return Token(.string(String(decoding: value, as: UTF8.self)), range)
    }

    private mutating func lexUnknown() -> Token {
        let start = position
        // Consume one whole UTF-8 scalar.
        position += 1
        while let byte = peek(), byte & 0xC0 == 0x80 { position += 1 }
        let range = SourceRange(start, position)
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        var fixIts: [Diagnostic.FixIt] = []
        var notes: [Diagnostic.Note] = []
        if text == "'" || text == "‘" || text == "’" {
            notes.append(Diagnostic.Note("string literals use double quotes"))
        } else if text == "+" {
            notes.append(Diagnostic.Note("join strings with 'Join(\"\", a, b)' or 'Append(a, b)'"))
        }
        if text == "‘" || text == "’" { fixIts.append(.replace(range, with: "\"", "replace with '\"'")) }
        diagnostics.append(.error(.lexInvalidCharacter, "unexpected character '\(text)'", at: range, notes: notes, fixIts: fixIts))
        return Token(.unknown, range)
    }
}

extension UInt8 {
    var isDigit: Bool { self >= 0x30 && self <= 0x39 }
    var isHexDigit: Bool { isDigit || (self >= 0x41 && self <= 0x46) || (self >= 0x61 && self <= 0x66) }
    var hexValue: UInt8 {
        if isDigit { return self - 0x30 }
        if self >= 0x61 { return self - 0x61 + 10 }
        return self - 0x41 + 10
    }
    var isIdentifierStart: Bool { (self >= 0x41 && self <= 0x5A) || (self >= 0x61 && self <= 0x7A) || self == 0x5F }
    var isIdentifierContinue: Bool { isIdentifierStart || isDigit }
}
