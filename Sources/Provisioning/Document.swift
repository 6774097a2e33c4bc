import JSONValues
import MappingExpressions
import Yams

/// A YAML or JSON document as a tree whose nodes know where they are in the file, so that a
/// problem in a mapping file, even inside an expression string, is reported at its own line and
/// column.
struct DocumentNode: Sendable {
    enum Kind: Sendable {
        case scalar(String)
        case null
        case mapping([(key: DocumentNode, value: DocumentNode)])
        case sequence([DocumentNode])
    }

    var kind: Kind
    /// The UTF-8 offset of the node in the file.
    var offset: Int
    /// The length to underline.
    var length: Int
    /// For a scalar whose text appears unchanged in the file (plain, or quoted without escapes):
    /// the offset of its first character. Expression diagnostics then point into the file.
    var verbatimOffset: Int?
    /// For a quoted scalar with escapes on one line: the file offset of each UTF-8 byte of its
    /// value, plus one past the end, so expression diagnostics still point into the file.
    var escapedOffsets: [Int]?

    /// The file offset of `offset` within the scalar's value, when it can be placed in the file.
    func fileOffset(_ offset: Int) -> Int? {
        if let verbatimOffset { return verbatimOffset + offset }
        if let escapedOffsets, offset >= 0, offset < escapedOffsets.count { return escapedOffsets[offset] }
        return nil
    }

    var range: SourceRange { SourceRange(offset, offset + max(1, length)) }

    var string: String? {
        if case .scalar(let text) = kind { text } else { nil }
    }

    var members: [(key: DocumentNode, value: DocumentNode)]? {
        if case .mapping(let members) = kind { members } else { nil }
    }

    var elements: [DocumentNode]? {
        if case .sequence(let elements) = kind { elements } else { nil }
    }

    var isNull: Bool { if case .null = kind { true } else { false } }

    subscript(key: String) -> DocumentNode? {
        members?.first { $0.key.string == key }?.value
    }

    /// What the node is, for messages: "a string", "a list", …
    var kindDescription: String {
        switch kind {
        case .scalar: "a scalar"
        case .null: "null"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }
}

/// Reads YAML (and JSON, which YAML includes) into ``DocumentNode`` trees.
struct DocumentReader {
    let file: SourceFile
    private let bytes: [UInt8]
    private let lineStarts: [Int]

    init(file: SourceFile) {
        self.file = file
        bytes = Array(file.text.utf8)
        var starts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(offset + 1) }
        lineStarts = starts
    }

    struct SyntaxError: Error {
        var message: String
        var offset: Int
    }

    func read() -> Swift.Result<DocumentNode?, SyntaxError> {
        do {
            let node = try Yams.compose(yaml: file.text)
            return .success(node.map(convert))
        } catch let error as YamlError {
            return .failure(describe(error))
        } catch {
            return .failure(SyntaxError(message: "\(error)", offset: 0))
        }
    }

    private func describe(_ error: YamlError) -> SyntaxError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = context.map { "\(problem) \($0.text)" } ?? problem
            return SyntaxError(message: "invalid YAML: \(text)", offset: offset(of: mark))
        case .reader(let problem, let offset, _, _):
            return SyntaxError(message: "invalid YAML: \(problem)", offset: offset ?? 0)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return SyntaxError(message: "duplicate key '\(duplicates.joined(separator: "', '"))'", offset: offset(of: context.mark))
        default:
            return SyntaxError(message: "invalid YAML: \(error)", offset: 0)
        }
    }

    /// The UTF-8 offset of a libyaml mark (1-based line, column in Unicode scalars).
    private func offset(of mark: Mark?) -> Int {
        guard let mark, mark.line >= 1, mark.line <= lineStarts.count else { return 0 }
        var offset = lineStarts[mark.line - 1]
        var scalars = mark.column - 1
        while scalars > 0, offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") {
            offset += 1
            while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            scalars -= 1
        }
        return offset
    }

    /// Walks a quoted scalar's text in the file, undoing the simple escapes (`\"`, `\\`, `\/`,
    /// `\n`, `\t` and `''`), and records where each byte of the value comes from. Nil when the
    /// scalar spans lines or uses another escape, or when the walk does not give back `value`.
    private func escapeMap(from start: Int, value: [UInt8], doubleQuoted: Bool) -> [Int]? {
        var offsets: [Int] = []
        offsets.reserveCapacity(value.count + 1)
        var decoded: [UInt8] = []
        var index = start
        let quote = doubleQuoted ? UInt8(ascii: "\"") : UInt8(ascii: "'")
        while index < bytes.count, decoded.count < value.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") { return nil }
            if doubleQuoted, byte == UInt8(ascii: "\\"), index + 1 < bytes.count {
                let next = bytes[index + 1]
                let replacement: UInt8
                switch next {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): replacement = next
                case UInt8(ascii: "n"): replacement = 0x0A
                case UInt8(ascii: "t"): replacement = 0x09
                default: return nil
                }
                offsets.append(index)
                decoded.append(replacement)
                index += 2
                continue
            }
            if !doubleQuoted, byte == quote, index + 1 < bytes.count, bytes[index + 1] == quote {
                offsets.append(index)
                decoded.append(quote)
                index += 2
                continue
            }
            if byte == quote { return nil }
            offsets.append(index)
            decoded.append(byte)
            index += 1
        }
        guard decoded == value, index < bytes.count, bytes[index] == quote else { return nil }
        offsets.append(index)
        return offsets
    }

    private func convert(_ node: Node) -> DocumentNode {
        switch node {
        case .scalar(let scalar):
            let start = offset(of: scalar.mark)
            let text = scalar.string
            let plainNull = scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(text)
            var verbatim: Int?
            let contentStart: Int
            switch scalar.style {
            case .singleQuoted, .doubleQuoted: contentStart = start + 1
            default: contentStart = start
            }
            let utf8 = Array(text.utf8)
            if scalar.style == .plain || scalar.style == .singleQuoted || scalar.style == .doubleQuoted,
                contentStart + utf8.count <= bytes.count, bytes[contentStart..<contentStart + utf8.count].elementsEqual(utf8)
            {
                verbatim = contentStart
            }
            var escaped: [Int]?
            if verbatim == nil, scalar.style == .doubleQuoted || scalar.style == .singleQuoted {
                escaped = escapeMap(from: contentStart, value: utf8, doubleQuoted: scalar.style == .doubleQuoted)
            }
            let quotes = contentStart - start
            let length = escaped.map { ($0.last ?? contentStart) - start + quotes } ?? (utf8.count + 2 * quotes)
            return DocumentNode(
                kind: plainNull ? .null : .scalar(text), offset: start, length: max(1, length),
                verbatimOffset: verbatim, escapedOffsets: escaped)
        case .mapping(let mapping):
            let members = mapping.map { (key: convert($0.key), value: convert($0.value)) }
            return DocumentNode(kind: .mapping(members), offset: offset(of: mapping.mark), length: 1)
        case .sequence(let sequence):
            return DocumentNode(kind: .sequence(sequence.map(convert)), offset: offset(of: sequence.mark), length: 1)
        case .alias(let alias):
            return DocumentNode(kind: .null, offset: offset(of: alias.mark), length: 1)
        }
    }
}
