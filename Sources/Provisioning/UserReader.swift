import Foundation
import JSONValues

/// Reads source users from a file without holding the file in memory: a JSON array of objects,
/// one object, objects one after another, NDJSON (`.ndjson`/`.jsonl`, one object per line), or
/// CSV (`.csv`: a header row of attribute names, then a user a row, RFC 4180's quoting).
/// Each user's bytes are cut out for parsing elsewhere, with the line and column where it starts,
/// so that a malformed user is reported at its place and the others are still read.
package struct UserReader {
    /// One user's text, still unparsed.
    package struct Record: Sendable {
        package var file: String
        /// Position in its file, from 0.
        package var index: Int
        /// 1-based line and column where the user starts.
        package var line: Int
        package var column: Int
        package var bytes: [UInt8]
        /// A problem the reader found itself (text after the array, an unterminated value).
        package var readError: String?
    }

    package let path: String
    private let handle: FileHandle
    private let lineMode: Bool
    private let csv: CSVOptions?
    /// A CSV file's header: the attribute names.
    private var header: [String]?
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var finished = false
    private var index = 0
    /// The users of the Graph collection page being handed out, and how many were.
    private var pageUsers: [Record] = []
    private var queued = 0
    private var line = 1
    /// The 1-based column of `position`, in characters.
    private var column = 1
    private var mode: Mode = .unknown
    package private(set) var bytesRead = 0

    private enum Mode { case unknown, array, stream, done }

    static let chunkSize = 1 << 22

    package init(path: String, csv options: CSVOptions = CSVOptions()) throws(UserReaderError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw UserReaderError(message: "cannot open '\(path)'")
        }
        self.path = path
        self.handle = handle
        let lowered = path.lowercased()
        lineMode = lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".jsonl")
        csv = lowered.hasSuffix(".csv") ? options : nil
    }

    /// Drops the bytes already handed out; called between users only, never inside one.
    private mutating func compact() {
        if position >= Self.chunkSize / 2 || (position > 0 && position == buffer.count) {
            buffer.removeFirst(position)
            position = 0
        }
    }

    /// Reads more of the file onto the end of the buffer; false at the end of the file.
    private mutating func fill() -> Bool {
        guard !atEnd else { return false }
        let data = handle.readData(ofLength: Self.chunkSize)
        if data.isEmpty {
            atEnd = true
            try? handle.close()
            return false
        }
        bytesRead += data.count
        buffer.append(contentsOf: data)
        return true
    }

    private mutating func peek() -> UInt8? {
        while position >= buffer.count {
            if !fill() { return nil }
        }
        return buffer[position]
    }

    private mutating func advance() {
        let byte = buffer[position]
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
        position += 1
    }

    private mutating func skipWhitespace(andCommas: Bool) {
        while let byte = peek(), byte.isSeparator && (andCommas || byte != UInt8(ascii: ",")) {
            advance()
        }
    }

    /// The next user, or nil at the end of the file. A Microsoft Graph collection page
    /// (`{"@odata.context": …, "value": [users]}`) gives its users one by one.
    package mutating func next() -> Record? {
        while true {
            if queued < pageUsers.count {
                defer { queued += 1 }
                return numbered(pageUsers[queued])
            }
            pageUsers = []
            queued = 0
            guard let record = csv != nil ? nextRow() : lineMode ? nextLine() : nextValue() else { return nil }
            guard record.readError == nil, let users = GraphCollection.users(in: record) else { return numbered(record) }
            pageUsers = users
        }
    }

    private mutating func numbered(_ record: Record) -> Record {
        var record = record
        record.index = index
        index += 1
        return record
    }

    /// The next top-level value (JSON, not NDJSON), or nil at the end of the file.
    private mutating func nextValue() -> Record? {
        guard !finished else { return nil }
        compact()
        if mode == .unknown {
            skipByteOrderMark()
            skipWhitespace(andCommas: false)
            if peek() == UInt8(ascii: "[") {
                advance()
                mode = .array
            } else {
                mode = .stream
            }
        }
        skipWhitespace(andCommas: mode == .array)
        guard let first = peek() else {
            finished = true
            if mode == .array {
                return Record(file: path, index: index, line: line, column: column, bytes: [], readError: "the JSON array is not closed: expected ']' at the end of the file")
            }
            return nil
        }
        if mode == .array, first == UInt8(ascii: "]") {
            advance()
            skipWhitespace(andCommas: false)
            finished = true
            if peek() != nil {
                return Record(file: path, index: index, line: line, column: column, bytes: [], readError: "unexpected text after the closing ']' of the array")
            }
            return nil
        }
        let startLine = line, startColumn = column
        let start = position
        var depth = 0
        var inString = false
        var escaped = false
        while let byte = peek() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                advance()
                continue
            }
            if depth == 0, position > start, byte.isSeparator || (mode == .array && byte == UInt8(ascii: "]")) { break }
            advance()
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth = max(0, depth - 1)
            default: break
            }
            if depth == 0, byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { break }
        }
        let bytes = Array(buffer[start..<position])
        if inString || depth > 0 {
            finished = true
            return Record(file: path, index: index, line: startLine, column: startColumn, bytes: bytes, readError: inString ? "unterminated string: the file ends inside it" : "the value is not closed before the end of the file")
        }
        return Record(file: path, index: index, line: startLine, column: startColumn, bytes: bytes, readError: nil)
    }

    /// A UTF-8 byte order mark at the start of the file, as Windows tools write it, is not data.
    private mutating func skipByteOrderMark() {
        guard position == 0, peek() == 0xEF else { return }
        while buffer.count < 3, fill() {}
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
    }

    private mutating func nextLine() -> Record? {
        guard !finished else { return nil }
        compact()
        if mode == .unknown {
            skipByteOrderMark()
            mode = .stream
        }
        while true {
            skipWhitespace(andCommas: false)
            guard peek() != nil else {
                finished = true
                return nil
            }
            let startLine = line
            let start = position
            while let byte = peek(), byte != UInt8(ascii: "\n") { advance() }
            var end = position
            while end > start, buffer[end - 1] == 0x0D || buffer[end - 1] == 0x20 { end -= 1 }
            if end == start { continue }
            return Record(file: path, index: index, line: startLine, column: 1, bytes: Array(buffer[start..<end]), readError: nil)
        }
    }
}

