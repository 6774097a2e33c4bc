import ArgumentParser
import Foundation
import JSONValues
import MappingExpressions
import Provisioning

extension Attrmap {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lint expressions or a whole mapping set and report every problem with its location.",
            discussion: """
                Expressions come from the arguments, or from --file (one expression per line; blank lines and lines starting with '#' are skipped), or from the mappings of --mapping. Every problem is reported at once:
                syntax errors, unknown functions (with a did-you-mean for wrong casing), wrong argument counts, Switch without key/value pairs, SelectUniqueValue misuse, unknown attributes when --schema is given, and the constructs Microsoft documents as unsupported or risky.

                With --mapping (attrmap YAML/JSON, or Entra's exported provisioning configuration) the whole set is checked, each problem at its line and column in the mapping file, expression errors included: invalid target paths, duplicate targets or matching precedences, no matching attribute at all, SelectUniqueValue on a matching attribute or without 'apply: onCreate', unknown keys, invalid scoping clauses.

                --fix applies the obvious repairs (a missing ')', a function name in the wrong case, typographic quotes): it prints fixed arguments, and rewrites --file in place.

                Exit code: 0 when there is no error (warnings allowed), 1 when there is one.

                Examples:
                  attrmap check 'iif([country]="US", "United States", [country])'
                  attrmap check --file mappings.txt --schema attributes.txt --format oneline
                  attrmap check --mapping Examples/quick-start/mapping.yaml
                """)

        @Argument(help: "Expressions to check.")
        var expressions: [String] = []

        @Option(name: .shortAndLong, help: ArgumentHelp("A file of expressions, one per line ('-' for standard input).", valueName: "file"))
        var file: String?

        @Option(name: .shortAndLong, help: ArgumentHelp("A mapping set to check as a whole.", valueName: "file"))
        var mapping: String?

        @Option(name: .long, help: ArgumentHelp("The source attribute names: a JSON array, one name per line, or Entra's exported configuration (its source directory's User attributes).", valueName: "file"))
        var schema: String?

        @OptionGroup var language: LanguageOptions

        @Option(name: .long, help: "Output: text (compiler style), oneline (file:line:col: …) or json.")
        var format: Format = .text

        @Flag(name: .long, help: "Apply fix-its.")
        var fix = false

        enum Format: String, CaseIterable, ExpressibleByArgument { case text, oneline, json }

        func validate() throws {
            if expressions.isEmpty && file == nil && mapping == nil {
                throw ValidationError("give expressions to check, --file or --mapping")
            }
            if mapping != nil && (file != nil || !expressions.isEmpty) {
                throw ValidationError("--mapping checks a mapping set on its own: leave out the expressions and --file")
            }
            if mapping != nil && fix { throw ValidationError("--fix works on expressions and --file, not on --mapping") }
            if fix && file == "-" { throw ValidationError("--fix cannot rewrite standard input") }
        }

        func run() async throws {
            try await reportingFailures {
                var options = CompileOptions(dialect: language.dialect)
                if let schema { options.schema = try loadSchema(schema) }
                if let mapping { return try checkMappingSet(mapping, options: options) }
                var sources: [SourceFile] = []
                var fileLines: [String] = []
                var fileLineIndexes: [Int] = []
                for (index, text) in expressions.enumerated() {
                    sources.append(SourceFile(name: expressions.count == 1 ? "<expression>" : "<expression \(index + 1)>", text: text))
                }
                if let file {
                    let text = try readInput(file, what: "expression file")
                    fileLines = text.components(separatedBy: "\n")
                    for (index, line) in fileLines.enumerated() {
                        let trimmed = line.trimmingCharacters(in: .whitespaces)
                        if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                        let body = line.hasSuffix("\r") ? String(line.dropLast()) : line
                        sources.append(SourceFile(
                            name: file == "-" ? "<stdin>" : file, text: body,
                            origin: SourceFile.Origin(start: SourceLocation(line: index + 1, column: 1))))
                        fileLineIndexes.append(index)
                    }
                }
                let renderer = language.color.renderer(for: STDOUT_FILENO)
                var errors = 0
                var warnings = 0
                var fixed = 0
                var json: [JSON] = []
                for (position, source) in sources.enumerated() {
                    var diagnostics = CompiledExpression.check(source, options: options)
                    if fix, diagnostics.contains(where: { !$0.fixIts.isEmpty }) {
                        let repaired = Diagnostic.applyingFixIts(diagnostics, to: source.text)
                        fixed += 1
                        let isFileLine = position >= expressions.count
                        if isFileLine {
                            fileLines[fileLineIndexes[position - expressions.count]] = repaired
                        } else {
                            Terminal.write(repaired + "\n")
                        }
                        diagnostics = CompiledExpression.check(SourceFile(name: source.name, text: repaired, origin: source.origin), options: options)
                    }
                    errors += diagnostics.filter { $0.severity == .error }.count
                    warnings += diagnostics.filter { $0.severity == .warning }.count
                    switch format {
                    case .text: Terminal.write(renderer.render(diagnostics, in: source))
                    case .oneline: Terminal.write(renderer.renderOneLine(diagnostics, in: source))
                    case .json:
                        if case .array(let items) = DiagnosticRenderer.json(diagnostics, in: source) { json += items }
                    }
                }
                if fix, let file, fixed > 0 {
                    try fileLines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
                }
                if format == .json {
                    Terminal.write(JSON.object([
                        ("version", .number("1")),
                        ("expressions", .number(String(sources.count))),
                        ("errors", .number(String(errors))), ("warnings", .number(String(warnings))),
                        ("diagnostics", .array(json)),
                    ]).prettySerialized + "\n")
                } else {
                    var summary = "\(sources.count) expression\(sources.count == 1 ? "" : "s") checked: "
                        + "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
                    if fix { summary += ", \(fixed) fixed" }
                    Terminal.writeError(summary + "\n")
                }
                if errors > 0 { throw ExitCode.failure }
            }
        }

        private func checkMappingSet(_ path: String, options: CompileOptions) throws {
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure("cannot read mapping file '\(path)': no such file", exitCode: .dataError)
            }
            let result: MappingSetLoader.Result
            do {
                result = try MappingSetLoader(options: options).load(path: path)
            } catch {
                throw CommandFailure(error.message, exitCode: .dataError)
            }
            let renderer = language.color.renderer(for: STDOUT_FILENO)
            let errors = result.diagnostics.filter { $0.severity == .error }.count
            let warnings = result.diagnostics.filter { $0.severity == .warning }.count
            switch format {
            case .text:
                for item in result.diagnostics { Terminal.write(renderer.render(item.diagnostic, in: item.source)) }
            case .oneline:
                for item in result.diagnostics { Terminal.write(renderer.renderOneLine([item.diagnostic], in: item.source)) }
            case .json:
                var items: [JSON] = []
                for item in result.diagnostics {
                    if case .array(let rendered) = DiagnosticRenderer.json([item.diagnostic], in: item.source) { items += rendered }
                }
                Terminal.write(JSON.object([
                    ("version", .number("1")), ("mappingFile", .string(path)),
                    ("mappings", .number(String(result.mappingSet?.mappings.count ?? 0))),
                    ("errors", .number(String(errors))), ("warnings", .number(String(warnings))),
                    ("diagnostics", .array(items)),
                ]).prettySerialized + "\n")
            }
            if format != .json {
                var summary = "\(path): "
                if let set = result.mappingSet { summary += "\(set.mappings.count) mapping\(set.mappings.count == 1 ? "" : "s"), " }
                summary += "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
                Terminal.writeError(summary + "\n")
            }
            if errors > 0 { throw ExitCode.failure }
        }

        /// Source attribute names from a JSON array of names, one name per line, or Entra's
        /// exported configuration (the attributes of the source directory's User object).
        private func loadSchema(_ path: String) throws -> Set<String> {
            let text = try readInput(path, what: "schema")
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") {
                let json: JSON
                do {
                    json = try JSON.parse(text)
                } catch {
                    throw CommandFailure("\(path):\(error.line):\(error.column): \(error.message)", exitCode: .dataError)
                }
                if case .array(let items) = json { return Set(items.compactMap(\.stringValue)) }
                let schema = json["schema"] ?? json
                let sourceDirectory = schema["synchronizationRules"]?.arrayValue?.first?["sourceDirectoryName"]?.stringValue
                let directories = schema["directories"]?.arrayValue ?? []
                guard let directory = directories.first(where: { $0["name"]?.stringValue == sourceDirectory }) ?? directories.first else {
                    throw CommandFailure("\(path): expected a JSON array of attribute names, or an exported configuration with 'directories'", exitCode: .dataError)
                }
                let user = directory["objects"]?.arrayValue?.first { $0["name"]?.stringValue?.lowercased() == "user" }
                return Set((user?["attributes"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
            }
            return Set(text.components(separatedBy: .newlines).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty && !$0.hasPrefix("#")
            })
        }
    }
}
