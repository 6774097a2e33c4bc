/// Why an evaluation failed, and where: the range is that of the call that failed.
public struct EvaluationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var id: Diagnostic.ID
    public var message: String
    public var range: SourceRange

    /// An error with a diagnostic id, at the range of the call that failed.
    public init(_ id: Diagnostic.ID, _ message: String, at range: SourceRange) {
        self.id = id
        self.message = message
        self.range = range
    }

    /// The error as a diagnostic, for the renderer.
    public var diagnostic: Diagnostic { .error(id, message, at: range) }

    public var description: String { message }
}

/// A failure inside a function, before the evaluator attaches the range of the call.
struct FunctionError: Error {
    var id: Diagnostic.ID
    var message: String
    /// Set when the failure happened in a nested call that already knows its range.
    var range: SourceRange?

    init(_ id: Diagnostic.ID, _ message: String, at range: SourceRange? = nil) {
        self.id = id
        self.message = message
        self.range = range
    }

    /// The error at the nested call's range when it has one, else at `range`.
    func located(_ range: SourceRange) -> EvaluationError { EvaluationError(id, message, at: self.range ?? range) }
}
