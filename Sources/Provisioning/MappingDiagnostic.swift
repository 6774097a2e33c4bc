public import MappingExpressions

/// A diagnostic with the text it points into: the mapping file itself, or, for an expression
/// that could not be placed in the file verbatim (an escaped JSON string), the expression.
public struct MappingDiagnostic: Sendable, Hashable {
    public var diagnostic: Diagnostic
    public var source: SourceFile

    /// A diagnostic located in `source`, the mapping file.
    public init(_ diagnostic: Diagnostic, in source: SourceFile) {
        self.diagnostic = diagnostic
        self.source = source
    }

    public var severity: Diagnostic.Severity { diagnostic.severity }
    public var location: SourceLocation { source.location(of: diagnostic.range.lowerBound) }
}

extension Diagnostic.ID {
    public static let mappingDuplicatePrecedence: Self = "mapping.duplicatePrecedence"
    public static let mappingDuplicateTarget: Self = "mapping.duplicateTarget"
    public static let mappingInvalidDocument: Self = "mapping.invalidDocument"
    public static let mappingInvalidScope: Self = "mapping.invalidScope"
    public static let mappingInvalidTarget: Self = "mapping.invalidTarget"
    public static let mappingInvalidValue: Self = "mapping.invalidValue"
    public static let mappingMissingKey: Self = "mapping.missingKey"
    public static let mappingNoMatchingAttribute: Self = "mapping.noMatchingAttribute"
    public static let mappingSelectUniqueValueMatching: Self = "mapping.selectUniqueValueMatching"
    public static let mappingSelectUniqueValueNotOnCreate: Self = "mapping.selectUniqueValueNotOnCreate"
    public static let mappingSyntax: Self = "mapping.syntax"
    public static let mappingTargetIsID: Self = "mapping.targetIsID"
    public static let mappingUnknownKey: Self = "mapping.unknownKey"
}

extension Diagnostic {
    /// The same diagnostic with every offset passed through `place`.
    func remapped(_ place: (Int) -> Int) -> Diagnostic {
        func move(_ range: SourceRange) -> SourceRange { SourceRange(place(range.lowerBound), place(range.upperBound)) }
        var copy = self
        copy.range = move(range)
        copy.notes = notes.map { note in
            var note = note
            note.range = note.range.map(move)
            return note
        }
        copy.fixIts = fixIts.map { fixIt in
            var fixIt = fixIt
            fixIt.edits = fixIt.edits.map { TextEdit(range: move($0.range), replacement: $0.replacement) }
            return fixIt
        }
        return copy
    }
}
