#if Server
import ArgumentParser
import ConformanceSuite
import ConnectorWire
import Connectors
import Foundation
import JSONValues
import Logging
import ProcessConnector
import Synchronization

extension Attrmap {
    /// `attrmap connector`: tools for connector authors.
    struct ConnectorCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "connector",
            abstract: "Tools for the authors of process connectors.",
            discussion: """
                A process connector is a program, in any language, that speaks the process connector protocol \
                (Documentation/process-connector-protocol.md); Examples/process-connectors has two.
                """,
            subcommands: [Test.self])
    }
}

extension Attrmap.ConnectorCommand {
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the connector conformance suite against a process connector and print each check as pass or fail.",
            discussion: """
                The program after -- is started as attrmap serve starts it, and put through the checks every connector kind \
                of attrmap passes: its handshake; for each object type it declares (or each --type), schema, create, get, \
                full import of one object and of several pages, replace or update, delete, the errors for a duplicate and for \
                a missing object, exact large and non-ASCII values, multi-valued attributes, a password set, forty \
                concurrent creates, a restart on the same store; and a crash survived. A check goes on past a failed \
                expectation and lists each one with its reason; a connector that hangs, crashes or breaks the protocol fails \
                the check it did it in, and the next check starts with the program started again.

                Point it at an empty store: the checks create objects with anchors such as contract-1, many-1000 and \
                concurrent-shared, and delete them again when they pass.

                The sample object of a type is made from its schema: each required attribute, a text attribute the checks \
                change (displayName when there is one) and the first multi-valued text attribute. --sample FILE (a JSON \
                object of attributes) adds or overrides attributes, for a store that checks its values.

                The program's environment is PATH, HOME, LANG, LC_ALL, TZ and TMPDIR, and each variable named by --env, \
                taken from this environment: a secret is never given on the command line.

                Exit codes: 0 every check passed, 1 a check failed, 64 usage error.

                Examples:
                  attrmap connector test -- python3 Examples/process-connectors/csv-users/connector.py
                  attrmap connector test --settings '{"file": "test-users.csv"}' --timeout 5 -- python3 connector.py
                  CRM_TOKEN=… attrmap connector test --env CRM_TOKEN --type User -- ./crm-connector --verbose
                """)

        @Option(name: .long, help: ArgumentHelp("The settings passed in hello: a JSON object.", valueName: "json"))
        var settings: String = "{}"

        @Option(name: .long, help: ArgumentHelp("An object type to check (repeatable); every type the connector declares by default.", valueName: "type"))
        var type: [String] = []

        @Option(name: .long, help: ArgumentHelp("A JSON file of attributes to add to or override in each sample object.", valueName: "file"))
        var sample: String?

        @Option(name: .long, help: ArgumentHelp("A variable of this environment to pass to the program (repeatable).", valueName: "name"))
        var env: [String] = []

        @Option(name: .long, help: ArgumentHelp("The program's working directory (this one by default).", valueName: "folder"))
        var workingDirectory: String?

        @Option(name: .long, help: ArgumentHelp("Seconds a call may go unanswered before the program is taken as hung.", valueName: "seconds"))
        var timeout: Double = 10

        @Flag(name: .long, help: "Show the program's log (its standard error) and the host's log, not only warnings.")
        var verbose = false

        @Argument(parsing: .postTerminator, help: ArgumentHelp("The program and its arguments, after --.", valueName: "command"))
        var command: [String] = []

        func validate() throws {
            if command.isEmpty { throw ValidationError("name the connector's program after --: attrmap connector test -- python3 connector.py") }
            if timeout <= 0 { throw ValidationError("--timeout is a number of seconds above 0") }
            for name in env where name.contains("=") {
                throw ValidationError("--env takes a variable's name, not its value (\(name.prefix { $0 != "=" })): set it in the environment")
            }
        }

        func run() async throws {
            try await reportingFailures {
                let hello: JSON
                do {
                    hello = try JSON.parse(settings)
                } catch {
                    throw CommandFailure("--settings is not JSON: \(error)", exitCode: ExitCode(64))
                }
                guard case .object = hello else { throw CommandFailure("--settings is a JSON object", exitCode: ExitCode(64)) }
                var extra: [String: JSON]?
                if let sample {
                    guard let data = FileManager.default.contents(atPath: sample) else { throw CommandFailure("cannot read \(sample)", exitCode: ExitCode(66)) }
                    guard case .object(let members) = try? JSON.parse(Array(data)) else {
                        throw CommandFailure("\(sample) is not a JSON object of attributes", exitCode: .dataError)
                    }
                    extra = Dictionary(members, uniquingKeysWith: { _, last in last })
                }
                var environment: [String: String] = [:]
                for name in env {
                    guard let value = ProcessInfo.processInfo.environment[name] else { throw CommandFailure("--env \(name): the variable is not set", exitCode: ExitCode(64)) }
                    environment[name] = value
                }
                let directory = workingDirectory ?? FileManager.default.currentDirectoryPath
                let program = command[0]
                let resolved = program.contains("/") && !program.hasPrefix("/") ? (directory as NSString).appendingPathComponent(program) : program
                var logger = Logger(label: "attrmap.connector")
                logger.logLevel = verbose ? .info : .warning
                let settings = ProcessConnector.Settings(
                    name: "connector", command: [resolved] + command.dropFirst(), environment: environment, workingDirectory: directory,
                    settings: hello, timeout: .milliseconds(Int(timeout * 1000)))
                let passed = await Self.test(settings, types: type, sample: extra, logger: logger)
                if !passed { throw ExitCode.failure }
            }
        }

        /// Runs the suite, printing each check as it ends; whether every one passed.
        static func test(_ settings: ProcessConnector.Settings, types: [String], sample: [String: JSON]?, logger: Logger) async -> Bool {
            let opened = Mutex<[ProcessConnector]>([])
            @Sendable func connector() -> ProcessConnector {
                let connector = ProcessConnector(settings: settings, logger: logger)
                opened.withLock { $0.append(connector) }
                return connector
            }
            let first = connector()
            let tally = Mutex<(passed: Int, failed: Int, skipped: Int)>((0, 0, 0))
            let report: @Sendable (ConnectorConformance.Outcome) -> Void = { outcome in
                tally.withLock { tally in
                    switch outcome.status {
                    case .passed: tally.passed += 1
                    case .failed: tally.failed += 1
                    case .skipped: tally.skipped += 1
                    }
                }
                print(Self.line(outcome))
            }
            // A check gets the time of many calls; a hung program is caught per call long before.
            let timeout = max(.seconds(120), settings.timeout * 40)
            print("Testing \(settings.command.joined(separator: " "))")
            let hello = await ConnectorConformance.perform("answers hello", timeout: timeout) { expect in
                try await ProcessConformance.answersHello(first, expect)
            }
            if let (version, capabilities) = try? await first.handshake() {
                let offered = capabilities.operations.joined(separator: ", ")
                print("  \(version.map { "version \($0), " } ?? "")operations \(offered); export \(capabilities.export ?? "replace"), concurrency \(capabilities.concurrency ?? 1)")
            }
            report(hello)
            let found = Mutex<[ConnectorConformance.Subject]>([])
            let schema = await ConnectorConformance.perform("declares object types to test", timeout: timeout) { expect in
                let subjects = try await ProcessConformance.subjects(first, objectTypes: types, sample: sample, reopen: { connector() })
                expect.expect(!subjects.isEmpty, "the schema declares no object type")
                found.withLock { $0 = subjects }
            }
            if schema.status != .passed { report(schema) }
            let subjects = found.withLock { $0 }
            for (index, subject) in subjects.enumerated() {
                let checks = ConnectorConformance.checks + (index == 0 ? [ProcessConformance.crashCheck(first)] : [])
                _ = await ConnectorConformance.run(subject, checks: checks, named: "\(subject.objectType): ", timeout: timeout, report: report)
            }
            for connector in opened.withLock({ $0 }) { await connector.shutdown() }
            let (passed, failed, skipped) = tally.withLock { $0 }
            print("\(passed + failed + skipped) checks: \(passed) passed, \(failed) failed, \(skipped) skipped.")
            return failed == 0
        }

        static func line(_ outcome: ConnectorConformance.Outcome) -> String {
            let seconds = Double(outcome.duration.components.seconds) + Double(outcome.duration.components.attoseconds) / 1e18
            switch outcome.status {
            case .passed:
                return "pass  \(outcome.check) (\(String(format: "%.2f", seconds)) s)"
            case .skipped(let reason):
                return "skip  \(outcome.check): \(reason)"
            case .failed:
                return (["FAIL  \(outcome.check) (\(String(format: "%.2f", seconds)) s)"] + outcome.failures.map { "      - \($0)" }).joined(separator: "\n")
            }
        }
    }
}

#endif
