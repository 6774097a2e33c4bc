/// Parses an expression into a syntax tree and every diagnostic found on the way.
///
/// The parser never throws and never gives up at the first problem: a missing `)` is reported and
/// assumed, an unexpected token is reported and skipped, a missing argument becomes a
/// ``Expr/Kind/missing`` node. Every loop consumes at least one token per turn, and nesting deeper
/// than ``Parser/maximumDepth`` is reported instead of recursing further, so no input can hang the
/// parser or overflow the stack.
public struct Parser {
    /// Entra documents 10,000 characters as the longest expression it accepts.
    public static let maximumLength = 10_000
    /// The deepest nesting of calls and parentheses accepted.
    public static let maximumDepth = 100

    private let tokens: [Token]
    private var index = 0
    private var depth = 0
    private var reportedDepth = false
    private var diagnostics: [Diagnostic] = []
    private let allowsEmpty: Bool

    private init(tokens: [Token], allowsEmpty: Bool) {
        self.tokens = tokens
        self.allowsEmpty = allowsEmpty
    }

    /// Parses `source` (the text of one expression).
    public static func parse(_ source: SourceFile) -> ParsedExpression {
        let (tokens, lexDiagnostics) = Lexer.tokenize(source)
        var parser = Parser(tokens: tokens, allowsEmpty: false)
        var diagnostics = lexDiagnostics
        let characterCount = source.text.count
        if characterCount > maximumLength {
            diagnostics.append(
                .error(.parseExpressionTooLong,
                       "expression is \(characterCount) characters long; the limit is \(maximumLength)",
                       at: SourceRange(0, source.utf8.count)))
        }
        let root = parser.parseTopLevel()
        diagnostics.append(contentsOf: parser.diagnostics)
        diagnostics.sort { $0.range.lowerBound < $1.range.lowerBound }
        return ParsedExpression(source: source, root: root, diagnostics: diagnostics)
    }

    /// Parses `text` as an expression named `name` in diagnostics.
    public static func parse(_ text: String, name: String = "<expression>") -> ParsedExpression {
        parse(SourceFile(name: name, text: text))
    }

    // MARK: Token access

    private var current: Token { tokens[index] }
    private var currentKind: Token.Kind { tokens[index].kind }

    private mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    // MARK: Grammar

    private mutating func parseTopLevel() -> Expr {
        if currentKind == .end {
            diagnostics.append(.error(.parseEmptyExpression, "expected an expression", at: current.range))
            return Expr(.missing, current.range)
        }
        var expr = parseComparison()
        // Anything left is unexpected. Report it once, as a whole, and keep going so that a stray
        // ')' in the middle still lets the rest of the text be checked.
        while currentKind != .end {
            let start = current.range.lowerBound
            let first = currentKind
            var end = current.range.upperBound
            if first == .rightParen {
                advance()
                diagnostics.append(
                    .error(.parseUnexpectedText, "unexpected ')' with no matching '('", at: SourceRange(start, end),
                           fixIts: [.replace(SourceRange(start, end), with: "", "remove the ')'")]))
                continue
            }
            // Skip to the end, staying balanced, and report the skipped text.
            var nesting = 0
            while currentKind != .end {
                if currentKind == .leftParen { nesting += 1 }
                if currentKind == .rightParen {
                    if nesting == 0 { break }
                    nesting -= 1
                }
                end = current.range.upperBound
                advance()
            }
            let range = SourceRange(start, end)
            var notes: [Diagnostic.Note] = []
            if case .comparison = first {
                notes.append(Diagnostic.Note("an expression holds at most one comparison; nest IIF calls to combine conditions"))
            } else if first == .comma {
                notes.append(Diagnostic.Note("an expression is one value; did you mean to pass these as arguments of a function?"))
            } else {
                notes.append(Diagnostic.Note("an expression is one value, such as a call, an attribute or a literal"))
            }
            diagnostics.append(
                .error(.parseUnexpectedText, "unexpected \(first.spelling) after the end of the expression", at: range,
                       notes: notes))
            expr = Expr(expr.kind, expr.range)
        }
        return expr
    }

