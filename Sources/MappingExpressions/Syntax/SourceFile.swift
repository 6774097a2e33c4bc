/// The text of one expression with a line table, so byte offsets can be shown as lines and
/// columns.
///
/// `name` is what diagnostics print after `-->`: a file name, `<expression>` for a command-line
/// argument, or `mapping.yaml` for an expression embedded in a mapping file (see ``origin``).
public struct SourceFile: Sendable, Hashable {
    public let name: String
    public let text: String
    /// Where this text sits inside a larger file, when it was cut out of one: diagnostics are then
    /// reported at positions of the enclosing file.
    public var origin: Origin?
    let utf8: [UInt8]
    private let lineStarts: [Int]

    /// The position of an embedded expression inside an enclosing file.
    public struct Origin: Sendable, Hashable {
        /// The 1-based line and column of the expression's first character in the enclosing file.
        public var start: SourceLocation
        /// An origin: where the expression's first character sits in an enclosing file.
        public init(start: SourceLocation) { self.start = start }
    }

    /// Source text named `name` in diagnostics; with `origin`, locations are those of the
    /// enclosing file.
    public init(name: String = "<expression>", text: String, origin: Origin? = nil) {
        self.name = name
        self.text = text
        self.origin = origin
        self.utf8 = Array(text.utf8)
        var starts = [0]
        for (offset, byte) in utf8.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(offset + 1)
        }
        self.lineStarts = starts
    }

    public var lineCount: Int { lineStarts.count }

    /// The 1-based line holding `offset` (an offset at the end of the text belongs to the last line).
    func lineIndex(of offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// The text of a 1-based line, without its line terminator.
    public func line(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] - 1 : utf8.count
        if end > start, utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: utf8[start..<max(start, end)], as: UTF8.self)
    }

    /// The line and column of `offset` within this text.
    public func localLocation(of offset: Int) -> SourceLocation {
        let clamped = min(max(0, offset), utf8.count)
        let index = lineIndex(of: clamped)
        let start = lineStarts[index]
        let prefix = String(decoding: utf8[start..<clamped], as: UTF8.self)
        return SourceLocation(line: index + 1, column: prefix.count + 1)
    }

    /// The line and column of `offset`, in the enclosing file when the text has an ``origin``.
    public func location(of offset: Int) -> SourceLocation {
        let local = localLocation(of: offset)
        guard let origin else { return local }
        if local.line == 1 {
            return SourceLocation(line: origin.start.line, column: origin.start.column + local.column - 1)
        }
        return SourceLocation(line: origin.start.line + local.line - 1, column: local.column)
    }

    /// The source text covered by `range`.
    public func text(in range: SourceRange) -> String {
        let lower = min(max(0, range.lowerBound), utf8.count)
        let upper = min(max(lower, range.upperBound), utf8.count)
        return String(decoding: utf8[lower..<upper], as: UTF8.self)
    }

    /// The byte offset of a 1-based line and column of this text (column counted in characters).
    public func offset(of location: SourceLocation) -> Int {
        guard location.line >= 1, location.line <= lineStarts.count else { return utf8.count }
        let start = lineStarts[location.line - 1]
        let lineText = line(location.line)
        let prefix = lineText.prefix(max(0, location.column - 1))
        return start + prefix.utf8.count
    }
}
