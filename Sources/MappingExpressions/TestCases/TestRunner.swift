public import JSONValues
/// Runs expression test cases: the code path of `attrmap test`.
public enum TestRunner {
    /// The outcome of one case.
    public struct Result: Sendable, Hashable {
        /// Whether a case passed, failed, or was skipped as unsupported.
        public enum Status: String, Sendable, Hashable { case pass, fail, skip }

        public var id: String
        public var status: Status
        /// What the expression gave, as reports show it.
        public var actual: String
        /// The actual value in JSON form (null when there is none).
        public var actualJSON: JSON
        /// Why the case failed or was skipped.
        public var message: String?
    }

    /// Evaluates one case and compares the result with its expectation.
    public static func run(_ testCase: ExpressionTestCase) -> Result {
        let source = SourceFile(name: testCase.id, text: testCase.expression)
        let options = CompileOptions(dialect: testCase.dialect)
        if testCase.expected == .unspecified {
            return Result(
                id: testCase.id, status: .skip, actual: "", actualJSON: .null,
                message: "Microsoft documents this construct as unsupported")
        }
        if testCase.expected == .parses {
            let parsed = Parser.parse(source)
            if parsed.hasErrors {
                let text = DiagnosticRenderer().renderOneLine(parsed.diagnostics.filter { $0.severity == .error }, in: source)
                return Result(id: testCase.id, status: .fail, actual: "parse error", actualJSON: .null, message: text)
            }
            return Result(id: testCase.id, status: .pass, actual: "parses", actualJSON: .null, message: nil)
        }
        let compiled = CompiledExpression.compile(source, options: options)
        guard let expression = compiled.expression else {
            let text = DiagnosticRenderer().renderOneLine(compiled.diagnostics.filter { $0.severity == .error }, in: source)
            return Result(id: testCase.id, status: .fail, actual: "does not compile", actualJSON: .null, message: text)
        }
        var context = EvaluationContext(attributes: testCase.attributes, guids: .sequence(testCase.guids))
        if let now = testCase.now { context = context.withFixedClock(now) }
        context = context.withExistingValues(testCase.existingValues)
        let value: Value
        do {
            value = try expression.evaluate(context)
        } catch {
            let location = source.localLocation(of: error.range.lowerBound)
            let actual = "error: \(error.message) (at \(location.line):\(location.column))"
            let status: Result.Status = testCase.expected == .error ? .pass : .fail
            return Result(
                id: testCase.id, status: status, actual: actual, actualJSON: .object([("error", .string(error.message))]),
                message: status == .fail ? actual : nil)
        }
        let passed = matches(value, testCase.expected)
        return Result(
            id: testCase.id, status: passed ? .pass : .fail, actual: value.displayText, actualJSON: value.json,
            message: passed ? nil : "expected \(describe(testCase.expected)), got \(value.displayText)")
    }

    static func matches(_ value: Value, _ expected: ExpressionTestCase.Expectation) -> Bool {
        switch expected {
        case .value(let text):
            switch value {
            case .multiple, .null, .ignoreFlow, .ignoreObjectFlow: return false
            default: return value.text == text
            }
        case .values(let values):
            if case .multiple(let actual) = value { return actual == values }
            return false
        case .null: return value.isNull
        case .ignoreFlow: return value == .ignoreFlow
        case .ignoreObjectFlow: return value == .ignoreObjectFlow
        case .error: return false
        case .pattern(let pattern):
            guard let text = value.text, !value.isNull, let regex = try? Regex(pattern) else { return false }
            return (try? regex.matchesEntirely(text)) ?? false
        case .dateTime(let date):
            switch value {
            case .dateTime(let actual): return actual == date
            case .string(let text): return DateTime.parse(text) == date
            default: return false
            }
        case .parses, .unspecified: return true
        }
    }

    /// How an expectation reads in a report.
    public static func describe(_ expected: ExpressionTestCase.Expectation) -> String {
        switch expected {
        case .value(let text): Printer.quoted(text)
        case .values(let values): "[" + values.map(Printer.quoted).joined(separator: ", ") + "]"
        case .null: "NULL"
        case .ignoreFlow: "IgnoreFlow"
        case .ignoreObjectFlow: "IgnoreObjectFlow"
        case .error: "an evaluation error"
        case .pattern(let pattern): "a string matching /\(pattern)/"
        case .dateTime(let date): "the date \(date.iso8601)"
        case .parses: "a successful parse"
        case .unspecified: "anything"
        }
    }
}
