/// A problem found in an expression: a stable identifier, a severity, a message, the range it is
/// about, and optional notes and fix-its.
///
/// Diagnostics are data. The parser, the checker and the evaluator produce them; one renderer
/// (``DiagnosticRenderer``) turns them into compiler-style text, a one-line form for editors or
/// JSON for tools.
public struct Diagnostic: Hashable, Sendable {
    /// A stable identifier such as `parse.expectedClosingParen`. Tools may match on it; it never
    /// changes once published. ``Diagnostic/ID`` lists them all.
    public var id: ID
    public var severity: Severity
    /// Lowercase, no final period, source text quoted in `'…'`.
    public var message: String
    public var range: SourceRange
    public var notes: [Note]
    public var fixIts: [FixIt]

    public init(
        _ id: ID, _ severity: Severity, _ message: String, at range: SourceRange,
        notes: [Note] = [], fixIts: [FixIt] = []
    ) {
        self.id = id
        self.severity = severity
        self.message = message
        self.range = range
        self.notes = notes
        self.fixIts = fixIts
    }

    /// An error diagnostic.
    public static func error(
        _ id: ID, _ message: String, at range: SourceRange, notes: [Note] = [], fixIts: [FixIt] = []
    ) -> Diagnostic {
        Diagnostic(id, .error, message, at: range, notes: notes, fixIts: fixIts)
    }

    /// A warning diagnostic.
    public static func warning(
        _ id: ID, _ message: String, at range: SourceRange, notes: [Note] = [], fixIts: [FixIt] = []
    ) -> Diagnostic {
        Diagnostic(id, .warning, message, at: range, notes: notes, fixIts: fixIts)
    }

    /// How serious a diagnostic is. Only errors stop an expression from being evaluated.
    public enum Severity: String, Hashable, Sendable, Codable, Comparable {
        case note
        case warning
        case error

        private var rank: Int {
            switch self {
            case .note: 0
            case .warning: 1
            case .error: 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// Extra information attached to a diagnostic, optionally pointing at another place.
    public struct Note: Hashable, Sendable {
        public var message: String
        public var range: SourceRange?

        /// A note, at a range of the source or on the diagnostic as a whole.
        public init(_ message: String, at range: SourceRange? = nil) {
            self.message = message
            self.range = range
        }
    }

    /// A repair: one or more text edits that, applied together, fix the problem.
    public struct FixIt: Hashable, Sendable {
        public var message: String
        public var edits: [TextEdit]

        /// A fix-it: what it does, in a sentence, and the edits that do it.
        public init(_ message: String, edits: [TextEdit]) {
            self.message = message
            self.edits = edits
        }

        /// A fix-it that replaces `range` with `text`.
        public static func replace(_ range: SourceRange, with text: String, _ message: String) -> FixIt {
            FixIt(message, edits: [TextEdit(range: range, replacement: text)])
        }

        /// A fix-it that inserts `text` at `offset`.
        public static func insert(_ text: String, at offset: Int, _ message: String) -> FixIt {
            FixIt(message, edits: [TextEdit(range: .point(offset), replacement: text)])
        }
    }

    /// Replace the text in `range` with `replacement` (an empty range inserts).
    public struct TextEdit: Hashable, Sendable {
        public var range: SourceRange
        public var replacement: String

        /// Replace the text of `range` with `replacement` (an empty range inserts).
        public init(range: SourceRange, replacement: String) {
            self.range = range
            self.replacement = replacement
        }
    }
}

extension Diagnostic {
    /// Applies the first fix-it of every diagnostic that has one to `text` and returns the result.
    ///
    /// Edits that overlap an edit already taken are skipped, so the result is always well formed;
    /// run the check again to see what is left.
    public static func applyingFixIts(_ diagnostics: [Diagnostic], to text: String) -> String {
        var edits: [TextEdit] = []
        for diagnostic in diagnostics {
            guard let fixIt = diagnostic.fixIts.first else { continue }
            let overlaps = fixIt.edits.contains { edit in
                edits.contains { taken in
                    edit.range.lowerBound < taken.range.upperBound && taken.range.lowerBound < edit.range.upperBound
                        || (edit.range == taken.range)
                }
            }
            if !overlaps { edits.append(contentsOf: fixIt.edits) }
        }
        var bytes = Array(text.utf8)
        for edit in edits.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            let lower = min(edit.range.lowerBound, bytes.count)
            let upper = min(edit.range.upperBound, bytes.count)
            bytes.replaceSubrange(lower..<upper, with: Array(edit.replacement.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var containsErrors: Bool { contains { $0.severity == .error } }
}

/// A diagnostic can be thrown where one problem stops a step (a function builder rejecting a
/// constant argument); the caller collects it with the others.
extension Diagnostic: Error {}
