/// A distinguished name (RFC 4514): relative names from the entry up to the root,
/// `cn=Alice Smith,ou=People,dc=contoso,dc=lab`. Two names are the same entry when their
/// normalised forms are equal: attribute types without case, values without case and with
/// insignificant spaces removed (the matching of `cn`, `ou`, `dc`, `uid` and the other
/// directory-string naming attributes), escapes decoded. A server may store a name otherwise
/// than it was sent; comparisons go through ``normalized``.
package struct DistinguishedName: Hashable, Sendable, CustomStringConvertible {
    /// One `type=value` of a relative name.
    package struct Attribute: Hashable, Sendable {
        package var type: String
        package var value: String

        package init(_ type: String, _ value: String) {
            self.type = type
            self.value = value
        }
    }

    /// The relative names, the entry's own first; each may have several attributes (`cn=a+sn=b`).
    package var rdns: [[Attribute]]

    package init(rdns: [[Attribute]]) { self.rdns = rdns }

    package static let root = DistinguishedName(rdns: [])

    /// What is wrong with a name's text, and where (a 0-based byte offset).
    package struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        package var offset: Int
        package var message: String
        package var description: String { "\(message) at character \(offset + 1)" }
    }

    /// Reads a name's string form (RFC 4514 §3), with its escapes (`\,`, `\2C`) and `#` hex values.
    package init(parsing text: String) throws(ParseError) {
        let bytes = Array(text.utf8)
        var index = 0
        var rdns: [[Attribute]] = []
        var current: [Attribute] = []
        func skipSpaces() { while index < bytes.count, bytes[index] == 0x20 { index += 1 } }
        skipSpaces()
        if index == bytes.count {
            self.rdns = []
            return
        }
        while true {
            skipSpaces()
            let typeStart = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "="), bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "+") {
                index += 1
            }
            var type = String(decoding: bytes[typeStart..<index], as: UTF8.self)
            while type.hasSuffix(" ") { type.removeLast() }
            guard !type.isEmpty else { throw ParseError(offset: typeStart, message: "an attribute type was expected") }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                throw ParseError(offset: index, message: "'=' expected after '\(type)'")
            }
            guard Self.isType(type) else { throw ParseError(offset: typeStart, message: "'\(type)' is not an attribute type") }
            index += 1
            skipSpaces()
            var value: [UInt8] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "#") {
                // A BER value in hex: a string's text, anything else kept as written.
                let start = index
                index += 1
                while index < bytes.count, Self.hex(bytes[index]) != nil { index += 1 }
                value = Self.hexValue(bytes[start..<index])
            } else {
                // Trailing spaces are dropped unless escaped: remember where the last escape ended.
                var keep = 0
                while index < bytes.count, bytes[index] != UInt8(ascii: ","), bytes[index] != UInt8(ascii: "+") {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\\") {
                        guard index + 1 < bytes.count else { throw ParseError(offset: index, message: "'\\' at the end of the name") }
                        let next = bytes[index + 1]
                        if let high = Self.hex(next), index + 2 < bytes.count, let low = Self.hex(bytes[index + 2]) {
                            value.append(high << 4 | low)
                            index += 3
                        } else if Self.escapable.contains(next) {
                            value.append(next)
                            index += 2
                        } else {
                            throw ParseError(offset: index, message: "'\\' must be followed by a special character or two hexadecimal digits")
                        }
                        keep = value.count
                    } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") {
                        throw ParseError(offset: index, message: "'\(Character(Unicode.Scalar(byte)))' must be escaped in a value")
                    } else {
                        value.append(byte)
                        index += 1
                    }
                }
                while value.count > keep, value.last == 0x20 { value.removeLast() }
            }
            guard let text = String(validating: value, as: UTF8.self) else {
                throw ParseError(offset: index, message: "the value of '\(type)' is not UTF-8")
            }
            current.append(Attribute(type, text))
            if index == bytes.count {
                rdns.append(current)
                break
            }
            if bytes[index] == UInt8(ascii: ",") {
                rdns.append(current)
                current = []
            }
            index += 1
            if index == bytes.count { throw ParseError(offset: index, message: "the name ends with a separator") }
        }
        self.rdns = rdns
    }

    /// `#04024869`: the text of a BER string (OCTET STRING, UTF8String, PrintableString,
    /// IA5String), else the hex as written.
    static func hexValue(_ text: ArraySlice<UInt8>) -> [UInt8] {
        let digits = Array(text.dropFirst())
        guard digits.count % 2 == 0, !digits.isEmpty else { return Array(text) }
        let octets = stride(from: 0, to: digits.count, by: 2).map { hex(digits[$0])! << 4 | hex(digits[$0 + 1])! }
        var reader = BER.Reader(octets)
        guard let (tag, contents) = try? reader.element(), reader.isAtEnd, [0x04, 0x0C, 0x13, 0x16].contains(tag.byte) else { return Array(text) }
        return Array(contents)
    }

    static let escapable: Set<UInt8> = Set(" \"#+,;<=>\\".utf8)

    static func isType(_ type: String) -> Bool {
        guard let first = type.utf8.first else { return false }
        let isLetter = { (byte: UInt8) in byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A }
        let isDigit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
        if isLetter(first) { return type.utf8.allSatisfy { isLetter($0) || isDigit($0) || $0 == 0x2D } }
        // A numeric OID: 2.5.4.3
        return type.utf8.allSatisfy { isDigit($0) || $0 == 0x2E }
    }

    static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    // MARK: Parts

    /// The entry's own relative name: `cn=Alice Smith`.
    package var rdn: [Attribute] { rdns.first ?? [] }

    /// The name of the entry above: `ou=People,dc=contoso,dc=lab`.
    package var parent: DistinguishedName { DistinguishedName(rdns: Array(rdns.dropFirst())) }

    /// This name with `rdn` in front: a child of it.
    package func child(_ rdn: [Attribute]) -> DistinguishedName { DistinguishedName(rdns: [rdn] + rdns) }

    /// Whether this names an entry at or below `other`.
    package func isWithin(_ other: DistinguishedName) -> Bool {
        guard rdns.count >= other.rdns.count else { return false }
        return DistinguishedName(rdns: Array(rdns.suffix(other.rdns.count))).normalized == other.normalized
    }

    /// The value of `type` in the relative name of the DN `text`, when it parses and has one.
    package static func rdnValue(_ text: String, _ type: String) -> String? {
        (try? DistinguishedName(parsing: text))?.rdnValue(type)
    }

    /// The value of the relative name's attribute `type` (`cn`), if it has one.
    package func rdnValue(_ type: String) -> String? {
        rdn.first { $0.type.lowercased() == type.lowercased() }?.value
    }

    // MARK: Text

    /// The string form of RFC 4514 §2, with the characters that need it escaped.
    package var description: String {
        rdns.map { rdn in rdn.map { "\($0.type)=\(Self.escaped($0.value))" }.joined(separator: "+") }.joined(separator: ",")
    }

    /// A value as it may stand in a name: `,+"\<>;` and `=` escaped, a leading `#` or space and a
    /// trailing space escaped, NUL as `\00`.
    package static func escaped(_ value: String) -> String {
        var result = ""
        let scalars = Array(value.unicodeScalars)
        for (offset, scalar) in scalars.enumerated() {
            switch scalar {
            case ",", "+", "\"", "\\", "<", ">", ";", "=": result += "\\" + String(scalar)
            case "\0": result += "\\00"
            case " " where offset == 0 || offset == scalars.count - 1: result += "\\ "
            case "#" where offset == 0: result += "\\#"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// The form names are compared in: types lowercased, values lowercased with runs of spaces
    /// made one and none at either end, relative names of several attributes in a fixed order.
    package var normalized: String {
        rdns.map { rdn in
            rdn.map { "\($0.type.lowercased())=\(Self.escaped(Self.folded($0.value)))" }.sorted().joined(separator: "+")
        }.joined(separator: ",")
    }

    /// A value as directory-string matching sees it (RFC 4518's insignificant spaces, no case).
    package static func folded(_ value: String) -> String {
        value.lowercased().split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// Whether two names are of the same entry.
    package func matches(_ other: DistinguishedName) -> Bool { normalized == other.normalized }
}
