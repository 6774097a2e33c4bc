import JSONValues
/// One case of an expression test file: an expression, a source object, and what evaluating it
/// must give. The file format is described in the README ("Test-case files").
public struct ExpressionTestCase: Sendable {
    public var id: String
    public var expression: String
    public var attributes: [String: Value]
    public var expected: Expectation
    public var dialect: Dialect
    /// What `Now()` returns.
    public var now: DateTime?
    /// What successive `Guid()` calls return.
    public var guids: [String]
    /// Values already present in the target, for `SelectUniqueValue`.
    public var existingValues: [String]
    /// Where the case was read from: file and 0-based index.
    public var file: String
    public var index: Int

    /// What a case expects.
    public enum Expectation: Sendable, Hashable {
        case value(String)
        case values([String])
        case null
        case ignoreFlow
        case ignoreObjectFlow
        case error
        /// A string that the regular expression matches entirely.
        case pattern(String)
        case dateTime(DateTime)
        /// Parse only.
        case parses
        /// Microsoft documents the construct as unsupported: no assertion.
        case unspecified
    }

    public init(
        id: String, expression: String, attributes: [String: Value] = [:], expected: Expectation,
        dialect: Dialect = .provisioning, now: DateTime? = nil, guids: [String] = [], existingValues: [String] = [],
        file: String = "", index: Int = 0
    ) {
        self.id = id
        self.expression = expression
        self.attributes = attributes
        self.expected = expected
        self.dialect = dialect
        self.now = now
        self.guids = guids
        self.existingValues = existingValues
        self.file = file
        self.index = index
    }
}

extension ExpressionTestCase {
    /// A problem with a test file itself, located by case.
    public struct FormatError: Error, Hashable, Sendable, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { "\(file): \(message)" }
    }

    /// Reads every case of a test file (a JSON array of case objects).
    public static func load(contentsOf text: String, file: String) throws(FormatError) -> [ExpressionTestCase] {
        let document: JSON
        do {
            document = try JSON.parse(text)
        } catch {
            throw FormatError(file: file, message: "not valid JSON at \(error.line):\(error.column): \(error.message)")
        }
        guard case .array(let elements) = document else {
            throw FormatError(file: file, message: "expected a JSON array of test cases")
        }
        var cases: [ExpressionTestCase] = []
        var seen = Set<String>()
        for (index, element) in elements.enumerated() {
            let testCase = try parse(element, file: file, index: index)
            guard seen.insert(testCase.id).inserted else {
                throw FormatError(file: file, message: "case \(index): the id '\(testCase.id)' is used twice")
            }
            cases.append(testCase)
        }
        return cases
    }

    static func parse(_ json: JSON, file: String, index: Int) throws(FormatError) -> ExpressionTestCase {
        func fail(_ message: String) -> FormatError { FormatError(file: file, message: "case \(index): \(message)") }
        guard case .object = json else { throw fail("expected an object") }
        guard let id = json["id"]?.stringValue, !id.isEmpty else { throw fail("missing 'id' (a string)") }
        func failCase(_ message: String) -> FormatError { FormatError(file: file, message: "case '\(id)': \(message)") }
        guard let expression = json["expression"]?.stringValue else { throw failCase("missing 'expression' (a string)") }
        var attributes: [String: Value] = [:]
        if let object = json["attributes"] {
            guard case .object(let members) = object else { throw failCase("'attributes' must be an object") }
            for (name, value) in members { attributes[name] = Value(json: value) }
        }
        guard let expectedJSON = json["expected"] else { throw failCase("missing 'expected'") }
        let expected = try expectation(expectedJSON, fail: failCase)
        var dialect = Dialect.provisioning
        if let text = json["dialect"]?.stringValue {
            guard let parsed = Dialect(rawValue: text) else {
                throw failCase("unknown dialect '\(text)'; use provisioning or cloud-sync")
            }
            dialect = parsed
        }
        var now: DateTime?
        var guids: [String] = []
        if let mocks = json["mocks"] {
            if let text = mocks["now"]?.stringValue {
                guard let date = DateTime.parse(text) else { throw failCase("'mocks.now' is no ISO 8601 date: '\(text)'") }
                now = date
            }
            if let list = mocks["guids"]?.arrayValue { guids = list.compactMap(\.stringValue) }
        }
        let existing = json["existing_values"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return ExpressionTestCase(
            id: id, expression: expression, attributes: attributes, expected: expected, dialect: dialect, now: now,
            guids: guids, existingValues: existing, file: file, index: index)
    }

    static func expectation(_ json: JSON, fail: (String) -> FormatError) throws(FormatError) -> Expectation {
        switch json {
        case .null: return .null
        case .string(let text): return .value(text)
        case .array(let elements):
            let values = elements.compactMap(\.stringValue)
            guard values.count == elements.count else { throw fail("'expected' arrays hold strings only") }
            return .values(values)
        case .object:
            if json["ignoreFlow"] == .bool(true) { return .ignoreFlow }
            if json["ignoreObjectFlow"] == .bool(true) { return .ignoreObjectFlow }
            if json["error"] == .bool(true) { return .error }
            if json["parses"] == .bool(true) { return .parses }
            if json["unspecified"] == .bool(true) { return .unspecified }
            if let pattern = json["pattern"]?.stringValue { return .pattern(pattern) }
            if let text = json["datetime_utc"]?.stringValue {
                guard let date = DateTime.parse(text) else { throw fail("'datetime_utc' is no ISO 8601 date: '\(text)'") }
                return .dateTime(date)
            }
            throw fail("unknown form of 'expected'; see the test-case format")
        default:
            throw fail("'expected' must be a string, an array of strings, null or an object")
        }
    }
}
