/// One lexical token of an expression.
public struct Token: Hashable, Sendable {
    public var kind: Kind
    public var range: SourceRange

    /// A token of `kind` spanning `range`.
    public init(_ kind: Kind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// The kinds of token, alphabetical.
    public enum Kind: Hashable, Sendable {
        /// `&`, string concatenation (cloud-sync dialect).
        case ampersand
        /// `[name]`; the payload is the name between the brackets, verbatim.
        case attribute(String)
        /// `,`
        case comma
        /// `= <> < <= > >=`
        case comparison(ComparisonOperator)
        /// End of the text.
        case end
        /// `&HFF`: a hexadecimal integer.
        case hexNumber(Int64)
        /// A function name or a bare keyword such as `vbTextCompare`.
        case identifier(String)
        /// `(`
        case leftParen
        /// An optional `-` and decimal digits.
        case number(Int64)
        /// `)`
        case rightParen
        /// A string literal; the payload is its value with escapes resolved.
        case string(String)
        /// Text that is no token; the lexer has reported it.
        case unknown
    }
}

/// The comparison operators of an `IIF` condition.
public enum ComparisonOperator: String, Hashable, Sendable, CaseIterable, Codable {
    case equal = "="
    case notEqual = "<>"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}

extension Token.Kind {
    /// How the token reads in a diagnostic message.
    var spelling: String {
        switch self {
        case .ampersand: "'&'"
        case .attribute(let name): "'[\(name)]'"
        case .comma: "','"
        case .comparison(let op): "'\(op.rawValue)'"
        case .end: "end of expression"
        case .hexNumber: "hexadecimal number"
        case .identifier(let name): "'\(name)'"
        case .leftParen: "'('"
        case .number(let value): "'\(value)'"
        case .rightParen: "')'"
        case .string: "string literal"
        case .unknown: "unexpected text"
        }
    }
}
