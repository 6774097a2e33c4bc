import ArgumentParser
import Foundation
import LineEditing
import MappingExpressions
import REPL

extension Attrmap {
    struct Repl: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "repl",
            abstract: "Try expressions interactively, for one user, with line editing and history.",
            discussion: """
                Type an expression to evaluate it for the current user; an expression may span lines while a parenthesis or a string is open (an empty line ends it as it stands). Errors are shown with a caret under the typed line. Tab completes function names, attribute names after '[', and commands after ':'. History is kept in ~/.attrmap_history (--history).

                Commands: :set NAME=VALUE, :unset NAME, :user FILE, :show, :now ISO, :tree EXPR, :type EXPR, :mapping FILE, :run, :dialect NAME, :secrets on|off, :case exact|ignore, :functions, :help, :quit.

                With standard input from a pipe or a file, the REPL reads it line by line without prompts, so sessions can be scripted:
                  printf ':set givenName=Zoë\\nToUpper([givenName])\\n' | attrmap repl

                Examples:
                  attrmap repl --user Examples/quick-start/alice.json
                  attrmap repl --user Examples/quick-start/alice.json --mapping Examples/quick-start/mapping.yaml
                """)

        @Option(name: .shortAndLong, help: ArgumentHelp("Start with this user's attributes (a JSON object).", valueName: "file"))
        var user: String?

        @Option(name: .shortAndLong, help: ArgumentHelp("Load this mapping set; :run evaluates it for the current user.", valueName: "file"))
        var mapping: String?

        @Option(name: .long, help: ArgumentHelp("Freeze Now() at this ISO 8601 instant (2026-11-23T09:30:00Z).", valueName: "iso8601"))
        var now: DateTime?

        @Option(name: .long, help: ArgumentHelp("The history file (default ~/.attrmap_history).", valueName: "file"))
        var history: String?

        @Flag(name: .long, help: "Read a source name that differs from a name an expression reads only in case as that name (UserPrincipalName as userPrincipalName), as in exports of Microsoft Graph PowerShell; ':case exact' turns it off.")
        var ignoreAttributeCase = false

        @OptionGroup var language: LanguageOptions

        func run() async throws {
            try await reportingFailures {
                let session = ReplSession(dialect: language.dialect, style: language.color.enabled(for: STDOUT_FILENO) ? .ansi : .plain)
                session.ignoreAttributeCase = ignoreAttributeCase
                if let user, let message = session.preloadUser(user) {
                    throw CommandFailure(message.replacingOccurrences(of: "error: ", with: "").trimmingCharacters(in: .newlines), exitCode: .dataError)
                }
                if let mapping, let message = session.preloadMapping(mapping) {
                    Terminal.writeError(message)
                    throw CommandFailure("cannot load the mapping set '\(mapping)'", exitCode: .dataError)
                }
                if let now { session.freezeNow(at: now) }
                let historyFile = history ?? (NSHomeDirectory() as NSString).appendingPathComponent(".attrmap_history")
                let editor = LineEditor(historyFile: historyFile) { word, line in
                    session.completions(for: word, in: line)
                }
                if let warning = editor.localeWarning { Terminal.writeError(warning + "\n") }
                if editor.isInteractive { Terminal.write(ReplSession.banner + "\n") }
                var pending = ""
                func submit(_ input: String) -> Bool {
                    editor.addHistory(input)
                    let response = session.handle(input)
                    Terminal.write(response.output)
                    return response.quit
                }
                while true {
                    let prompt = pending.isEmpty ? "attrmap> " : "   ...> "
                    guard let line = editor.readLine(prompt: prompt) else {
                        if !pending.isEmpty { _ = submit(pending) }
                        if editor.isInteractive { Terminal.write("\n") }
                        break
                    }
                    // An empty line or a command ends an unfinished expression: it is evaluated as
                    // it stands, so its error shows.
                    if !pending.isEmpty, line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix(":") {
                        let input = pending
                        pending = ""
                        if submit(input) { break }
                        if !line.hasPrefix(":") { continue }
                    }
                    pending += pending.isEmpty ? line : "\n" + line
                    if ReplSession.needsMoreInput(pending) { continue }
                    let input = pending
                    pending = ""
                    if submit(input) { break }
                }
            }
        }
    }
}
