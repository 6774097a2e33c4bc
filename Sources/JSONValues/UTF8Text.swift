/// Text that must be UTF-8 (RFC 8259 for JSON, YAML 1.2 for mapping files), decoded strictly:
/// malformed bytes are an error at their place, never silently replaced by U+FFFD, so two
/// different malformed names can never become the same name.
public enum UTF8Text {
    /// Malformed UTF-8: where the first bad sequence starts, and its bytes.
    public struct InvalidBytes: Error, Hashable, Sendable, CustomStringConvertible {
        /// Offset of the first bad byte from the start of the input.
        public var offset: Int
        /// 1-based line and column (in characters) of the first bad byte.
        public var line: Int
        public var column: Int
        /// The bad sequence (up to four bytes), for the message.
        public var bytes: [UInt8]

        /// `invalid UTF-8: the bytes FF FE are not a character; the text must be UTF-8`; the
        /// place is in ``line``, ``column`` and ``offset``.
        public var message: String { message(in: nil) }

        /// The message, saying where the bytes are: `invalid UTF-8 in a string: …`.
        public func message(in place: String?) -> String {
            let hex = bytes.map { byte in
                let digits = String(byte, radix: 16, uppercase: true)
                return digits.count == 1 ? "0" + digits : digits
            }
            let what = bytes.count == 1 ? "the byte \(hex[0]) is" : "the bytes \(hex.joined(separator: " ")) are"
            return "invalid UTF-8\(place.map { " in \($0)" } ?? ""): \(what) not a character; the text must be UTF-8"
        }

        public var description: String { "\(line):\(column): \(message)" }
    }

    /// Decodes `bytes`, which must be well-formed UTF-8; a leading byte order mark is dropped.
    public static func decode(_ bytes: some Collection<UInt8>) throws(InvalidBytes) -> String {
        let array = Array(bytes)
        let body = array.starts(with: [0xEF, 0xBB, 0xBF]) ? array[3...] : array[...]
        if let text = String(validating: body, as: UTF8.self) { return text }
        throw invalidBytes(in: array, from: body.startIndex)!
    }

    /// The first malformed sequence in `bytes[from...]`, located; nil when all of it is UTF-8.
    public static func invalidBytes(in bytes: [UInt8], from start: Int = 0, upTo end: Int? = nil) -> InvalidBytes? {
        let end = end ?? bytes.count
        var index = start
        // Runs of ASCII, eight bytes at a time.
        bytes.withUnsafeBytes { raw in
            while index + 8 <= end, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { index += 8 }
        }
        while index < end {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
                continue
            }
            let length = sequenceLength(bytes, at: index, end: end)
            if length > 0 {
                index += length
                continue
            }
            // The bad sequence: the lead byte and the continuation bytes that follow it.
            var stop = index + 1
            while stop < end, stop - index < 4, bytes[stop] & 0xC0 == 0x80 { stop += 1 }
            if stop == index + 1, stop < end, bytes[stop] >= 0x80, bytes[stop] & 0xC0 != 0x80, sequenceLength(bytes, at: stop, end: end) == 0 {
                stop += 1  // two lone bytes such as FF FE are shown together
            }
            let (line, column) = location(of: index, in: bytes)
            return InvalidBytes(offset: index, line: line, column: column, bytes: Array(bytes[index..<stop]))
        }
        return nil
    }

    /// The 1-based line and column (in characters) of the byte at `offset`.
    public static func location(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        let offset = min(offset, bytes.count)
        var line = 1
        var lineStart = 0
        for position in 0..<offset where bytes[position] == 0x0A {
            line += 1
            lineStart = position + 1
        }
        return (line, String(decoding: bytes[lineStart..<offset], as: UTF8.self).count + 1)
    }

    /// The length of the well-formed sequence at `index` (RFC 3629, no overlong forms, no
    /// surrogates, nothing above U+10FFFF), or 0 when it is malformed.
    private static func sequenceLength(_ bytes: [UInt8], at index: Int, end: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        guard index + length <= end else { return 0 }
        let second = bytes[index + 1]
        guard second >= low, second <= high else { return 0 }
        for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 { return 0 }
        return length
    }
}
