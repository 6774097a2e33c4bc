/// The subset of BER (ITU-T X.690) that LDAP uses (RFC 4511 §5.1): one-byte tags, definite
/// lengths, primitive strings. Writing produces what RFC 4511 asks of a client (minimal lengths,
/// `TRUE` as `0xFF`); reading accepts what servers send (long-form lengths, any non-zero `TRUE`).
package enum BER {
    /// A tag: its class, whether it is constructed, and its number (below 31).
    package struct Tag: Hashable, Sendable, CustomStringConvertible {
        package var byte: UInt8

        package init(_ byte: UInt8) { self.byte = byte }

        package static let boolean = Tag(0x01)
        package static let integer = Tag(0x02)
        package static let octetString = Tag(0x04)
        package static let null = Tag(0x05)
        package static let enumerated = Tag(0x0A)
        package static let sequence = Tag(0x30)
        package static let set = Tag(0x31)

        /// `[APPLICATION n]`, constructed or primitive.
        package static func application(_ number: UInt8, constructed: Bool = true) -> Tag {
            Tag(0x40 | (constructed ? 0x20 : 0) | number)
        }

        /// `[n]`, context-specific, constructed or primitive.
        package static func context(_ number: UInt8, constructed: Bool = false) -> Tag {
            Tag(0x80 | (constructed ? 0x20 : 0) | number)
        }

        package var isConstructed: Bool { byte & 0x20 != 0 }

        package var description: String {
            let number = byte & 0x1F
            switch byte & 0xC0 {
            case 0x40: return "[APPLICATION \(number)]"
            case 0x80: return "[\(number)]"
            case 0xC0: return "[PRIVATE \(number)]"
            default:
                let names: [UInt8: String] = [1: "BOOLEAN", 2: "INTEGER", 4: "OCTET STRING", 5: "NULL", 10: "ENUMERATED", 16: "SEQUENCE", 17: "SET"]
                return names[number] ?? "[UNIVERSAL \(number)]"
            }
        }
    }

    /// What is wrong with bytes that were to be BER, and where.
    package struct DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        package var offset: Int
        package var message: String

        package init(_ message: String, at offset: Int) {
            self.offset = offset
            self.message = message
        }

        package var description: String { "\(message) (at byte \(offset))" }
    }

    /// The length of the first element of `bytes` when all of it is there: nil while more bytes
    /// are needed. Framing for a stream of LDAP messages.
    package static func frameLength(_ bytes: some Collection<UInt8>) throws(DecodingError) -> Int? {
        var index = bytes.startIndex
        guard index != bytes.endIndex else { return nil }
        bytes.formIndex(after: &index)
        guard index != bytes.endIndex else { return nil }
        let first = bytes[index]
        bytes.formIndex(after: &index)
        if first < 0x80 { return bytes.count >= 2 + Int(first) ? 2 + Int(first) : nil }
        let count = Int(first & 0x7F)
        guard count > 0 else { throw DecodingError("an indefinite length, which LDAP does not allow", at: 1) }
        guard count <= 4 else { throw DecodingError("a length of \(count) bytes, more than a message may have", at: 1) }
        var length = 0
        for _ in 0..<count {
            guard index != bytes.endIndex else { return nil }
            length = length << 8 | Int(bytes[index])
            bytes.formIndex(after: &index)
        }
        let total = 2 + count + length
        return bytes.count >= total ? total : nil
    }

    // MARK: Reading

    /// Reads elements one after the other from some bytes: the contents of a constructed element
    /// are read by a reader of their own.
    package struct Reader: Sendable {
        package let bytes: ArraySlice<UInt8>
        package private(set) var index: Int

        package init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            index = bytes.startIndex
        }

        package init(_ bytes: [UInt8]) { self.init(bytes[...]) }

        package var isAtEnd: Bool { index >= bytes.endIndex }

        /// The tag of the next element, without reading it.
        package var nextTag: Tag? { isAtEnd ? nil : Tag(bytes[index]) }

        /// The next element: its tag and its contents.
        package mutating func element() throws(DecodingError) -> (tag: Tag, contents: ArraySlice<UInt8>) {
            guard index < bytes.endIndex else { throw DecodingError("an element was expected, the data ended", at: index) }
            let tag = Tag(bytes[index])
            guard tag.byte & 0x1F != 0x1F else { throw DecodingError("a tag number above 30, which LDAP does not use", at: index) }
            var cursor = index + 1
            guard cursor < bytes.endIndex else { throw DecodingError("the length of \(tag) is missing", at: cursor) }
            let first = bytes[cursor]
            cursor += 1
            var length = Int(first)
            if first >= 0x80 {
                let count = Int(first & 0x7F)
                guard count > 0 else { throw DecodingError("an indefinite length, which LDAP does not allow", at: cursor - 1) }
                guard count <= 4, cursor + count <= bytes.endIndex else { throw DecodingError("the length of \(tag) is cut short or too long", at: cursor - 1) }
                length = 0
                for offset in 0..<count { length = length << 8 | Int(bytes[cursor + offset]) }
                cursor += count
            }
            guard length <= bytes.endIndex - cursor else {
                throw DecodingError("\(tag) says \(length) bytes, only \(bytes.endIndex - cursor) follow", at: index)
            }
            index = cursor + length
            return (tag, bytes[cursor..<cursor + length])
        }

        /// The next element, which must have `tag`.
        package mutating func element(_ tag: Tag) throws(DecodingError) -> ArraySlice<UInt8> {
            let at = index
            let (found, contents) = try element()
            guard found == tag else { throw DecodingError("\(tag) was expected, \(found) found", at: at) }
            return contents
        }

        /// A reader of the contents of the next element, a constructed one of `tag`.
        package mutating func nested(_ tag: Tag) throws(DecodingError) -> Reader {
            Reader(try element(tag))
        }

        /// The next element when it has `tag`; nil (and nothing read) otherwise.
        package mutating func optional(_ tag: Tag) throws(DecodingError) -> ArraySlice<UInt8>? {
            nextTag == tag ? try element(tag) : nil
        }

        package mutating func integer(_ tag: Tag = .integer) throws(DecodingError) -> Int {
            let at = index
            let contents = try element(tag)
            return try BER.integer(contents, at: at)
        }

        package mutating func boolean(_ tag: Tag = .boolean) throws(DecodingError) -> Bool {
            let at = index
            let contents = try element(tag)
            guard contents.count == 1 else { throw DecodingError("a BOOLEAN of \(contents.count) bytes", at: at) }
            return contents.first != 0
        }

        package mutating func octets(_ tag: Tag = .octetString) throws(DecodingError) -> [UInt8] {
            Array(try element(tag))
        }

        package mutating func string(_ tag: Tag = .octetString) throws(DecodingError) -> String {
            String(decoding: try element(tag), as: UTF8.self)
        }
    }

    /// A two's complement integer of at most 8 bytes.
    static func integer(_ contents: ArraySlice<UInt8>, at offset: Int) throws(DecodingError) -> Int {
        guard !contents.isEmpty else { throw DecodingError("an INTEGER with no bytes", at: offset) }
        guard contents.count <= 8 else { throw DecodingError("an INTEGER of \(contents.count) bytes", at: offset) }
        var value = Int(Int8(bitPattern: contents.first!))
        for byte in contents.dropFirst() { value = value << 8 | Int(byte) }
        return value
    }

    // MARK: Writing

    /// Appends elements to bytes; a constructed element's contents are written by a closure, and
    /// its length put in front of them afterwards.
    package struct Writer: Sendable {
        package private(set) var bytes: [UInt8] = []

        package init() {}

        package mutating func element(_ tag: Tag, contents: some Collection<UInt8>) {
            bytes.append(tag.byte)
            appendLength(contents.count)
            bytes.append(contentsOf: contents)
        }

        package mutating func constructed(_ tag: Tag, _ body: (inout Writer) -> Void) {
            bytes.append(tag.byte)
            let start = bytes.count
            body(&self)
            let length = bytes.count - start
            let encoded = Self.length(length)
            bytes.insert(contentsOf: encoded, at: start)
        }

        package mutating func sequence(_ body: (inout Writer) -> Void) { constructed(.sequence, body) }

        package mutating func integer(_ value: Int, tag: Tag = .integer) {
            element(tag, contents: Self.integerBytes(value))
        }

        package mutating func enumerated(_ value: Int) { integer(value, tag: .enumerated) }

        package mutating func boolean(_ value: Bool, tag: Tag = .boolean) {
            element(tag, contents: [value ? 0xFF : 0x00])
        }

        package mutating func octets(_ value: some Collection<UInt8>, tag: Tag = .octetString) {
            element(tag, contents: value)
        }

        package mutating func string(_ value: String, tag: Tag = .octetString) {
            element(tag, contents: Array(value.utf8))
        }

        private mutating func appendLength(_ length: Int) {
            bytes.append(contentsOf: Self.length(length))
        }

        static func length(_ length: Int) -> [UInt8] {
            if length < 0x80 { return [UInt8(length)] }
            var octets: [UInt8] = []
            var rest = length
            while rest > 0 {
                octets.insert(UInt8(rest & 0xFF), at: 0)
                rest >>= 8
            }
            return [0x80 | UInt8(octets.count)] + octets
        }

        /// The fewest bytes of `value` in two's complement.
        package static func integerBytes(_ value: Int) -> [UInt8] {
            var octets = withUnsafeBytes(of: value.bigEndian, Array.init)
            while octets.count > 1, (octets[0] == 0x00 && octets[1] & 0x80 == 0) || (octets[0] == 0xFF && octets[1] & 0x80 != 0) {
                octets.removeFirst()
            }
            return octets
        }
    }
}
