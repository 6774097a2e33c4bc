/// A JSON value that keeps object key order and number text exactly as written.
///
/// The parser reports malformed input with its line and column, and never crashes: nesting is
/// bounded and every loop consumes input.
public enum JSON: Hashable, Sendable {
    case null
    case bool(Bool)
    /// The number's text as written, so 64-bit integers and decimals survive unchanged.
    case number(String)
    case string(String)
    case array([JSON])
    /// Members in document order.
    case object([(String, JSON)])

    /// Equality as JSON means it: object members compare in order, numbers by their text.
    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.number(let a), .number(let b)): a == b || Double(a) == Double(b)
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .number(let value): hasher.combine(Double(value) ?? 0)
        case .string(let value): hasher.combine(value)
        case .array(let values): hasher.combine(values)
        case .object(let members):
            for (key, value) in members {
                hasher.combine(key)
                hasher.combine(value)
            }
        }
    }

    /// The member named `key` of an object.
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// `an object`, `a string`: the kind of value, for messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    public var arrayValue: [JSON]? { if case .array(let value) = self { value } else { nil } }
    public var objectValue: [(String, JSON)]? { if case .object(let value) = self { value } else { nil } }
}

extension JSON {
    /// A JSON syntax error with its position.
    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var line: Int
        public var column: Int

        public var description: String { "\(line):\(column): \(message)" }

        /// An error at `offset` (bytes from the start), which is `line` and `column` (1-based).
        public init(message: String, offset: Int, line: Int, column: Int) {
            self.message = message
            self.offset = offset
            self.line = line
            self.column = column
        }
    }

    /// Parses a whole JSON text.
    public static func parse(_ text: String) throws(ParseError) -> JSON {
        try parse(Array(text.utf8))
    }

    /// Parses UTF-8 bytes; malformed UTF-8 inside a string is an error at its place.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> JSON {
        var reader = JSONReader(bytes: bytes)
        return try reader.readDocument()
    }

    /// Parses a whole JSON text from a slice of bytes (one NDJSON line, say).
    public static func parse(_ bytes: ArraySlice<UInt8>) throws(ParseError) -> JSON {
        try parse(Array(bytes))
    }
}

struct JSONReader {
    let bytes: [UInt8]
    var position = 0
    static let maximumDepth = 512

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // A UTF-8 byte order mark is ignored.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    func error(_ message: String, at offset: Int? = nil) -> JSON.ParseError {
        let at = min(offset ?? position, bytes.count)
        let (line, column) = UTF8Text.location(of: at, in: bytes)
        return JSON.ParseError(message: message, offset: at, line: line, column: column)
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func readDocument() throws(JSON.ParseError) -> JSON {
        skipWhitespace()
        guard position < bytes.count else { throw error("expected a JSON value, found end of input") }
        let value = try readValue(depth: 0)
        skipWhitespace()
        if position < bytes.count { throw error("unexpected text after the JSON value") }
        return value
    }

