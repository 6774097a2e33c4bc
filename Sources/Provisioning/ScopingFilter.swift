public import MappingExpressions

/// Entra's scoping filter: clauses inside a group are AND-ed, groups are OR-ed. A clause on a
/// NULL or empty value is false, whatever its operator.
public struct ScopingFilter: Sendable, Hashable {
    public var groups: [[Clause]]

    /// Clause groups: a user is in scope when every clause of any one group holds.
    public init(groups: [[Clause]]) {
        self.groups = groups
    }

    public var isEmpty: Bool { groups.allSatisfy(\.isEmpty) }

    /// One condition on a source attribute.
    public struct Clause: Sendable, Hashable {
        public var attribute: String
        public var `operator`: Operator
        /// The operand; nil for `IS TRUE`, `IS NULL` and the other unary operators.
        public var value: String?
        /// The compiled pattern of `REGEX MATCH`/`NOT REGEX MATCH`.
        var pattern: MappingExpressions.Regex?

        /// A clause; fails when `operator` needs a value and none is given, or the value is invalid
        /// (a regular expression that does not compile, a number that is not one).
        public init(attribute: String, operator: Operator, value: String? = nil) throws(ScopingFilterError) {
            self.attribute = attribute
            self.operator = `operator`
            self.value = value
            if `operator`.needsOperand, value == nil {
                throw ScopingFilterError(message: "the operator '\(`operator`.rawValue)' needs a value")
            }
            if `operator` == .regexMatch || `operator` == .notRegexMatch {
                do {
                    pattern = try MappingExpressions.Regex(value ?? "")
                } catch {
                    throw ScopingFilterError(message: "invalid regular expression '\(value ?? "")': \(error)")
                }
            }
            if `operator`.isNumeric, Int64(value ?? "") == nil {
                throw ScopingFilterError(message: "the operator '\(`operator`.rawValue)' needs an integer value, not '\(value ?? "")'")
            }
        }

        public static func == (lhs: Clause, rhs: Clause) -> Bool {
            lhs.attribute == rhs.attribute && lhs.operator == rhs.operator && lhs.value == rhs.value
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(attribute)
            hasher.combine(`operator`)
            hasher.combine(value)
        }

        /// Whether the clause holds for `value` (the source attribute's value).
        public func evaluate(_ actual: Value) -> Bool {
            switch `operator` {
            case .isNull: return actual.isNullOrEmpty
            case .isNotNull: return !actual.isNullOrEmpty
            default: break
            }
            guard !actual.isNullOrEmpty, let text = actual.scopeText else { return false }
            let operand = value ?? ""
            switch `operator` {
            case .equals: return text == operand
            case .notEquals: return text != operand
            case .isTrue: return text.lowercased() == "true"
            case .isFalse: return text.lowercased() == "false"
            case .includes: return text.contains(operand)
            case .endsWith: return text.hasSuffix(operand)
            case .regexMatch: return (try? pattern?.matches(text)) == true
            case .notRegexMatch: return (try? pattern?.matches(text)) == false
            case .greaterThan, .greaterThanOrEquals, .bitAnd, .notBitAnd:
                guard let number = Int64(text), let bound = Int64(operand) else { return false }
                switch `operator` {
                case .greaterThan: return number > bound
                case .greaterThanOrEquals: return number >= bound
                case .bitAnd: return number & bound == bound
                default: return number & bound != bound
                }
            case .isNull, .isNotNull: return false
            }
        }
    }

    /// Entra's scoping operators, spelled as the portal shows them.
    public enum Operator: String, Sendable, CaseIterable {
        case bitAnd = "&"
        case notBitAnd = "!&"
        case endsWith = "ENDS_WITH"
        case equals = "EQUALS"
        case greaterThan = "Greater_Than"
        case greaterThanOrEquals = "Greater_Than_OR_EQUALS"
        case includes = "Includes"
        case isFalse = "IS FALSE"
        case isNotNull = "IS NOT NULL"
        case isNull = "IS NULL"
        case isTrue = "IS TRUE"
        case notEquals = "NOT EQUALS"
        case notRegexMatch = "NOT REGEX MATCH"
        case regexMatch = "REGEX MATCH"

        /// Reads an operator in any case, with spaces or underscores (`NOT_EQUALS`, `isNull`,
        /// `Greater Than`): Graph and the portal spell them differently.
        public init?(spelling: String) {
            let key = Self.normalized(spelling)
            guard let match = Self.allCases.first(where: { Self.normalized($0.rawValue) == key }) else { return nil }
            self = match
        }

        static func normalized(_ text: String) -> String {
            text.uppercased().filter { $0 != " " && $0 != "_" && $0 != "-" }
        }

        public var needsOperand: Bool {
            switch self {
            case .isTrue, .isFalse, .isNull, .isNotNull: false
            default: true
            }
        }

        var isNumeric: Bool {
            switch self {
            case .greaterThan, .greaterThanOrEquals, .bitAnd, .notBitAnd: true
            default: false
            }
        }
    }

    /// The result of every clause, for the trace.
    public struct Evaluation: Sendable {
        public var inScope: Bool
        public var clauses: [(group: Int, clause: Clause, actual: Value, result: Bool)]
    }

    /// Evaluates every clause of every group (so the trace shows them all).
    public func evaluate(_ attributes: [String: Value]) -> Evaluation {
        var results: [(group: Int, clause: Clause, actual: Value, result: Bool)] = []
        var inScope = groups.isEmpty
        for (index, group) in groups.enumerated() {
            var groupHolds = true
            for clause in group {
                let actual = attributes[clause.attribute] ?? .null
                let result = clause.evaluate(actual)
                results.append((index, clause, actual, result))
                groupHolds = groupHolds && result
            }
            if groupHolds { inScope = true }
        }
        return Evaluation(inScope: inScope, clauses: results)
    }
}

/// A scoping clause that cannot be built.
public struct ScopingFilterError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension Value {
    /// The text a scoping clause compares: a single value's text; nil for multi-valued values,
    /// which scoping filters do not support.
    var scopeText: String? {
        switch self {
        case .multiple: nil
        default: text
        }
    }
}
