extension Diagnostic {
    /// The stable identifier of a kind of diagnostic.
    ///
    /// The catalog below is alphabetical. The prefix says which stage reports it: `lex` (the
    /// tokenizer), `parse` (the grammar), `check` (static checks of a parsed expression), `eval`
    /// (evaluation of a compiled expression).
    public struct ID: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
        CustomStringConvertible
    {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }
    }
}

extension Diagnostic.ID {
    public static let checkArgumentCount: Self = "check.argumentCount"
    public static let checkConcatenationDialect: Self = "check.concatenationDialect"
    public static let checkConstantFoldingFailed: Self = "check.constantFoldingFailed"
    public static let checkFormatDateTimeThreeArguments: Self = "check.formatDateTimeThreeArguments"
    public static let checkFunctionCase: Self = "check.functionCase"
    public static let checkFunctionDialect: Self = "check.functionDialect"
    public static let checkIIFNullCondition: Self = "check.iifNullCondition"
    public static let checkInvalidArgument: Self = "check.invalidArgument"
    public static let checkItemIndexZero: Self = "check.itemIndexZero"
    public static let checkMisplacedKeyword: Self = "check.misplacedKeyword"
    public static let checkOmittedRequiredArgument: Self = "check.omittedRequiredArgument"
    public static let checkSelectUniqueValueNested: Self = "check.selectUniqueValueNested"
    public static let checkSwitchPairs: Self = "check.switchPairs"
    public static let checkSwitchPresenceSource: Self = "check.switchPresenceSource"
    public static let checkUnknownAttribute: Self = "check.unknownAttribute"
    public static let checkUnknownFunction: Self = "check.unknownFunction"
    public static let checkUnknownIdentifier: Self = "check.unknownIdentifier"
    public static let evalArgumentNotBoolean: Self = "eval.argumentNotBoolean"
    public static let evalArgumentNotDate: Self = "eval.argumentNotDate"
    public static let evalArgumentNotNumeric: Self = "eval.argumentNotNumeric"
    public static let evalCustomError: Self = "eval.customError"
    public static let evalIndexOutOfRange: Self = "eval.indexOutOfRange"
    public static let evalInvalidArgument: Self = "eval.invalidArgument"
    public static let evalMultiValuedArgument: Self = "eval.multiValuedArgument"
    public static let evalNoUniqueValue: Self = "eval.noUniqueValue"
    public static let evalRegexInvalid: Self = "eval.regexInvalid"
    public static let evalRegexTimeout: Self = "eval.regexTimeout"
    public static let lexInvalidCharacter: Self = "lex.invalidCharacter"
    public static let lexNumberOutOfRange: Self = "lex.numberOutOfRange"
    public static let lexTypographicQuote: Self = "lex.typographicQuote"
    public static let lexUnterminatedAttribute: Self = "lex.unterminatedAttribute"
    public static let lexUnterminatedString: Self = "lex.unterminatedString"
    public static let parseChainedComparison: Self = "parse.chainedComparison"
    public static let parseEmptyExpression: Self = "parse.emptyExpression"
    public static let parseExpectedClosingParen: Self = "parse.expectedClosingParen"
    public static let parseExpectedExpression: Self = "parse.expectedExpression"
    public static let parseExpectedSeparator: Self = "parse.expectedSeparator"
    public static let parseExpressionTooLong: Self = "parse.expressionTooLong"
    public static let parseNestingTooDeep: Self = "parse.nestingTooDeep"
    public static let parseUnexpectedText: Self = "parse.unexpectedText"
}
