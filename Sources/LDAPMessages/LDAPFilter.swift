/// A search filter (RFC 4511 §4.5.1.7), read from and written as its string form (RFC 4515):
/// `(&(objectClass=inetOrgPerson)(uid=ann))`.
package indirect enum LDAPFilter: Hashable, Sendable, CustomStringConvertible {
    case and([LDAPFilter])
    case or([LDAPFilter])
    case not(LDAPFilter)
    case equal(String, [UInt8])
    case substrings(String, initial: [UInt8]?, any: [[UInt8]], final: [UInt8]?)
    case greaterOrEqual(String, [UInt8])
    case lessOrEqual(String, [UInt8])
    case present(String)
    case approximate(String, [UInt8])
    case extensible(rule: String?, type: String?, value: [UInt8], dnAttributes: Bool)

    /// `type=value` for a text value.
    package static func equal(_ type: String, _ value: String) -> LDAPFilter { .equal(type, Array(value.utf8)) }

    /// `(objectClass=*)`: every entry.
    package static let everything = LDAPFilter.present("objectClass")

    // MARK: BER

    package func write(to writer: inout BER.Writer) {
        func assertion(_ number: UInt8, _ type: String, _ value: [UInt8]) {
            writer.constructed(.context(number, constructed: true)) { ava in
                ava.string(type)
                ava.octets(value)
            }
        }
        switch self {
        case .and(let filters):
            writer.constructed(.context(0, constructed: true)) { set in for filter in filters { filter.write(to: &set) } }
        case .or(let filters):
            writer.constructed(.context(1, constructed: true)) { set in for filter in filters { filter.write(to: &set) } }
        case .not(let filter):
            writer.constructed(.context(2, constructed: true)) { filter.write(to: &$0) }
        case .equal(let type, let value): assertion(3, type, value)
        case .substrings(let type, let initial, let any, let final):
            writer.constructed(.context(4, constructed: true)) { body in
                body.string(type)
                body.sequence { parts in
                    if let initial { parts.octets(initial, tag: .context(0)) }
                    for part in any { parts.octets(part, tag: .context(1)) }
                    if let final { parts.octets(final, tag: .context(2)) }
                }
            }
        case .greaterOrEqual(let type, let value): assertion(5, type, value)
        case .lessOrEqual(let type, let value): assertion(6, type, value)
        case .present(let type): writer.string(type, tag: .context(7))
        case .approximate(let type, let value): assertion(8, type, value)
        case .extensible(let rule, let type, let value, let dnAttributes):
            writer.constructed(.context(9, constructed: true)) { body in
                if let rule { body.string(rule, tag: .context(1)) }
                if let type { body.string(type, tag: .context(2)) }
                body.octets(value, tag: .context(3))
                if dnAttributes { body.boolean(true, tag: .context(4)) }
            }
        }
    }

    package init(reading reader: inout BER.Reader) throws(BER.DecodingError) {
        let at = reader.index
        let (tag, contents) = try reader.element()
        var body = BER.Reader(contents)
        func assertion() throws(BER.DecodingError) -> (String, [UInt8]) { (try body.string(), try body.octets()) }
        func list() throws(BER.DecodingError) -> [LDAPFilter] {
            var filters: [LDAPFilter] = []
            while !body.isAtEnd { filters.append(try LDAPFilter(reading: &body)) }
            return filters
        }
        switch tag.byte {
        case 0xA0: self = .and(try list())
        case 0xA1: self = .or(try list())
        case 0xA2: self = .not(try LDAPFilter(reading: &body))
        case 0xA3: let (type, value) = try assertion(); self = .equal(type, value)
        case 0xA4:
            let type = try body.string()
            var parts = try body.nested(.sequence)
            var initial: [UInt8]?
            var any: [[UInt8]] = []
            var final: [UInt8]?
            while !parts.isAtEnd {
                let (partTag, part) = try parts.element()
                switch partTag.byte {
                case 0x80: initial = Array(part)
                case 0x81: any.append(Array(part))
                case 0x82: final = Array(part)
                default: throw BER.DecodingError("a substring part \(partTag)", at: parts.index)
                }
            }
            self = .substrings(type, initial: initial, any: any, final: final)
        case 0xA5: let (type, value) = try assertion(); self = .greaterOrEqual(type, value)
        case 0xA6: let (type, value) = try assertion(); self = .lessOrEqual(type, value)
        case 0x87: self = .present(String(decoding: contents, as: UTF8.self))
        case 0xA8: let (type, value) = try assertion(); self = .approximate(type, value)
        case 0xA9:
            let rule = try body.optional(.context(1)).map { String(decoding: $0, as: UTF8.self) }
            let type = try body.optional(.context(2)).map { String(decoding: $0, as: UTF8.self) }
            let value = try body.octets(.context(3))
            let dn = body.isAtEnd ? false : try body.boolean(.context(4))
            self = .extensible(rule: rule, type: type, value: value, dnAttributes: dn)
        default:
            throw BER.DecodingError("a filter \(tag), which LDAP does not define", at: at)
        }
    }

    // MARK: Text (RFC 4515)

    /// What is wrong with a filter's text, and where (a 0-based character offset).
    package struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        package var offset: Int
        package var message: String
        package var description: String { "\(message) at character \(offset + 1)" }
    }

    /// Reads a filter's string form; the outer parentheses may be left out (`uid=ann`).
    package init(parsing text: String) throws(ParseError) {
        var parser = Parser(Array(text.utf8))
        if parser.peek != UInt8(ascii: "(") {
            self = try parser.item(until: nil)
        } else {
            self = try parser.filter()
        }
        guard parser.isAtEnd else { throw ParseError(offset: parser.index, message: "text after the filter") }
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { index >= bytes.count }
        var peek: UInt8? { isAtEnd ? nil : bytes[index] }

        mutating func expect(_ byte: UInt8) throws(ParseError) {
            guard peek == byte else {
                throw ParseError(offset: index, message: "'\(Character(Unicode.Scalar(byte)))' expected\(isAtEnd ? ", the filter ended" : "")")
            }
            index += 1
        }

        mutating func filter() throws(ParseError) -> LDAPFilter {
            try expect(UInt8(ascii: "("))
            let result: LDAPFilter
            switch peek {
            case UInt8(ascii: "&"):
                index += 1
                result = .and(try list())
            case UInt8(ascii: "|"):
                index += 1
                result = .or(try list())
            case UInt8(ascii: "!"):
                index += 1
                result = .not(try filter())
            default:
                result = try item(until: UInt8(ascii: ")"))
            }
            try expect(UInt8(ascii: ")"))
            return result
        }

        mutating func list() throws(ParseError) -> [LDAPFilter] {
            var filters: [LDAPFilter] = []
            while peek == UInt8(ascii: "(") { filters.append(try filter()) }
            return filters
        }

        /// `attr=value`, `attr>=value`, `attr~=value`, `attr=*`, `attr=a*b*c`, `attr:dn:rule:=value`.
        mutating func item(until end: UInt8?) throws(ParseError) -> LDAPFilter {
            let start = index
            while let byte = peek, byte != UInt8(ascii: "="), byte != UInt8(ascii: "~"), byte != UInt8(ascii: ">"),
                byte != UInt8(ascii: "<"), byte != UInt8(ascii: ":"), byte != end
            {
                index += 1
            }
            let type = String(decoding: bytes[start..<index], as: UTF8.self)
            switch peek {
            case UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "<"):
                let operatorByte = bytes[index]
                index += 1
                try expect(UInt8(ascii: "="))
                try checkType(type, at: start)
                let value = try self.value(until: end, stars: false).joined
                switch operatorByte {
                case UInt8(ascii: "~"): return .approximate(type, value)
                case UInt8(ascii: ">"): return .greaterOrEqual(type, value)
                default: return .lessOrEqual(type, value)
                }
            case UInt8(ascii: ":"):
                return try extensible(type: type, start: start, until: end)
            case UInt8(ascii: "="):
                index += 1
                try checkType(type, at: start)
                let parts = try value(until: end, stars: true)
                if parts.count == 1 { return .equal(type, parts[0]) }
                if parts.count == 2, parts[0].isEmpty, parts[1].isEmpty { return .present(type) }
                let middle = parts.dropFirst().dropLast()
                if middle.contains(where: \.isEmpty) { throw ParseError(offset: start, message: "two '*' in a row in the value of '\(type)'") }
                return .substrings(
                    type, initial: parts.first!.isEmpty ? nil : parts.first, any: Array(middle), final: parts.last!.isEmpty ? nil : parts.last)
            default:
                throw ParseError(offset: index, message: type.isEmpty ? "an attribute was expected" : "'=' expected after '\(type)'")
            }
        }

        mutating func extensible(type: String, start: Int, until end: UInt8?) throws(ParseError) -> LDAPFilter {
            // type[:dn][:rule]:=value, or [:dn]:rule:=value
            var dn = false
            var rule: String?
            while peek == UInt8(ascii: ":") {
                index += 1
                if peek == UInt8(ascii: "=") {
                    index += 1
                    let value = try self.value(until: end, stars: false).joined
                    guard !type.isEmpty || rule != nil else { throw ParseError(offset: start, message: "an extensible match names no attribute and no rule") }
                    return .extensible(rule: rule, type: type.isEmpty ? nil : type, value: value, dnAttributes: dn)
                }
                let partStart = index
                while let byte = peek, byte != UInt8(ascii: ":"), byte != UInt8(ascii: "="), byte != end { index += 1 }
                let part = String(decoding: bytes[partStart..<index], as: UTF8.self)
                if part.lowercased() == "dn", rule == nil, !dn { dn = true } else { rule = part }
            }
            throw ParseError(offset: index, message: "':=' expected in an extensible match")
        }

        func checkType(_ type: String, at offset: Int) throws(ParseError) {
            guard !type.isEmpty else { throw ParseError(offset: offset, message: "an attribute was expected") }
            let allowed = type.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2D || byte == 0x2E || byte == 0x3B
            }
            guard allowed else { throw ParseError(offset: offset, message: "'\(type)' is not an attribute description") }
        }

        /// The value up to `end`, split at unescaped `*` when `stars`; `\XX` escapes decoded.
        mutating func value(until end: UInt8?, stars: Bool) throws(ParseError) -> [[UInt8]] {
            var parts: [[UInt8]] = [[]]
            while let byte = peek, byte != end {
                switch byte {
                case UInt8(ascii: "\\"):
                    guard let high = Self.hex(bytes[safe: index + 1]), let low = Self.hex(bytes[safe: index + 2])
                    else { throw ParseError(offset: index, message: "'\\' must be followed by two hexadecimal digits") }
                    parts[parts.count - 1].append(high << 4 | low)
                    index += 3
                case UInt8(ascii: "*") where stars:
                    parts.append([])
                    index += 1
                case UInt8(ascii: "("), UInt8(ascii: "*"):
                    throw ParseError(offset: index, message: "'\(Character(Unicode.Scalar(byte)))' must be escaped in a value (as \\\(byte == 0x28 ? "28" : "2a"))")
                case UInt8(ascii: ")") where end == nil:
                    throw ParseError(offset: index, message: "')' must be escaped in a value (as \\29)")
                default:
                    parts[parts.count - 1].append(byte)
                    index += 1
                }
            }
            return parts
        }

        static func hex(_ byte: UInt8?) -> UInt8? {
            guard let byte else { return nil }
            switch byte {
            case 0x30...0x39: return byte - 0x30
            case 0x41...0x46: return byte - 0x41 + 10
            case 0x61...0x66: return byte - 0x61 + 10
            default: return nil
            }
        }
    }

    /// The string form, with the characters a value may not hold escaped (`\2a`, `\28`, `\29`,
    /// `\5c`, `\00`, and bytes that are not UTF-8).
    package var description: String {
        switch self {
        case .and(let filters): return "(&" + filters.map(\.description).joined() + ")"
        case .or(let filters): return "(|" + filters.map(\.description).joined() + ")"
        case .not(let filter): return "(!" + filter.description + ")"
        case .equal(let type, let value): return "(\(type)=\(Self.escaped(value)))"
        case .substrings(let type, let initial, let any, let final):
            let middle = any.map { Self.escaped($0) + "*" }.joined()
            return "(\(type)=\(initial.map(Self.escaped) ?? "")*\(middle)\(final.map(Self.escaped) ?? ""))"
        case .greaterOrEqual(let type, let value): return "(\(type)>=\(Self.escaped(value)))"
        case .lessOrEqual(let type, let value): return "(\(type)<=\(Self.escaped(value)))"
        case .present(let type): return "(\(type)=*)"
        case .approximate(let type, let value): return "(\(type)~=\(Self.escaped(value)))"
        case .extensible(let rule, let type, let value, let dn):
            return "(\(type ?? "")\(dn ? ":dn" : "")\(rule.map { ":" + $0 } ?? ""):=\(Self.escaped(value)))"
        }
    }

    /// A value as it may stand in a filter's text.
    package static func escaped(_ value: some Collection<UInt8>) -> String {
        let text = String(validating: Array(value), as: UTF8.self)
        var result = ""
        if let text {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "*": result += "\\2a"
                case "(": result += "\\28"
                case ")": result += "\\29"
                case "\\": result += "\\5c"
                case "\0": result += "\\00"
                default: result.unicodeScalars.append(scalar)
                }
            }
            return result
        }
        let digits = Array("0123456789abcdef")
        for byte in value { result += "\\" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)]) }
        return result
    }
}

extension [[UInt8]] {
    fileprivate var joined: [UInt8] { first ?? [] }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
