import ArgumentParser
import Foundation
import JSONValues
import MappingExpressions
import Provisioning

extension Attrmap {
    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate one expression against a source object.",
            discussion: """
                The source object comes from --user (a JSON object of attributes, '-' for standard input) and --set NAME=VALUE (repeatable, applied after --user). A --set value that is a JSON array ('--set proxyAddresses=["a","b"]') is multi-valued; '--set NAME' without '=' makes the attribute NULL.

                Text output prints the value; a multi-valued value prints one value per line; NULL and flow directives print nothing and say so on standard error. JSON output prints {"value": …, "type": …}.

                Examples:
                  attrmap eval 'Switch([IsSoftDeleted], , "False", "9999-12-31", "True", "1990-01-01")' --set IsSoftDeleted=False
                  attrmap eval 'DateDiff("d", Now(), CDate([hireDate]))' --set hireDate=2026-12-01 --now 2026-11-23T00:00:00Z
                  echo '{"mail":"a@contoso.com"}' | attrmap eval 'Word([mail], 1, "@")' --user - --format json
                """)

        @Argument(help: "The expression, as typed in the Entra portal (quote it for the shell).")
        var expression: String

        @Option(name: .long, help: ArgumentHelp("A JSON object of source attributes; '-' reads standard input.", valueName: "file"))
        var user: String?

        @Option(name: .long, help: ArgumentHelp("Set an attribute: NAME=VALUE (repeatable).", valueName: "name=value"))
        var set: [String] = []

        @Option(name: .long, help: ArgumentHelp("Freeze Now() at this ISO 8601 instant (2026-11-23T09:30:00Z).", valueName: "iso8601"))
        var now: DateTime?

        @Option(name: .long, help: ArgumentHelp("Values Guid() returns, in order (repeatable).", valueName: "guid"))
        var guid: [String] = []

        @Option(name: .long, help: ArgumentHelp("A value already present in the target, for SelectUniqueValue (repeatable).", valueName: "value"))
        var existing: [String] = []

        @Flag(name: .long, help: "Read a source name that differs from a name the expression reads only in case as that name (UserPrincipalName as userPrincipalName), as in exports of Microsoft Graph PowerShell.")
        var ignoreAttributeCase = false

        @OptionGroup var language: LanguageOptions

        @Option(name: .long, help: "Output format: text or json.")
        var format: OutputFormat = .text

        @Flag(name: .long, help: "Show values of Redact() instead of [Redact].")
        var showSecrets = false

        enum OutputFormat: String, CaseIterable, ExpressibleByArgument { case text, json }

        func validate() throws {
            for assignment in set where assignment.hasPrefix("=") || assignment.isEmpty {
                throw ValidationError("--set expects NAME=VALUE, not '\(assignment)'")
            }
        }

        func run() async throws {
            try await reportingFailures {
                var attributes = try loadAttributes()
                let source = SourceFile(name: "<expression>", text: expression)
                let compiled = CompiledExpression.compile(source, options: CompileOptions(dialect: language.dialect))
                if let expression = compiled.expression, let user {
                    let spelling = AttributeSpelling(reading: expression)
                    if ignoreAttributeCase {
                        attributes = spelling.respelled(attributes)
                    } else {
                        let found = spelling.mismatches(in: attributes.keys)
                        if !found.isEmpty {
                            let place = user == "-" ? "<stdin>" : user
                            Terminal.writeError("warning: \(AttributeSpelling.advice(for: found, in: place, reader: "the expression"))\n")
                        }
                    }
                }
                let renderer = language.color.renderer(for: STDERR_FILENO)
                let warnings = compiled.diagnostics.filter { $0.severity != .error }
                guard let expression = compiled.expression else {
                    if format == .json {
                        let object = JSON.object([
                            ("error", .string("invalid expression")),
                            ("diagnostics", DiagnosticRenderer.json(compiled.diagnostics, in: source)),
                        ])
                        Terminal.write(object.serialized + "\n")
                    } else {
                        Terminal.writeError(renderer.render(compiled.diagnostics, in: source))
                    }
                    throw ExitCode.dataError
                }
                if format == .text, !warnings.isEmpty { Terminal.writeError(renderer.render(warnings, in: source)) }
                var context = EvaluationContext(attributes: attributes)
                if let now { context = context.withFixedClock(now) }
                if !guid.isEmpty { context.guids = .sequence(guid) }
                if !existing.isEmpty { context = context.withExistingValues(existing) }
                let value: Value
                do throws(EvaluationError) {
                    value = try expression.evaluate(context)
                } catch {
                    if format == .json {
                        let location = source.location(of: error.range.lowerBound)
                        Terminal.write(JSON.object([
                            ("error", .string(error.message)), ("id", .string(error.id.rawValue)),
                            ("line", .number(String(location.line))), ("column", .number(String(location.column))),
                        ]).serialized + "\n")
                    } else {
                        Terminal.writeError(renderer.render(error.diagnostic, in: source))
                    }
                    throw ExitCode.failure
                }
                let hidden = expression.isSecret && !showSecrets
                switch format {
                case .json:
                    let shown: JSON = hidden && !value.isNull && !value.isFlowDirective ? .string("[Redact]") : value.json
                    Terminal.write(JSON.object([("value", shown), ("type", .string(value.typeName))]).serialized + "\n")
                case .text:
                    switch value {
                    case .null: Terminal.writeError("note: the result is NULL; the target attribute would not flow\n")
                    case .ignoreFlow: Terminal.writeError("note: the target attribute does not flow (IgnoreFlow)\n")
                    case .ignoreObjectFlow: Terminal.writeError("note: the object does not flow (IgnoreObjectFlow)\n")
                    case .multiple(let values):
                        if values.isEmpty { Terminal.writeError("note: the result is multi-valued with no values\n") }
                        for text in values { Terminal.write((hidden ? "[Redact]" : text) + "\n") }
                    default:
                        Terminal.write((hidden ? "[Redact]" : value.text ?? "") + "\n")
                    }
                }
            }
        }

        private func loadAttributes() throws -> [String: Value] {
            var attributes: [String: Value] = [:]
            if let user {
                let text = try readInput(user, what: "user file")
                let name = user == "-" ? "<stdin>" : user
                let document: JSON
                do {
                    document = try JSON.parse(text)
                } catch {
                    throw CommandFailure("\(name):\(error.line):\(error.column): \(error.message)", exitCode: .dataError)
                }
                do {
                    let (one, note) = try UserDocument.single(document, name: name)
                    if let note { Terminal.writeError("note: \(note)\n") }
                    guard case .object(let members) = one else {
                        throw CommandFailure("\(name): expected a JSON object of attributes, not \(one.kindName)", exitCode: .dataError)
                    }
                    for (key, value) in members { attributes[key] = Value(json: value) }
                } catch let error as SourceUserError {
                    throw CommandFailure(error.message, exitCode: .dataError)
                }
            }
            for assignment in set {
                guard let equals = assignment.firstIndex(of: "=") else {
                    attributes[assignment] = .null
                    continue
                }
                let name = String(assignment[..<equals])
                let text = String(assignment[assignment.index(after: equals)...])
                if text.hasPrefix("["), let json = try? JSON.parse(text), case .array = json {
                    attributes[name] = Value(json: json)
                } else {
                    attributes[name] = .string(text)
                }
            }
            return attributes
        }
    }
}

