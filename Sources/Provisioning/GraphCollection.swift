/// Microsoft Graph's collection responses, as `GET /users` in Graph Explorer, `az rest` or curl
/// save them: `{"@odata.context": "…", "value": [{…}, {…}], "@odata.nextLink": "…"}`. Such a
/// page is read as its users, each at its own line and column in the file.
enum GraphCollection {
    /// The users of the page `record` holds, each a record of its own; nil when `record` is not
    /// a Graph collection (an object with an `@odata.…` member and a `value` array) or is
    /// malformed, so that it is read, and its problems reported, as a user.
    static func users(in record: UserReader.Record) -> [UserReader.Record]? {
        guard record.bytes.first == UInt8(ascii: "{"), mentionsODataKey(record.bytes) else { return nil }
        var scanner = Scanner(bytes: record.bytes, line: record.line, column: record.column)
        return scanner.collection(file: record.file)
    }

    /// Whether `"@odata.` occurs at all: a cheap test before scanning, made for every user read.
    private static func mentionsODataKey(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            let marker: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (UInt8(ascii: "o"), UInt8(ascii: "d"), UInt8(ascii: "a"), UInt8(ascii: "t"), UInt8(ascii: "a"), UInt8(ascii: "."))
            var index = 1
            while index + 6 < buffer.count {
                if buffer[index] == UInt8(ascii: "@"), buffer[index - 1] == UInt8(ascii: "\""), buffer[index + 1] == marker.0,
                    buffer[index + 2] == marker.1, buffer[index + 3] == marker.2, buffer[index + 4] == marker.3,
                    buffer[index + 5] == marker.4, buffer[index + 6] == marker.5
                {
                    return true
                }
                index += 1
            }
            return false
        }
    }

    /// Walks the page's bytes, keeping line and column as ``UserReader`` does.
    private struct Scanner {
        let bytes: [UInt8]
        var position = 0
        var line: Int
        var column: Int

        init(bytes: [UInt8], line: Int, column: Int) {
            self.bytes = bytes
            self.line = line
            self.column = column
        }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func advance() {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
            position += 1
        }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { advance() }
        }

        /// Steps over one string, returning its raw bytes (escapes left as written).
        mutating func string() -> ArraySlice<UInt8>? {
            guard current == UInt8(ascii: "\"") else { return nil }
            advance()
            let start = position
            var escaped = false
            while let byte = current {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    let text = bytes[start..<position]
                    advance()
                    return text
                }
                advance()
            }
            return nil
        }

        /// Steps over one value, nested or not; false when the bytes end inside it.
        mutating func skipValue() -> Bool {
            var depth = 0
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return false }
                    if depth == 0 { return true }
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    advance()
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    // At depth 0 this closes the enclosing page or array: a scalar ends here.
                    guard depth > 0 else { return true }
                    depth -= 1
                    advance()
                    if depth == 0 { return true }
                case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: ":"):
                    if depth == 0 { return true }
                    advance()
                default:
                    advance()
                }
            }
            return depth == 0
        }

        /// The elements of the `value` array, when the object is a collection page.
        mutating func collection(file: String) -> [UserReader.Record]? {
            guard current == UInt8(ascii: "{") else { return nil }
            advance()
            var hasODataKey = false
            var users: [UserReader.Record]?
            while true {
                skipWhitespace()
                if current == UInt8(ascii: "}") { break }
                guard let key = string() else { return nil }
                if key.starts(with: "@odata.".utf8) { hasODataKey = true }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { return nil }
                advance()
                skipWhitespace()
                if key.elementsEqual("value".utf8), current == UInt8(ascii: "[") {
                    guard let elements = elements(file: file) else { return nil }
                    users = elements
                } else if !skipValue() {
                    return nil
                }
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    advance()
                    continue
                }
                guard current == UInt8(ascii: "}") else { return nil }
                break
            }
            return hasODataKey ? users : nil
        }

        /// The elements of the array that starts here, each cut out with its place.
        mutating func elements(file: String) -> [UserReader.Record]? {
            advance()
            var records: [UserReader.Record] = []
            while true {
                skipWhitespace()
                if current == UInt8(ascii: "]") {
                    advance()
                    return records
                }
                let start = position, startLine = line, startColumn = column
                guard skipValue() else { return nil }
                records.append(UserReader.Record(
                    file: file, index: 0, line: startLine, column: startColumn, bytes: Array(bytes[start..<position]), readError: nil))
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    advance()
                } else if current != UInt8(ascii: "]") {
                    return nil
                }
            }
        }
    }
}