    mutating func readValue(depth: Int) throws(JSON.ParseError) -> JSON {
        guard depth < JSONReader.maximumDepth else { throw error("JSON is nested too deeply") }
        skipWhitespace()
        guard position < bytes.count else { throw error("expected a JSON value, found end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var members: [(String, JSON)] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                    throw error("expected a member name in double quotes")
                }
                let key = try readString()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                    throw error("expected ':' after the member name \"\(key)\"")
                }
                position += 1
                members.append((key, try readValue(depth: depth + 1)))
                skipWhitespace()
                guard position < bytes.count else { throw error("expected ',' or '}' to continue the object, found end of input") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                if bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    return .object(members)
                }
                throw error("expected ',' or '}' after a member of the object")
            }
        case UInt8(ascii: "["):
            position += 1
            var elements: [JSON] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                elements.append(try readValue(depth: depth + 1))
                skipWhitespace()
                guard position < bytes.count else { throw error("expected ',' or ']' to continue the array, found end of input") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                if bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    return .array(elements)
                }
                throw error("expected ',' or ']' after an element of the array")
            }
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "t"):
            try expectWord("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectWord("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectWord("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try readNumber()
        default:
            if bytes[position] >= 0x80, let invalid = UTF8Text.invalidBytes(in: bytes, from: position, upTo: min(bytes.count, position + 4)) {
                throw error(invalid.message, at: invalid.offset)
            }
            var end = position + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            let character = String(decoding: bytes[position..<end], as: UTF8.self)
            throw error("unexpected character '\(character)'; expected a JSON value")
        }
    }

    mutating func expectWord(_ word: String) throws(JSON.ParseError) {
        let expected = Array(word.utf8)
        guard bytes.count - position >= expected.count, Array(bytes[position..<(position + expected.count)]) == expected else {
            throw error("unexpected text; expected '\(word)'")
        }
        position += expected.count
    }

    mutating func readNumber() throws(JSON.ParseError) -> JSON {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        func digits() -> Int {
            let from = position
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
            return position - from
        }
        guard digits() > 0 else { throw error("expected digits in a number") }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("expected digits after the decimal point") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("expected digits in the exponent") }
        }
        return .number(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    mutating func readString() throws(JSON.ParseError) -> String {
        let start = position
        position += 1
        // Fast path: no escapes. Text beyond ASCII is validated before it is decoded, so that
        // malformed bytes are an error rather than U+FFFD.
        var scan = position
        var highBits: UInt8 = 0
        while scan < bytes.count, bytes[scan] != UInt8(ascii: "\""), bytes[scan] != UInt8(ascii: "\\"), bytes[scan] >= 0x20 {
            highBits |= bytes[scan]
            scan += 1
        }
        if scan < bytes.count, bytes[scan] == UInt8(ascii: "\"") {
            if highBits & 0x80 != 0, UTF8Text.invalidBytes(in: bytes, from: position, upTo: scan) != nil {
                throw invalidUTF8(from: position, upTo: scan)
            }
            let text = String(decoding: bytes[position..<scan], as: UTF8.self)
            position = scan + 1
            return text
        }
        var output: [UInt8] = Array(bytes[position..<scan])
        position = scan
        while true {
            guard position < bytes.count else { throw error("unterminated string", at: start) }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                if UTF8Text.invalidBytes(in: output) != nil { throw invalidUTF8(from: start + 1, upTo: position - 1) }
                return String(decoding: output, as: UTF8.self)
            }
            if byte < 0x20 { throw error("control character in a string; escape it") }
            if byte != UInt8(ascii: "\\") {
                output.append(byte)
                position += 1
                continue
            }
            position += 1
            guard position < bytes.count else { throw error("unterminated string", at: start) }
            let escaped = bytes[position]
            position += 1
            switch escaped {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                let escapeStart = position - 2
                let unit = try readHex4()
                var scalar = Unicode.Scalar(unit)
                if (0xD800...0xDBFF).contains(unit), position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                   bytes[position + 1] == UInt8(ascii: "u")
                {
                    position += 2
                    let low = try readHex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                    }
                }
                // A lone surrogate is no character: it would have to be replaced, and two
                // different values would then read the same (RFC 7493, I-JSON).
                guard let scalar else {
                    let escape = String(decoding: bytes[escapeStart..<min(bytes.count, escapeStart + 6)], as: UTF8.self)
                    throw error("invalid escape '\(escape)' in a string: a lone UTF-16 surrogate is not a character", at: escapeStart)
                }
                output.append(contentsOf: Array(String(scalar).utf8))
            default:
                throw error("invalid escape '\\\(String(decoding: [escaped], as: UTF8.self))' in a string", at: position - 2)
            }
        }
    }

    /// The error for malformed UTF-8 in `bytes[from..<upTo]`, at the first bad byte.
    func invalidUTF8(from start: Int, upTo end: Int) -> JSON.ParseError {
        guard let invalid = UTF8Text.invalidBytes(in: bytes, from: start, upTo: end) else {
            return error("invalid UTF-8 in a string", at: start)
        }
        return error(invalid.message(in: "a string"), at: invalid.offset)
    }

    mutating func readHex4() throws(JSON.ParseError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw error("expected four hexadecimal digits after '\\u'") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            guard byte.isJSONHexDigit else { throw error("expected four hexadecimal digits after '\\u'") }
            value = value * 16 + UInt32(byte.jsonHexValue)
            position += 1
        }
        return value
    }
}

extension JSON {
    /// Compact JSON text. Strings are escaped as RFC 8259 requires; `/` is not escaped.
    public var serialized: String {
        var bytes: [UInt8] = []
        write(to: &bytes, pretty: false, indent: 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Indented JSON text.
    public var prettySerialized: String {
        var bytes: [UInt8] = []
        write(to: &bytes, pretty: true, indent: 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the JSON text to `output`.
    public func write(to output: inout String, pretty: Bool = false, indent: Int = 0) {
        var bytes: [UInt8] = []
        write(to: &bytes, pretty: pretty, indent: indent)
        output += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the JSON text's UTF-8 bytes to `output`: the fast path for writing many values.
    public func write(to output: inout [UInt8], pretty: Bool = false, indent: Int = 0) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): JSON.writeString(text, to: &output)
        case .array(let elements):
            if elements.isEmpty {
                output.append(contentsOf: "[]".utf8)
                return
            }
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                if pretty { JSON.newline(&output, indent: indent + 1) }
                element.write(to: &output, pretty: pretty, indent: indent + 1)
            }
            if pretty { JSON.newline(&output, indent: indent) }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                output.append(contentsOf: "{}".utf8)
                return
            }
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                if pretty { JSON.newline(&output, indent: indent + 1) }
                JSON.writeString(member.0, to: &output)
                output.append(UInt8(ascii: ":"))
                if pretty { output.append(UInt8(ascii: " ")) }
                member.1.write(to: &output, pretty: pretty, indent: indent + 1)
            }
            if pretty { JSON.newline(&output, indent: indent) }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ output: inout [UInt8], indent: Int) {
        output.append(0x0A)
        for _ in 0..<(indent * 2) { output.append(0x20) }
    }

    /// Appends `text` as a JSON string literal.
    public static func writeString(_ text: String, to output: inout String) {
        var bytes: [UInt8] = []
        writeString(text, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `text` as a JSON string literal, escaping `"`, `\\` and control characters.
    public static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(0x22)
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                output.append(0x5C)
                switch byte {
                case 0x22: output.append(0x22)
                case 0x5C: output.append(0x5C)
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        output.append(0x22)
    }
}

extension UInt8 {
    fileprivate var isJSONHexDigit: Bool {
        (self >= 0x30 && self <= 0x39) || (self >= 0x41 && self <= 0x46) || (self >= 0x61 && self <= 0x66)
    }

    fileprivate var jsonHexValue: UInt8 {
        switch self {
        case 0x30...0x39: self - 0x30
        case 0x41...0x46: self - 0x41 + 10
        default: self - 0x61 + 10
        }
    }
}
