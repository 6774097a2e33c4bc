/// A half-open range of UTF-8 byte offsets into the text of an expression.
///
/// Every syntax node, token and diagnostic carries one. ``SourceFile`` turns offsets into
/// 1-based lines and columns for people.
public struct SourceRange: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The offset of the first byte.
    public var lowerBound: Int
    /// The offset just past the last byte.
    public var upperBound: Int

    /// The UTF-8 offsets from `lowerBound` up to, not including, `upperBound`.
    public init(_ lowerBound: Int, _ upperBound: Int) {
        self.lowerBound = lowerBound
        self.upperBound = max(lowerBound, upperBound)
    }

    /// An empty range at `offset`, used for missing tokens and insertions.
    public static func point(_ offset: Int) -> SourceRange { SourceRange(offset, offset) }

    public var isEmpty: Bool { lowerBound == upperBound }
    public var count: Int { upperBound - lowerBound }

    /// The smallest range that covers both ranges.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(min(lowerBound, other.lowerBound), max(upperBound, other.upperBound))
    }

    public var description: String { "\(lowerBound)..<\(upperBound)" }
}

/// A 1-based line and column. Columns count characters (extended grapheme clusters), as people
/// and terminals do.
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    /// A location (1-based line and column).
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}