    private mutating func parseComparison() -> Expr {
        let lhs = parseConcatenation()
        guard case .comparison(let op) = currentKind else { return lhs }
        let operatorRange = current.range
        advance()
        let rhs: Expr
        if startsExpression(currentKind) {
            rhs = parseConcatenation()
        } else {
            diagnostics.append(
                .error(.parseExpectedExpression, "expected an expression after '\(op.rawValue)'", at: .point(operatorRange.upperBound)))
            rhs = Expr(.missing, .point(operatorRange.upperBound))
        }
        if case .comparison(let second) = currentKind {
            diagnostics.append(
                .error(.parseChainedComparison, "comparisons cannot be chained; '\(second.rawValue)' follows a comparison",
                       at: current.range,
                       notes: [Diagnostic.Note("nest IIF calls to combine conditions")]))
            advance()
            _ = parseConcatenation()
        }
        return Expr(.comparison(op, lhs, rhs, operatorRange: operatorRange), lhs.range.union(rhs.range))
    }

    private mutating func parseConcatenation() -> Expr {
        let first = parsePrimary()
        guard currentKind == .ampersand else { return first }
        var parts = [first]
        while currentKind == .ampersand {
            let ampersand = current.range
            advance()
            if startsExpression(currentKind) {
                parts.append(parsePrimary())
            } else {
                diagnostics.append(
                    .error(.parseExpectedExpression, "expected an expression after '&'", at: .point(ampersand.upperBound)))
                parts.append(Expr(.missing, .point(ampersand.upperBound)))
            }
        }
        return Expr(.concatenation(parts), parts.first!.range.union(parts.last!.range))
    }

    private func startsExpression(_ kind: Token.Kind) -> Bool {
        switch kind {
        case .attribute, .string, .number, .hexNumber, .identifier, .leftParen: true
        default: false
        }
    }

    private mutating func parsePrimary() -> Expr {
        let token = current
        switch token.kind {
        case .attribute(let name):
            advance()
            return Expr(.attribute(name), token.range)
        case .string(let value):
            advance()
            return Expr(.string(value), token.range)
        case .number(let value):
            advance()
            return Expr(.number(value), token.range)
        case .hexNumber(let value):
            advance()
            return Expr(.hexNumber(value), token.range)
        case .identifier(let name):
            advance()
            if currentKind == .leftParen {
                return parseCall(name: name, nameRange: token.range)
            }
            return Expr(.identifier(name), token.range)
        case .leftParen:
            return parseParenthesized()
        case .unknown:
            // Already reported by the lexer; skip it and try what follows.
            advance()
            if startsExpression(currentKind) { return parsePrimary() }
            return Expr(.missing, token.range)
        default:
            diagnostics.append(
                .error(.parseExpectedExpression, "expected an expression, found \(token.kind.spelling)", at: token.range))
            return Expr(.missing, .point(token.range.lowerBound))
        }
    }

    /// Enters one level of nesting, or reports the limit and skips the balanced group.
    private mutating func enterNesting(at range: SourceRange) -> Bool {
        if depth < Parser.maximumDepth {
            depth += 1
            return true
        }
        if !reportedDepth {
            reportedDepth = true
            diagnostics.append(
                .error(.parseNestingTooDeep, "expression is nested more than \(Parser.maximumDepth) levels deep", at: range))
        }
        // Skip the group that starts at the current '(' without recursing.
        var nesting = 0
        repeat {
            if currentKind == .leftParen { nesting += 1 }
            if currentKind == .rightParen { nesting -= 1 }
            advance()
        } while nesting > 0 && currentKind != .end
        return false
    }

    private mutating func parseParenthesized() -> Expr {
        let open = current.range
        guard enterNesting(at: open) else { return Expr(.missing, SourceRange(open.lowerBound, tokens[index].range.lowerBound)) }
        defer { depth -= 1 }
        advance()
        let inner: Expr
        if startsExpression(currentKind) {
            inner = parseComparison()
        } else {
            diagnostics.append(.error(.parseExpectedExpression, "expected an expression after '('", at: .point(open.upperBound)))
            inner = Expr(.missing, .point(open.upperBound))
        }
        if currentKind == .rightParen {
            let close = current.range
            advance()
            return Expr(.parenthesized(inner), open.union(close))
        }
        let at = current.range
        diagnostics.append(
            .error(.parseExpectedClosingParen, "expected ')' to close the parenthesized expression", at: .point(at.lowerBound),
                   notes: [Diagnostic.Note("to match this opening '('", at: open)],
                   fixIts: [.insert(")", at: previousEnd, "insert ')'")]))
        return Expr(.parenthesized(inner), open.union(inner.range))
    }

