public import JSONValues

/// A SCIM filter (RFC 7644 §3.4.2.2), with the forms Entra sends: bare or URN-qualified attribute
/// names, value-filtered paths followed by a sub-attribute (`emails[type eq "work"].value eq "x"`),
/// and, leniently, an unquoted value (`externalId eq jyoung`, an old documentation sample).
public indirect enum Filter: Hashable, Sendable, CustomStringConvertible {
    case compare(AttributePath, Comparison, JSON)
    case present(AttributePath)
    /// `emails[type eq "work"]` on its own: some element matches the inner filter.
    case valuePath(AttributePath)
    case and(Filter, Filter)
    case or(Filter, Filter)
    case not(Filter)

    /// The comparison operators of RFC 7644 §3.4.2.2; `pr` (present) is its own case.
    public enum Comparison: String, Sendable, CaseIterable {
        case eq, ne, co, sw, ew, gt, lt, ge, le
    }

    /// Parses a whole filter. Throws with the offset of the first problem.
    public static func parse(_ text: String) throws(FilterSyntaxError) -> Filter {
        var parser = FilterParser(text)
        let filter = try parser.readFilter()
        try parser.expectEnd()
        return filter
    }

    public var description: String {
        switch self {
        case .compare(let path, let comparison, let value): "\(path) \(comparison.rawValue) \(value.serialized)"
        case .present(let path): "\(path) pr"
        case .valuePath(let path): path.description
        case .and(let lhs, let rhs): "\(lhs.grouped(inside: .and)) and \(rhs.grouped(inside: .and))"
        case .or(let lhs, let rhs): "\(lhs) or \(rhs)"
        case .not(let inner): "not (\(inner))"
        }
    }

    private enum Context { case and }

    private func grouped(inside context: Context) -> String {
        if case .or = self { return "(\(self))" }
        return description
    }
}

/// A recursive-descent reader of filters and paths. Every loop consumes input.
struct FilterParser {
    let bytes: [UInt8]
    var position = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    func error(_ message: String, at offset: Int? = nil) -> FilterSyntaxError {
        FilterSyntaxError(message: message, offset: offset ?? position)
    }

    mutating func skipSpaces() {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
    }

    mutating func expectEnd() throws(FilterSyntaxError) {
        skipSpaces()
        if position < bytes.count {
            throw error("unexpected '\(String(decoding: bytes[position...].prefix(20), as: UTF8.self))'")
        }
    }

    // MARK: Filters

    mutating func readFilter(depth: Int = 0) throws(FilterSyntaxError) -> Filter {
        guard depth < 50 else { throw error("filter nested too deeply") }
        var filter = try readConjunction(depth: depth)
        while consumeKeyword("or") {
            filter = .or(filter, try readConjunction(depth: depth))
        }
        return filter
    }

    mutating func readConjunction(depth: Int) throws(FilterSyntaxError) -> Filter {
        var filter = try readUnary(depth: depth)
        while consumeKeyword("and") {
            filter = .and(filter, try readUnary(depth: depth))
        }
        return filter
    }

    mutating func readUnary(depth: Int) throws(FilterSyntaxError) -> Filter {
        skipSpaces()
        let save = position
        if consumeKeyword("not") {
            skipSpaces()
            if position < bytes.count, bytes[position] == UInt8(ascii: "(") {
                return .not(try readGroup(depth: depth))
            }
            position = save
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "(") {
            return try readGroup(depth: depth)
        }
        return try readAttributeExpression(depth: depth)
    }

