public import ArgumentParser
import Foundation
import JSONValues
import MappingExpressions
public import Provisioning

extension Attrmap {
    struct Transform: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a mapping set over source users and print the SCIM requests Entra would send.",
            discussion: """
                For each user: the scoping filter, the matching queries in ascending precedence (GET /Users?filter=…), then the action: a create (POST /Users with every non-null mapped value, create-only mappings and defaults included), an update (PATCH of the changed values of 'always' mappings), a disable (PATCH of the mappings that read IsSoftDeleted), or a skip, with the reason.

                INPUT is a JSON file (one user object or an array of them), an NDJSON file (.ndjson, .jsonl), a CSV file (.csv: a header row of attribute names, then one user a row, fields quoted as RFC 4180 says; an empty field is null; --multi-valued names the columns that hold lists, split at --value-separator), or a folder of such files. Users are streamed: a million users need no more memory than a thousand. Users exported from Entra are read as they come: 'az ad user list' (an array), a Microsoft Graph response saved from Graph Explorer or curl ({"@odata.context": …, "value": [users]}, one page or several), and Microsoft Graph PowerShell's 'Get-MgUser | ConvertTo-Json' with --ignore-attribute-case (its names are in PascalCase; without the flag a warning names each one the mapping reads in another case).

                Every file must be UTF-8: a user whose text is not is reported at the first bad byte, and the others are processed.

                Without --target-state no user exists in the target yet, so every in-scope user is a create. With --target-state (a JSON array of SCIM resources, or a ListResponse), a user whose matching attribute finds a resource is an update or a disable.

                Output (stdout or --output): NDJSON, one line per user:
                  {"source": {"file", "index", "line", "id"}, "action": "create"|"update"|"disable"|"skip"|"error", "reason"?, "requests": [{"method", "path", "body"?}], "steps": [...], "errors": [...]}
                or, with --format text, a readable report. Values that go through Redact() are shown as [Redact] unless --show-secrets.

                A user that cannot be read or evaluated is reported with its location, and the run goes on. Exit code: 0 when every user was processed, 1 when any user failed, 65 when the mapping file is invalid.

                Examples:
                  attrmap transform --mapping Examples/quick-start/mapping.yaml Examples/quick-start/users.json
                  attrmap transform --mapping mapping.yaml --target-state target.json --profile compliant users.ndjson
                  attrmap transform --mapping exported-configuration.json --format text --now 2026-11-23T00:00:00Z users/
                  attrmap transform --mapping mapping.yaml --multi-valued appRoleAssignments hr-export.csv
                """)

        @Option(name: .shortAndLong, help: ArgumentHelp("The mapping set: attrmap YAML/JSON, or Entra's exported provisioning configuration.", valueName: "file"))
        var mapping: String

        @Argument(help: ArgumentHelp("User files (JSON, NDJSON, CSV) or folders of them.", valueName: "input"))
        var inputs: [String]

        @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("A CSV column whose text is a list of values (repeatable).", valueName: "column"))
        var multiValued: [String] = []

        @Option(name: .long, help: ArgumentHelp("What separates the values of a --multi-valued CSV column.", valueName: "text"))
        var valueSeparator = ";"

        @Option(name: .long, help: ArgumentHelp("The objects already in the target: a JSON array of SCIM resources.", valueName: "file"))
        var targetState: String?

        @Option(name: .long, help: "Request shapes: legacy (Entra's default) or compliant (aadOptscim062020). Overrides the mapping file's profile.")
        var profile: Profile?

        @Option(name: .long, help: ArgumentHelp("Freeze Now() at this ISO 8601 instant (2026-11-23T09:30:00Z), for reproducible output.", valueName: "iso8601"))
        var now: DateTime?

        @Option(name: .shortAndLong, help: ArgumentHelp("Write the results to this file instead of standard output.", valueName: "file"))
        var output: String?

        @Option(name: .long, help: "Output format: ndjson (one JSON object per user) or text.")
        var format: BatchTransform.Format = .ndjson

        @Flag(name: .long, help: "Show the values of Redact() instead of [Redact].")
        var showSecrets = false

        @Flag(name: .long, help: "Leave the step-by-step trace out of the output.")
        var noSteps = false

        @Flag(name: .long, help: "Read a source name that differs from a name the mapping reads only in case as that name (UserPrincipalName as userPrincipalName), as in exports of Microsoft Graph PowerShell.")
        var ignoreAttributeCase = false

        @Option(name: .long, help: "Worker threads (default: one per core).")
        var jobs: Int?

        @Flag(name: .long, help: "Never show a progress bar.")
        var quiet = false

        @OptionGroup var language: LanguageOptions

        func validate() throws {
            if inputs.isEmpty { throw ValidationError("give at least one input file or folder of users") }
            if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        }

        func run() async throws {
            try await reportingFailures {
                var set = try loadMappingSet(mapping, dialect: language.dialect, color: language.color)
                if let profile { set.profile = profile }
                var targetState: TargetState?
                if let path = self.targetState {
                    let text = try readInput(path, what: "target state")
                    do {
                        targetState = try TargetState(json: JSON.parse(text), matchingPaths: set.matchingMappings.map(\.target))
                    } catch let error as JSON.ParseError {
                        throw CommandFailure("\(path):\(error.line):\(error.column): invalid JSON: \(error.message)", exitCode: .dataError)
                    } catch {
                        throw CommandFailure("\(path): \(error)", exitCode: .dataError)
                    }
                }
                var options = Provisioner.Options(showSecrets: showSecrets, includeSteps: !noSteps)
                options.now = now
                options.ignoreAttributeCase = ignoreAttributeCase
                let provisioner = Provisioner(mappingSet: set, targetState: targetState, options: options)
                var transform = BatchTransform(provisioner: provisioner, format: format)
                if let jobs { transform.workers = jobs }
                guard !valueSeparator.isEmpty else { throw CommandFailure("--value-separator is empty", exitCode: ExitCode(64)) }
                transform.csv = CSVOptions(multiValued: multiValued, separator: valueSeparator)

                let files = try expandInputs(inputs)
                let totalBytes = files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
                let writer = try OutputWriter(path: output)
                let progress = ProgressBar(enabled: !quiet && Terminal.isTerminal(STDERR_FILENO), totalBytes: totalBytes)
                let started = Date()
                let summary: BatchTransform.Summary
                do {
                    summary = try transform.run(files: files, write: writer.write, progress: progress.update)
                } catch let error as UserReaderError {
                    throw CommandFailure(error.message, exitCode: .dataError)
                }
                writer.close()
                progress.finish()
                let seconds = Date().timeIntervalSince(started)
                let counts = [Outcome.Action.create, .update, .disable, .skip, .error].compactMap { action in
                    summary.counts[action].map { "\($0) \(action.rawValue)" }
                }
                let rate = seconds > 0 ? Int(Double(summary.users) / seconds) : summary.users
                Terminal.writeError(
                    "\(summary.users) user\(summary.users == 1 ? "" : "s") in \(String(format: "%.2f", seconds)) s (\(rate) users/s): \(counts.isEmpty ? "nothing to do" : counts.joined(separator: ", "))\n")
                var misspeltFiles: [String] = []
                for (_, file) in summary.misspellings where !misspeltFiles.contains(file) { misspeltFiles.append(file) }
                for file in misspeltFiles {
                    let found = summary.misspellings.filter { $0.file == file }.map(\.mismatch)
                    Terminal.writeError("warning: \(AttributeSpelling.advice(for: found, in: file))\n")
                }
                if summary.failed > 0 { throw ExitCode.failure }
            }
        }
    }
}

