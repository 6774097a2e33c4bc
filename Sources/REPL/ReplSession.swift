import Foundation
import JSONValues
package import MappingExpressions
package import Provisioning

/// The REPL's state and commands, independent of the terminal: give it what the user typed, get
/// back what to print. Expressions are evaluated for the current user; lines starting with `:`
/// are commands (`:help` lists them).
package final class ReplSession {
    package private(set) var attributes: [String: Value] = [:]
    package private(set) var now: DateTime?
    package private(set) var mappingSet: MappingSet?
    package var dialect: Dialect
    package var style: DiagnosticRenderer.Style
    package var showSecrets = false
    /// Read a source name that differs from a name an expression reads only in case as that
    /// name, for exports of Microsoft Graph PowerShell (`:case ignore`).
    package var ignoreAttributeCase = false
    private var inputCount = 0

    package init(dialect: Dialect = .provisioning, style: DiagnosticRenderer.Style = .plain) {
        self.dialect = dialect
        self.style = style
    }

    package static let banner = "attrmap REPL: type an expression to evaluate it, :help for commands, :quit to leave."

    package static let help = """
        Expressions are evaluated for the current user, e.g.  Join(" ", [givenName], [surname])
        An expression may span lines while a parenthesis or a string is open.

        :set NAME=VALUE      set an attribute (VALUE is text, or JSON: true, 42, ["a","b"], null)
        :unset NAME          remove an attribute
        :user FILE           load a user from a JSON file (replaces the attributes)
        :show                show the current user's attributes
        :now [ISO|clear]     freeze Now() at an instant (2026-11-23T09:30:00Z), or unfreeze it
        :tree EXPRESSION     show the syntax tree
        :type EXPRESSION     show the type of the result for the current user
        :mapping FILE        load a mapping set (attrmap YAML/JSON, or Entra's exported configuration)
        :run                 evaluate the loaded mapping set for the current user: the SCIM requests
        :dialect NAME        provisioning (default) or cloud-sync
        :secrets on|off      show Redact() values instead of [Redact]
        :case exact|ignore   attribute names as Entra reads them (exact, the default), or
                             ignoring case, for Graph PowerShell exports (UserPrincipalName)
        :functions [PREFIX]  list functions
        :help                this help
        :quit                leave (or Ctrl-D)
        """

    /// What the user asked for, and what to print.
    package struct Response: Equatable, Sendable {
        package var output: String
        package var quit = false

        package init(_ output: String, quit: Bool = false) {
            self.output = output
            self.quit = quit
        }
    }

    // MARK: Input

    /// Whether `text` is unfinished: a parenthesis, bracket or string still open (so the REPL
    /// asks for another line).
    package static func needsMoreInput(_ text: String) -> Bool {
        if text.hasPrefix(":") { return false }
        var depth = 0
        var inString = false
        var escaped = false
        for character in text {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" || character == "”" { inString = false }
                continue
            }
            switch character {
            case "\"", "“": inString = true
            case "(", "[": depth += 1
            case ")", "]": depth -= 1
            default: break
            }
        }
        return inString || depth > 0
    }

    /// Handles one complete input: a command or an expression.
    package func handle(_ input: String) -> Response {
        let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return Response("") }
        if trimmed.hasPrefix(":") { return command(trimmed) }
        return Response(evaluate(input))
    }

    // MARK: Expressions

    private func source(_ text: String) -> SourceFile {
        inputCount += 1
        return SourceFile(name: "<input \(inputCount)>", text: text)
    }

    private func context(for expression: CompiledExpression) -> (context: EvaluationContext, advice: String) {
        let spelling = AttributeSpelling(reading: expression)
        var read = attributes
        var advice = ""
        if ignoreAttributeCase {
            read = spelling.respelled(attributes)
        } else {
            let found = spelling.mismatches(in: attributes.keys)
            if !found.isEmpty {
                advice = "warning: " + AttributeSpelling.advice(for: found, in: "the current user", reader: "the expression", remedy: "type ':case ignore'") + "\n"
            }
        }
        var context = EvaluationContext(attributes: read)
        if let now { context = context.withFixedClock(now) }
        return (context, advice)
    }

    func evaluate(_ text: String, showType: Bool = false) -> String {
        let file = source(text)
        let (expression, diagnostics) = CompiledExpression.compile(file, options: CompileOptions(dialect: dialect))
        let renderer = DiagnosticRenderer(style: style)
        var output = renderer.render(diagnostics, in: file)
        guard let expression else { return output }
        let (context, advice) = context(for: expression)
        output += advice
        do {
            let value = try expression.evaluate(context)
            let shown = expression.isSecret && !showSecrets ? "[Redact]" : value.displayText
            if showType {
                output += value.typeName + "\n"
            } else {
                output += (value.isNull ? "NULL (the target attribute would not flow)" : shown) + "\n"
            }
        } catch {
            output += renderer.render([error.diagnostic], in: file)
        }
        return output
    }

    // MARK: Commands

    private func command(_ line: String) -> Response {
        let parts = line.dropFirst().split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let name = parts.first.map(String.init) ?? ""
        let argument = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
        switch name {
        case "help", "h", "?": return Response(Self.help + "\n")
        case "quit", "q", "exit": return Response("", quit: true)
        case "set": return Response(set(argument))
        case "unset":
            guard !argument.isEmpty else { return Response("usage: :unset NAME\n") }
            attributes[argument] = nil
            return Response("")
        case "user": return Response(loadUser(argument))
        case "show": return Response(showAttributes())
        case "now": return Response(setNow(argument))
        case "tree":
            guard !argument.isEmpty else { return Response("usage: :tree EXPRESSION\n") }
            let parsed = Parser.parse(source(argument))
            return Response(parsed.root.treeDescription(in: parsed.source) + "\n" + DiagnosticRenderer(style: style).render(parsed.diagnostics, in: parsed.source))
        case "type":
            guard !argument.isEmpty else { return Response("usage: :type EXPRESSION\n") }
            return Response(evaluate(argument, showType: true))
        case "mapping": return Response(loadMapping(argument))
        case "run": return Response(run())
        case "dialect":
            guard let value = Dialect(rawValue: argument) else { return Response("usage: :dialect provisioning|cloud-sync (now \(dialect.rawValue))\n") }
            dialect = value
            return Response("dialect: \(value.rawValue)\n")
        case "secrets":
            switch argument {
            case "on": showSecrets = true
            case "off": showSecrets = false
            default: return Response("usage: :secrets on|off\n")
            }
            return Response("")
        case "case":
            switch argument {
            case "exact": ignoreAttributeCase = false
            case "ignore": ignoreAttributeCase = true
            default: return Response("usage: :case exact|ignore (now \(ignoreAttributeCase ? "ignore" : "exact"))\n")
            }
            return Response("")
        case "functions":
            let functions = FunctionTable.functions(in: dialect).filter { argument.isEmpty || $0.name.lowercased().hasPrefix(argument.lowercased()) }
            return Response(functions.map { "\($0.synopsis)\n    \($0.summary)" }.joined(separator: "\n") + "\n")
        default:
            return Response("unknown command ':\(name)'; :help lists the commands\n")
        }
    }

    private func set(_ argument: String) -> String {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
            return "usage: :set NAME=VALUE\n"
        }
        let name = String(argument[..<equals]).trimmingCharacters(in: .whitespaces)
        let text = String(argument[argument.index(after: equals)...])
        if let json = try? JSON.parse(text) {
            attributes[name] = Value(json: json)
        } else {
            attributes[name] = .string(text)
        }
        return ""
    }

    private func loadUser(_ path: String) -> String {
        guard !path.isEmpty else { return "usage: :user FILE\n" }
        let text: String
        do {
            text = try TextFile.read((path as NSString).expandingTildeInPath, what: "user file")
        } catch {
            return "error: \(error.message)\n"
        }
        do {
            let (user, note) = try UserDocument.single(JSON.parse(text), name: path)
            attributes = try SourceUser(json: user).attributes
            return (note.map { "note: \($0)\n" } ?? "") + "loaded \(attributes.count) attribute\(attributes.count == 1 ? "" : "s") from \(path)\n"
        } catch let error as JSON.ParseError {
            return "error: \(path):\(error.line):\(error.column): \(error.message)\n"
        } catch {
            return "error: \(path): \(error)\n"
        }
    }

    /// Loads a user from a file before the session starts; the message on failure.
    package func preloadUser(_ path: String) -> String? {
        let message = loadUser(path)
        return message.hasPrefix("error") ? message : nil
    }

    private func showAttributes() -> String {
        guard !attributes.isEmpty else { return "no attributes: :set NAME=VALUE or :user FILE\n" }
        return attributes.keys.sorted().map { key in
            let value = attributes[key]!
            return "\(key) = \(value.isNull ? "NULL" : value.traceText)"
        }.joined(separator: "\n") + "\n"
    }

    private func setNow(_ argument: String) -> String {
        if argument.isEmpty || argument == "clear" {
            now = nil
            return "Now() follows the system clock\n"
        }
        guard let date = DateTime.parse(argument) else {
            return "error: expected an ISO 8601 instant such as 2026-11-23T09:30:00Z, not '\(argument)'\n"
        }
        now = date
        return "Now() is frozen at \(date)\n"
    }

    /// Freezes `Now()` at `date`.
    package func freezeNow(at date: DateTime) {
        now = date
    }

    private func loadMapping(_ path: String) -> String {
        guard !path.isEmpty else { return "usage: :mapping FILE\n" }
        let result: MappingSetLoader.Result
        do {
            result = try MappingSetLoader(options: CompileOptions(dialect: dialect)).load(path: (path as NSString).expandingTildeInPath)
        } catch {
            return "error: \(error.message)\n"
        }
        let renderer = DiagnosticRenderer(style: style)
        var output = result.diagnostics.map { renderer.render($0.diagnostic, in: $0.source) }.joined()
        if let set = result.mappingSet {
            mappingSet = set
            output += "loaded \(set.mappings.count) mapping\(set.mappings.count == 1 ? "" : "s") from \(path); :run evaluates them\n"
        } else {
            output += "error: the mapping set has errors; nothing loaded\n"
        }
        return output
    }

    /// Loads a mapping set before the session starts; the message on failure.
    package func preloadMapping(_ path: String) -> String? {
        let message = loadMapping(path)
        return mappingSet == nil ? message : nil
    }

    private func run() -> String {
        guard let mappingSet else { return "no mapping set: :mapping FILE loads one\n" }
        var options = Provisioner.Options(now: now, showSecrets: showSecrets)
        options.includeSteps = true
        options.ignoreAttributeCase = ignoreAttributeCase
        let provisioner = Provisioner(mappingSet: mappingSet, options: options)
        let user = SourceUser(attributes: ignoreAttributeCase ? provisioner.spelling.respelled(attributes) : attributes)
        let outcome = provisioner.provision(user)
        let report = OutcomeReport(source: .init(file: "current user", index: 0, line: 1, id: user.identity), outcome: outcome)
        let found = ignoreAttributeCase ? [] : provisioner.spelling.mismatches(in: attributes.keys)
        let advice = found.isEmpty ? "" : "warning: " + AttributeSpelling.advice(for: found, in: "the current user", remedy: "type ':case ignore'") + "\n"
        return report.text + advice
    }

    // MARK: Completion

    /// Candidates for the word before the cursor: function names (with their `(`), attribute
    /// names after `[` (with their `]`), commands after `:`.
    package func completions(for word: String, in line: String) -> [String] {
        if line.hasPrefix(":"), !line.contains(" ") {
            let commands = ["case", "dialect", "functions", "help", "mapping", "now", "quit", "run", "secrets", "set", "show", "tree", "type", "unset", "user"]
            return commands.map { ":" + $0 }.filter { $0.hasPrefix(line) }.map { String($0.dropFirst()) }
        }
        let beforeWord = line.hasSuffix(word) ? String(line.dropLast(word.count)) : line
        if beforeWord.hasSuffix("[") {
            var names = Set(attributes.keys)
            names.insert("IsSoftDeleted")
            for mapping in mappingSet?.mappings ?? [] { names.formUnion(mapping.source?.attributeNames ?? []) }
            return names.filter { $0.lowercased().hasPrefix(word.lowercased()) }.sorted().map { $0 + "]" }
        }
        guard !word.isEmpty else { return [] }
        let functions = FunctionTable.functions(in: dialect).map(\.name).filter { $0.lowercased().hasPrefix(word.lowercased()) }
        let keywords = FunctionTable.keywords.keys.filter { $0.lowercased().hasPrefix(word.lowercased()) }
        return functions.sorted().map { $0 + "(" } + keywords.sorted()
    }
}

extension Value {
    /// A value as the REPL shows an attribute: text quoted, lists in brackets.
    var traceText: String {
        switch self {
        case .string(let text): Printer.quoted(text)
        case .multiple(let values): "[" + values.map(Printer.quoted).joined(separator: ", ") + "]"
        default: displayText
        }
    }
}
