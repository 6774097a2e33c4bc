public import JSONValues
import Foundation

/// Turns diagnostics into text for people (compiler style, with a numbered gutter and carets),
/// one line each for editors (`file:line:col: error: message [id]`), or JSON for tools.
///
/// ```
/// error[parse.expectedClosingParen]: expected ')' to close the argument list of 'Join'
///  --> <expression>:1:19
///   |
/// 1 | Join(" ", [a], [b]
///   |                   ^
///   = note: to match this opening '(' at 1:5
///   = fix-it: insert ')'
/// ```
public struct DiagnosticRenderer: Sendable {
    /// Plain text, or text with ANSI colours for a terminal.
    public enum Style: Sendable {
        /// No colour.
        case plain
        /// ANSI colours, for a terminal.
        case ansi
    }

    public var style: Style

    /// A renderer in `style`.
    public init(style: Style = .plain) {
        self.style = style
    }

    private func paint(_ text: String, _ code: String) -> String {
        style == .ansi ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private func severityColour(_ severity: Diagnostic.Severity) -> String {
        switch severity {
        case .error: "1;31"
        case .warning: "1;33"
        case .note: "1;36"
        }
    }

    /// All diagnostics, compiler style, each followed by a blank line.
    public func render(_ diagnostics: [Diagnostic], in source: SourceFile) -> String {
        diagnostics.map { render($0, in: source) }.joined()
    }

    /// One diagnostic, compiler style.
    public func render(_ diagnostic: Diagnostic, in source: SourceFile) -> String {
        let start = source.localLocation(of: diagnostic.range.lowerBound)
        let end = source.localLocation(of: diagnostic.range.upperBound)
        let shown = source.location(of: diagnostic.range.lowerBound)
        var lines: [String] = []
        lines.append(
            paint("\(diagnostic.severity.rawValue)[\(diagnostic.id)]", severityColour(diagnostic.severity)) + paint(": \(diagnostic.message)", "1"))
        let lineOffset = (source.origin?.start.line ?? 1) - 1
        let gutterWidth = String(end.line + lineOffset).count
        let pad = String(repeating: " ", count: gutterWidth)
        lines.append("\(pad)\(paint("-->", "1;34")) \(source.name):\(shown.line):\(shown.column)")
        lines.append("\(pad) \(paint("|", "1;34"))")
        let lastLine = min(end.line, start.line + 3)
        for lineNumber in start.line...max(start.line, lastLine) {
            var text = source.line(lineNumber)
            var firstColumn = lineNumber == start.line ? start.column : 1
            var lastColumn = lineNumber == end.line ? end.column : text.count + 1
            // Long lines (a 100 KB expression) are cut around the caret.
            var prefix = ""
            if text.count > 120 {
                let from = max(0, firstColumn - 40)
                let slice = text.dropFirst(from).prefix(100)
                prefix = from > 0 ? "…" : ""
                text = prefix + String(slice) + (text.count > from + 100 ? "…" : "")
                firstColumn = firstColumn - from + prefix.count
                lastColumn = min(lastColumn - from + prefix.count, text.count + 1)
            }
            let number = String(lineNumber + lineOffset)
            lines.append(
                String(repeating: " ", count: gutterWidth - number.count) + paint(number, "1;34") + " " + paint("|", "1;34") + " " + text)
            let width = max(1, lastColumn - firstColumn)
            let caret = String(repeating: " ", count: max(0, firstColumn - 1)) + String(repeating: "^", count: width)
            lines.append("\(pad) \(paint("|", "1;34")) \(paint(caret, severityColour(diagnostic.severity)))")
        }
        for note in diagnostic.notes {
            var text = note.message
            if let range = note.range {
                let location = source.location(of: range.lowerBound)
                text += " at \(location.line):\(location.column)"
            }
            lines.append("\(pad) \(paint("=", "1;34")) \(paint("note", "1")): \(text)")
        }
        for fixIt in diagnostic.fixIts {
            lines.append("\(pad) \(paint("=", "1;34")) \(paint("fix-it", "1;32")): \(fixIt.message)")
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    /// `file:line:col: severity: message [id]`, one line per diagnostic.
    public func renderOneLine(_ diagnostics: [Diagnostic], in source: SourceFile) -> String {
        diagnostics.map { diagnostic in
            let location = source.location(of: diagnostic.range.lowerBound)
            return "\(source.name):\(location.line):\(location.column): \(diagnostic.severity.rawValue): \(diagnostic.message) [\(diagnostic.id)]\n"
        }.joined()
    }

    /// The JSON form of diagnostics: an array of objects with `id`, `severity`, `message`, `file`,
    /// `line`, `column`, `endLine`, `endColumn`, `notes` and `fixIts` (each with its `edits`).
    public static func json(_ diagnostics: [Diagnostic], in source: SourceFile) -> JSON {
        func position(_ prefix: String, _ offset: Int) -> [(String, JSON)] {
            let location = source.location(of: offset)
            return [(prefix.isEmpty ? "line" : prefix + "Line", .number(String(location.line))),
                    (prefix.isEmpty ? "column" : prefix + "Column", .number(String(location.column)))]
        }
        return .array(diagnostics.map { diagnostic in
            var members: [(String, JSON)] = [
                ("id", .string(diagnostic.id.rawValue)), ("severity", .string(diagnostic.severity.rawValue)),
                ("message", .string(diagnostic.message)), ("file", .string(source.name)),
            ]
            members += position("", diagnostic.range.lowerBound) + position("end", diagnostic.range.upperBound)
            members.append(("notes", .array(diagnostic.notes.map { note in
                .object([("message", .string(note.message))] + (note.range.map { position("", $0.lowerBound) } ?? []))
            })))
            members.append(("fixIts", .array(diagnostic.fixIts.map { fixIt in
                .object([
                    ("message", .string(fixIt.message)),
                    ("edits", .array(fixIt.edits.map { edit in
                        .object(position("", edit.range.lowerBound) + position("end", edit.range.upperBound)
                            + [("replacement", .string(edit.replacement))])
                    })),
                ])
            })))
            return .object(members)
        })
    }
}