extension Profile: ExpressibleByArgument {}
extension BatchTransform.Format: ExpressibleByArgument {}

/// Loads a mapping set, printing its warnings; fails with every error shown.
func loadMappingSet(_ path: String, dialect: Dialect, schema: Set<String>? = nil, color: ColorChoice) throws -> MappingSet {
    guard FileManager.default.fileExists(atPath: path) else {
        throw CommandFailure("cannot read mapping file '\(path)': no such file", exitCode: .dataError)
    }
    let loader = MappingSetLoader(options: CompileOptions(dialect: dialect, schema: schema))
    let result: MappingSetLoader.Result
    do {
        result = try loader.load(path: path)
    } catch {
        throw CommandFailure(error.message, exitCode: .dataError)
    }
    let renderer = color.renderer(for: STDERR_FILENO)
    for item in result.diagnostics {
        Terminal.writeError(renderer.render(item.diagnostic, in: item.source))
    }
    guard let set = result.mappingSet else {
        let errors = result.diagnostics.filter { $0.severity == .error }.count
        throw CommandFailure("the mapping file '\(path)' has \(errors) error\(errors == 1 ? "" : "s"); `attrmap check --mapping \(path)` lists them", exitCode: .dataError)
    }
    return set
}

/// Files named on the command line, with folders replaced by their JSON and NDJSON files in name order.
func expandInputs(_ inputs: [String]) throws -> [String] {
    var files: [String] = []
    for input in inputs {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw CommandFailure("cannot read input '\(input)': no such file or folder", exitCode: .dataError)
        }
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []
            let found = names.filter { name in
                let lowered = name.lowercased()
                return lowered.hasSuffix(".json") || lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".csv")
            }.sorted()
            if found.isEmpty { throw CommandFailure("the folder '\(input)' has no .json, .ndjson, .jsonl or .csv file", exitCode: .dataError) }
            files += found.map { (input as NSString).appendingPathComponent($0) }
        } else {
            files.append(input)
        }
    }
    return files
}

/// Buffered writes to standard output or a file.
final class OutputWriter {
    private let handle: FileHandle
    private let closesHandle: Bool
    private var buffer: [UInt8] = []

    init(path: String?) throws {
        if let path, path != "-" {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw CommandFailure("cannot write '\(path)'")
            }
            self.handle = handle
            closesHandle = true
        } else {
            handle = FileHandle.standardOutput
            closesHandle = false
        }
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        flush()
        if closesHandle { try? handle.close() }
    }
}

/// A one-line progress bar on stderr, shown only on a terminal and only once a run has lasted a
/// second.
final class ProgressBar {
    private let enabled: Bool
    private let totalBytes: Int
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(enabled: Bool, totalBytes: Int) {
        self.enabled = enabled
        self.totalBytes = max(1, totalBytes)
    }

    func update(_ progress: BatchTransform.Progress) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(started) > 1, now.timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = now
        let fraction = min(1, Double(progress.bytesRead) / Double(totalBytes))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let rate = Int(Double(progress.users) / now.timeIntervalSince(started))
        Terminal.writeError("\r\(bar) \(Int(fraction * 100))%  \(progress.users) users  \(rate) users/s ")
        drawn = true
    }

    func finish() {
        if drawn { Terminal.writeError("\r\u{1B}[K") }
    }
}
