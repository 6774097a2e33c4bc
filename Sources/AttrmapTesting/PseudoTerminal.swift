import Foundation
import Spawning
package import Testing

/// `attrmap` in a real pseudo-terminal (util-linux's `script` allocates it), driven as a person
/// types: keys go in, and each step waits for the screen to show what it should, so no step
/// depends on a guessed delay.
package final class PseudoTerminal {
    /// Keys as a terminal sends them (xterm, normal cursor mode).
    package enum Key {
        package static let enter = "\r"
        package static let tab = "\t"
        package static let backspace = "\u{7F}"
        package static let left = "\u{1B}[D"
        package static let right = "\u{1B}[C"
        package static let up = "\u{1B}[A"
        package static let home = "\u{1B}[H"
        package static let end = "\u{1B}[F"
    }

    private let process: ChildProcess
    private let screen = ChildProcess.Collected()
    private let reader: ChildProcess.Reader
    /// How much of the screen earlier expectations have consumed.
    private var consumed = 0

    /// Starts `attrmap ARGUMENTS` on a new terminal; `environment` is added to the test's own.
    package init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let quoted = ([AttrmapBinary.url.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        var merged = ProcessInfo.processInfo.environment
        merged["TERM"] = "xterm"
        merged["LANG"] = "C.UTF-8"
        merged["LC_ALL"] = nil
        merged["LC_CTYPE"] = nil
        merged["NO_COLOR"] = "1"
        for (name, value) in environment { merged[name] = value }
        // -q quiet, -f flush, -e the child's exit code, -c the command; the typescript goes nowhere.
        process = try ChildProcess(
            "/usr/bin/script", ["-qfec", quoted.joined(separator: " "), "/dev/null"], environment: merged, directory: AttrmapBinary.packageRoot.path,
            input: .pipe, output: .pipe, error: .standardOutput)
        reader = screen.reading(process.standardOutput!)
    }

    /// Types `keys`: one write, as a paste arrives, or `oneByOne` character, as typing does.
    package func type(_ keys: String, oneByOne: Bool = false) {
        if oneByOne {
            for character in keys {
                try? process.standardInput!.write(contentsOf: Data(String(character).utf8))
                Thread.sleep(forTimeInterval: 0.01)
            }
        } else {
            try? process.standardInput!.write(contentsOf: Data(keys.utf8))
        }
    }

    /// The screen since the last expectation, with carriage returns dropped.
    package var recent: String {
        let from = consumed
        let shown = [UInt8](screen.data)
        let bytes = shown[min(from, shown.count)...]
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
    }

    /// Everything the terminal showed, with carriage returns dropped.
    package var everything: String {
        String(decoding: screen.data, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
    }

    /// Waits until `text` shows on the screen after what earlier expectations consumed; records
    /// an issue with the screen when it does not within `timeout` seconds.
    @discardableResult
    package func expect(_ text: String, timeout: Double = 15, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        let wanted = Array(text.utf8)
        while Date() < deadline {
            let from = consumed
            let shown = [UInt8](screen.data)
            let found = Self.find(wanted, in: shown[min(from, shown.count)...])
            if let found {
                consumed = found
                return true
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Issue.record("the terminal did not show \(text.debugDescription); it showed:\n\(recent)", sourceLocation: sourceLocation)
        return false
    }

    /// The end of the first occurrence of `wanted` in `bytes`, carriage returns skipped.
    private static func find(_ wanted: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard !wanted.isEmpty else { return bytes.startIndex }
        var start = bytes.startIndex
        while start < bytes.endIndex {
            var index = start
            var matched = 0
            while index < bytes.endIndex, matched < wanted.count {
                if bytes[index] == 0x0D {
                    index += 1
                    continue
                }
                guard bytes[index] == wanted[matched] else { break }
                matched += 1
                index += 1
            }
            if matched == wanted.count { return index }
            start += 1
        }
        return nil
    }

    /// Closes the keyboard and waits for the program to end; its exit status.
    package func finish() throws -> Int32 {
        try process.standardInput!.close()
        let termination = process.wait()
        reader.wait()
        return termination.status
    }
}