    /// The end of the last token consumed.
    private var previousEnd: Int { index > 0 ? tokens[index - 1].range.upperBound : 0 }

    private mutating func parseCall(name: String, nameRange: SourceRange) -> Expr {
        let open = current.range
        guard enterNesting(at: open) else {
            return Expr(.missing, SourceRange(nameRange.lowerBound, tokens[max(0, index - 1)].range.upperBound))
        }
        defer { depth -= 1 }
        advance()
        var arguments: [Expr.Argument] = []
        var slotStart = open.upperBound
        // An empty argument list: `Now()`.
        if currentKind == .rightParen {
            let close = current.range
            advance()
            let call = Expr.Call(name: name, nameRange: nameRange, arguments: [], openParen: open, closeParen: close)
            return Expr(.call(call), nameRange.union(close))
        }
        while true {
            let before = index
            // One argument slot.
            switch currentKind {
            case .comma, .rightParen:
                arguments.append(.omitted(.point(current.range.lowerBound)))
            case .end:
                arguments.append(.omitted(.point(slotStart)))
            default:
                if startsExpression(currentKind) || currentKind == .unknown {
                    arguments.append(.expression(parseComparison()))
                } else {
                    diagnostics.append(
                        .error(.parseExpectedExpression,
                               "expected an argument of '\(name)', found \(currentKind.spelling)", at: current.range))
                    arguments.append(.expression(Expr(.missing, .point(current.range.lowerBound))))
                }
            }
            // After the slot: ',' continues, ')' ends.
            switch currentKind {
            case .comma:
                slotStart = current.range.upperBound
                advance()
                continue
            case .rightParen:
                let close = current.range
                advance()
                let call = Expr.Call(name: name, nameRange: nameRange, arguments: arguments, openParen: open, closeParen: close)
                return Expr(.call(call), nameRange.union(close))
            case .end:
                let insertAt = previousEnd
                diagnostics.append(
                    .error(.parseExpectedClosingParen, "expected ')' to close the argument list of '\(name)'",
                           at: .point(insertAt),
                           notes: [Diagnostic.Note("to match this opening '('", at: open)],
                           fixIts: [.insert(")", at: insertAt, "insert ')'")]))
                let call = Expr.Call(name: name, nameRange: nameRange, arguments: arguments, openParen: open, closeParen: nil)
                return Expr(.call(call), SourceRange(nameRange.lowerBound, insertAt))
            default:
                // Something that cannot follow an argument. If it could start one, a ',' is most
                // likely missing; otherwise skip it.
                let unexpected = current
                if startsExpression(unexpected.kind) {
                    let insertAt = previousEnd
                    diagnostics.append(
                        .error(.parseExpectedSeparator,
                               "expected ',' or ')' after an argument of '\(name)', found \(unexpected.kind.spelling)",
                               at: unexpected.range,
                               fixIts: [.insert(",", at: insertAt, "insert ','")]))
                } else {
                    if unexpected.kind != .unknown {
                        diagnostics.append(
                            .error(.parseExpectedSeparator,
                                   "expected ',' or ')' after an argument of '\(name)', found \(unexpected.kind.spelling)",
                                   at: unexpected.range))
                    }
                    advance()
                }
                if index == before { advance() }
                slotStart = current.range.lowerBound
            }
        }
    }
}

/// The result of parsing: the tree and every diagnostic of the lexer and the parser.
public struct ParsedExpression: Sendable, Hashable {
    public let source: SourceFile
    public let root: Expr
    public let diagnostics: [Diagnostic]

    public var hasErrors: Bool { diagnostics.containsErrors }
}
