import CLibEdit
import Foundation

/// Line input for the REPL: libedit's line editing, persistent history and tab completion on a
/// terminal; plain line reading when standard input is a pipe or a file (scripts, tests).
package final class LineEditor {
    /// Completes the word before the cursor: given the word and the whole line, the candidates.
    package typealias Completer = (_ word: String, _ line: String) -> [String]

    package let isInteractive: Bool
    private let historyFile: String?

    /// libedit's completion callback is a C function: it finds the completer here.
    nonisolated(unsafe) private static var activeCompleter: Completer?

    /// A warning for the user when typed text cannot be read as UTF-8; nil when all is well.
    package private(set) var localeWarning: String?

    package init(historyFile: String?, completer: @escaping Completer) {
        isInteractive = isatty(STDIN_FILENO) == 1
        self.historyFile = historyFile
        guard isInteractive else { return }
        localeWarning = Self.useUTF8Locale()
        Self.activeCompleter = completer
        using_history()
        if let historyFile { _ = read_history(historyFile) }
        // Attribute references start with '[': break words there too, so '[given<TAB>' completes.
        attrmap_rl_set_word_breaks(Self.wordBreaks)
        attrmap_rl_set_completion { text, _, _ in
            guard let text, let completer = LineEditor.activeCompleter else { return nil }
            let word = String(cString: text)
            let line = attrmap_rl_line_buffer().map { String(cString: $0) } ?? word
            let candidates = completer(word, line)
            guard !candidates.isEmpty else { return nil }
            // NULL-terminated array: the common prefix first, then every candidate; libedit frees it.
            let common = LineEditor.commonPrefix(candidates)
            let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: candidates.count + 2)
            array[0] = strdup(candidates.count == 1 ? candidates[0] : common)
            for (index, candidate) in candidates.enumerated() { array[index + 1] = strdup(candidate) }
            array[candidates.count + 1] = nil
            return array
        }
    }

    /// Makes the C library read typed bytes as UTF-8; a warning when it cannot.
    ///
    /// libedit decodes what is typed with the C library's multibyte functions, which follow the
    /// process's `LC_CTYPE`. A process starts in the "C" locale, where every byte above 0x7F is
    /// refused, so `ë` never reached the line. The environment's locale is taken when it is
    /// UTF-8; otherwise (`LANG=C`, `POSIX`, unset, or a legacy 8-bit locale) the C library's
    /// built-in `C.UTF-8`, since attrmap reads and writes UTF-8 whatever the locale says.
    /// Only `LC_CTYPE` changes: numbers and dates are formatted by attrmap itself.
    static func useUTF8Locale() -> String? {
        let chosen = setlocale(LC_CTYPE, "").map { String(cString: $0) }
        if isUTF8 { return nil }
        for fallback in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, fallback) != nil && isUTF8 {
            let legacy = chosen.map { !["C", "POSIX"].contains($0) } ?? false
            return legacy
                ? "warning: the locale '\(chosen!)' is not UTF-8; attrmap reads what is typed as UTF-8, so the terminal must send UTF-8 (LANG=C.UTF-8)"
                : nil
        }
        return "warning: no UTF-8 locale is installed, so characters beyond ASCII cannot be typed; install one (Debian: the locales package) and set LANG=C.UTF-8 or en_US.UTF-8"
    }

    private static var isUTF8: Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }

    /// Lives for the whole process: libedit keeps the pointer.
    nonisolated(unsafe) private static let wordBreaks: UnsafeMutablePointer<CChar> = strdup(" \t\n\"(),=<>&[")

    /// Reads one line without its newline; nil at the end of input.
    package func readLine(prompt: String) -> String? {
        guard isInteractive else {
            return Swift.readLine(strippingNewline: true)
        }
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        return String(cString: raw)
    }

    /// Remembers an entry (a whole, possibly multi-line, input) in the history.
    package func addHistory(_ entry: String) {
        guard isInteractive, !entry.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        _ = add_history(entry)
        if let historyFile { _ = write_history(historyFile) }
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for word in words.dropFirst() {
            while !word.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}
