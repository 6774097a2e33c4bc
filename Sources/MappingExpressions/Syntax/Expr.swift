/// A node of the syntax tree of an expression. Every node knows the range of text it covers.
///
/// The tree keeps what was written: an omitted argument (`Replace([x], , "a", , "b", , )`) is an
/// ``Argument/omitted(_:)`` slot, distinct from an empty string literal; a parse error leaves a
/// ``Kind/missing`` node in the place where an expression was expected.
public struct Expr: Hashable, Sendable {
    public var kind: Kind
    public var range: SourceRange

    /// A node of `kind` spanning `range` of the source.
    public init(_ kind: Kind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// What the node is.
    public indirect enum Kind: Hashable, Sendable {
        /// `[name]`
        case attribute(String)
        /// `a = b`, `a <> b`, …
        case comparison(ComparisonOperator, Expr, Expr, operatorRange: SourceRange)
        /// `a & b & c` (cloud-sync dialect)
        case concatenation([Expr])
        /// `Name(arguments)`
        case call(Call)
        /// `&HF7`
        case hexNumber(Int64)
        /// A bare identifier that is no call: `vbTextCompare`, `IgnoreAttributeFlow`, …
        case identifier(String)
        /// Nothing could be parsed here; a diagnostic says why.
        case missing
        /// `12`, `-10`
        case number(Int64)
        /// `( expression )`
        case parenthesized(Expr)
        /// `"text"` with escapes resolved
        case string(String)
    }

    /// A function call.
    public struct Call: Hashable, Sendable {
        public var name: String
        public var nameRange: SourceRange
        public var arguments: [Argument]
        /// The range of `(`.
        public var openParen: SourceRange
        /// The range of `)`, or nil when it is missing.
        public var closeParen: SourceRange?

        public init(
            name: String, nameRange: SourceRange, arguments: [Argument], openParen: SourceRange,
            closeParen: SourceRange?
        ) {
            self.name = name
            self.nameRange = nameRange
            self.arguments = arguments
            self.openParen = openParen
            self.closeParen = closeParen
        }
    }

    /// One argument slot of a call.
    public enum Argument: Hashable, Sendable {
        case expression(Expr)
        /// An empty slot between commas; the range is where the slot is.
        case omitted(SourceRange)

        public var expression: Expr? {
            if case .expression(let expr) = self { return expr }
            return nil
        }

        public var range: SourceRange {
            switch self {
            case .expression(let expr): expr.range
            case .omitted(let range): range
            }
        }
    }
}

extension Expr {
    /// The call, when this node is one.
    public var call: Call? {
        if case .call(let call) = kind { return call }
        return nil
    }

    /// This node with parentheses removed.
    var unparenthesized: Expr {
        if case .parenthesized(let inner) = kind { return inner.unparenthesized }
        return self
    }

    /// Visits this node and all its descendants, parents first.
    public func walk(_ visit: (Expr) -> Void) {
        var stack: [Expr] = [self]
        while let node = stack.popLast() {
            visit(node)
            switch node.kind {
            case .comparison(_, let lhs, let rhs, _):
                stack.append(rhs)
                stack.append(lhs)
            case .concatenation(let parts):
                stack.append(contentsOf: parts.reversed())
            case .call(let call):
                stack.append(contentsOf: call.arguments.compactMap(\.expression).reversed())
            case .parenthesized(let inner):
                stack.append(inner)
            case .attribute, .hexNumber, .identifier, .missing, .number, .string:
                break
            }
        }
    }

    /// The names of every attribute the expression reads, in order of first appearance.
    public var attributeNames: [String] {
        var seen = Set<String>()
        var names: [String] = []
        walk { node in
            if case .attribute(let name) = node.kind, seen.insert(name).inserted { names.append(name) }
        }
        return names
    }
}