/// How a CSV file's rows become users: which columns hold several values, and what separates them.
public struct CSVOptions: Sendable, Hashable {
    /// The columns whose text is a list (`proxyAddresses`, `roles`), compared without case.
    public var multiValued: [String]
    /// What separates a multi-valued column's values: `;` unless told.
    public var separator: String

    public init(multiValued: [String] = [], separator: String = ";") {
        self.multiValued = multiValued
        self.separator = separator
    }
}

extension UserReader {
    /// The next CSV row as a user: a JSON object of the header's names, each column's text (an
    /// empty one absent, as a null; a multi-valued one split at the separator). A row with more
    /// fields than the header, or a quote left open, is a located error; the next row is read.
    private mutating func nextRow() -> Record? {
        guard !finished else { return nil }
        compact()
        if mode == .unknown {
            skipByteOrderMark()
            mode = .stream
            guard let names = nextFields(), !names.fields.isEmpty else {
                finished = true
                return nil
            }
            header = names.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if let problem = names.problem {
                finished = true
                return Record(file: path, index: index, line: names.line, column: 1, bytes: [], readError: problem)
            }
        }
        while true {
            guard let row = nextFields() else {
                finished = true
                return nil
            }
            // A blank line is no user.
            if row.fields.count == 1, row.fields[0].isEmpty, row.problem == nil { continue }
            let header = header ?? []
            if let problem = row.problem {
                return Record(file: path, index: index, line: row.line, column: 1, bytes: [], readError: problem)
            }
            guard row.fields.count <= header.count else {
                return Record(
                    file: path, index: index, line: row.line, column: 1, bytes: [],
                    readError: "the row has \(row.fields.count) fields and the header \(header.count)")
            }
            var members: [(String, JSON)] = []
            for (name, text) in zip(header, row.fields) {
                if text.isEmpty {
                    members.append((name, .null))
                } else if csv?.multiValued.contains(where: { $0.lowercased() == name.lowercased() }) == true {
                    let values = text.components(separatedBy: csv?.separator ?? ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    members.append((name, .array(values.map(JSON.string))))
                } else {
                    members.append((name, .string(text)))
                }
            }
            return Record(file: path, index: index, line: row.line, column: 1, bytes: Array(JSON.object(members).serialized.utf8), readError: nil)
        }
    }

    /// The fields of the next CSV record (RFC 4180: a field in double quotes may hold commas, line
    /// breaks and `""` for a quote), the line it starts on, and what is wrong with it; nil at the end.
    private mutating func nextFields() -> (fields: [String], line: Int, problem: String?)? {
        guard peek() != nil else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var problem: String?
        func take() {
            fields.append(String(decoding: field, as: UTF8.self))
            field = []
        }
        while let byte = peek() {
            if quoted {
                advance()
                if byte == UInt8(ascii: "\"") {
                    if peek() == UInt8(ascii: "\"") {
                        field.append(byte)
                        advance()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                advance()
                take()
            case UInt8(ascii: "\n"):
                advance()
                if field.last == 0x0D { field.removeLast() }
                take()
                return (fields, startLine, problem)
            case UInt8(ascii: "\"") where field.isEmpty:
                advance()
                quoted = true
            default:
                advance()
                field.append(byte)
            }
        }
        if quoted { problem = "a quoted field is not closed before the end of the file" }
        if field.last == 0x0D { field.removeLast() }
        take()
        return (fields, startLine, problem)
    }
}

/// An input that cannot be read at all.
public struct UserReaderError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension UInt8 {
    /// Whitespace or a comma: what ends a top-level scalar.
    fileprivate var isSeparator: Bool {
        self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 || self == UInt8(ascii: ",")
    }
}