    mutating func readGroup(depth: Int) throws(FilterSyntaxError) -> Filter {
        position += 1
        let inner = try readFilter(depth: depth + 1)
        skipSpaces()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ")") else {
            throw error("expected ')' to close the group")
        }
        position += 1
        return inner
    }

    mutating func readAttributeExpression(depth: Int) throws(FilterSyntaxError) -> Filter {
        let path = try readPath(allowingFilter: true, depth: depth)
        skipSpaces()
        let operatorStart = position
        let word = readWord()
        guard !word.isEmpty else {
            if path.filter != nil, path.subAttribute == nil { return .valuePath(path) }
            throw error("expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) after '\(path)'")
        }
        let lowered = word.lowercased()
        if lowered == "pr" { return .present(path) }
        guard let comparison = Filter.Comparison(rawValue: lowered) else {
            if path.filter != nil, path.subAttribute == nil, lowered == "and" || lowered == "or" {
                position = operatorStart
                return .valuePath(path)
            }
            throw error("unknown operator '\(word)'; expected eq, ne, co, sw, ew, gt, lt, ge, le or pr", at: operatorStart)
        }
        skipSpaces()
        return .compare(path, comparison, try readValue())
    }

    /// A run of letters, used for operators and keywords.
    mutating func readWord() -> String {
        let start = position
        while position < bytes.count, bytes[position].isLetter { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// Whether `keyword` (any case) comes next, after spaces, as a whole word.
    func peekKeyword(_ keyword: String) -> Bool {
        keywordEnd(keyword) != nil
    }

    /// The offset just past `keyword` when it comes next, after spaces, as a whole word.
    func keywordEnd(_ keyword: String) -> Int? {
        var index = position
        while index < bytes.count, bytes[index] == 0x20 { index += 1 }
        let word = Array(keyword.utf8)
        guard index + word.count <= bytes.count else { return nil }
        for (offset, byte) in word.enumerated() where bytes[index + offset] | 0x20 != byte { return nil }
        let after = index + word.count
        guard after == bytes.count || !bytes[after].isNameCharacter else { return nil }
        return after
    }

    /// Consumes `keyword` when it comes next.
    mutating func consumeKeyword(_ keyword: String) -> Bool {
        guard let end = keywordEnd(keyword) else { return false }
        position = end
        return true
    }

    mutating func readValue() throws(FilterSyntaxError) -> JSON {
        guard position < bytes.count else { throw error("expected a value: a quoted string, a number, true, false or null") }
        if bytes[position] == UInt8(ascii: "\"") {
            let start = position
            position += 1
            var escaped = false
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if escaped { escaped = false; continue }
                if byte == UInt8(ascii: "\\") { escaped = true; continue }
                if byte == UInt8(ascii: "\"") {
                    do {
                        return try JSON.parse(bytes[start..<position])
                    } catch {
                        throw self.error("invalid string: \(error.message)", at: start)
                    }
                }
            }
            throw error("unterminated string starting at offset \(start)", at: start)
        }
        let start = position
        while position < bytes.count, bytes[position] != 0x20, bytes[position] != UInt8(ascii: ")"),
            bytes[position] != UInt8(ascii: "]")
        {
            position += 1
        }
        let token = String(decoding: bytes[start..<position], as: UTF8.self)
        switch token.lowercased() {
        case "": throw error("expected a value: a quoted string, a number, true, false or null")
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default:
            if (try? JSON.parse(token)).map({ if case .number = $0 { true } else { false } }) == true {
                return .number(token)
            }
            // Lenient: an unquoted word is a string (`externalId eq jyoung`).
            return .string(token)
        }
    }

    // MARK: Paths

    /// `[URN ":"] name ["[" filter "]"] ["." sub]`, or `[URN ":"] name "." sub`.
    mutating func readPath(allowingFilter: Bool, depth: Int = 0) throws(FilterSyntaxError) -> AttributePath {
        skipSpaces()
        let start = position
        while position < bytes.count, bytes[position].isNameCharacter || bytes[position] == UInt8(ascii: ":")
            || bytes[position] == UInt8(ascii: ".")
        {
            position += 1
        }
        guard position > start else { throw error("expected an attribute name") }
        var token = String(decoding: bytes[start..<position], as: UTF8.self)
        var schema: String?
        if token.lowercased().hasPrefix("urn:") {
            guard let colon = token.lastIndex(of: ":"), colon != token.index(before: token.endIndex) else {
                throw error("expected an attribute name after the schema URN '\(token)'", at: start)
            }
            schema = String(token[..<colon])
            token = String(token[token.index(after: colon)...])
            // `…:2.0:User:name.givenName`: the URN's own dots are before the last colon.
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else {
            throw error("invalid attribute path '\(token)'", at: start)
        }
        var path = AttributePath(schema: schema, name: parts[0], subAttribute: parts.count == 2 ? parts[1] : nil)
        if position < bytes.count, bytes[position] == UInt8(ascii: "[") {
            guard allowingFilter, path.subAttribute == nil else { throw error("a value filter is not allowed here") }
            position += 1
            path.filter = try readFilter(depth: depth + 1)
            skipSpaces()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "]") else {
                throw error("expected ']' to close the value filter")
            }
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                let subStart = position
                while position < bytes.count, bytes[position].isNameCharacter { position += 1 }
                guard position > subStart else { throw error("expected a sub-attribute name after '.'") }
                path.subAttribute = String(decoding: bytes[subStart..<position], as: UTF8.self)
            }
        }
        return path
    }
}

extension UInt8 {
    var isLetter: Bool { (self | 0x20) >= UInt8(ascii: "a") && (self | 0x20) <= UInt8(ascii: "z") }
    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    /// Letters, digits, `-`, `_` and `$` (for `$ref`).
    var isNameCharacter: Bool {
        isLetter || isDigit || self == UInt8(ascii: "-") || self == UInt8(ascii: "_") || self == UInt8(ascii: "$")
    }
}
