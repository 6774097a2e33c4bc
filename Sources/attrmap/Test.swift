import ArgumentParser
import Foundation
import JSONValues
import MappingExpressions

extension Attrmap {
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run expression test-case files.",
            discussion: """
                A test-case file is a JSON array of cases: {"id", "expression", "attributes", "expected", "mocks": {"now", "guids"}, "existing_values", "dialect"} (see the README). Each failure prints the expression, the expected and the actual result; the last line is 'N passed, N failed, N skipped'. --format json prints one JSON object per case.

                Exit code: 0 when every case passes or is skipped, 1 when one fails, 65 when a file cannot be read.
                """)

        @Argument(help: "Test-case files (JSON).")
        var files: [String]

        @Option(name: .long, help: "Run only cases whose id contains this text.")
        var filter: String?

        @Option(name: .long, help: "Output: text or json (one object per case).")
        var format: Format = .text

        @Flag(name: .shortAndLong, help: "List every case, not only failures.")
        var verbose = false

        enum Format: String, CaseIterable, ExpressibleByArgument { case text, json }

        func run() async throws {
            try await reportingFailures {
                var passed = 0
                var failed = 0
                var skipped = 0
                for file in files {
                    let text = try readInput(file, what: "test file")
                    let cases: [ExpressionTestCase]
                    do throws(ExpressionTestCase.FormatError) {
                        cases = try ExpressionTestCase.load(contentsOf: text, file: file)
                    } catch {
                        throw CommandFailure(error.description, exitCode: .dataError)
                    }
                    for testCase in cases {
                        if let filter, !testCase.id.contains(filter) { continue }
                        let result = TestRunner.run(testCase)
                        switch result.status {
                        case .pass: passed += 1
                        case .fail: failed += 1
                        case .skip: skipped += 1
                        }
                        switch format {
                        case .json:
                            var members: [(String, JSON)] = [
                                ("id", .string(result.id)), ("status", .string(result.status.rawValue)), ("actual", result.actualJSON),
                            ]
                            if let message = result.message { members.append(("message", .string(message))) }
                            Terminal.write(JSON.object(members).serialized + "\n")
                        case .text:
                            if result.status == .fail {
                                Terminal.write("""
                                    FAIL \(result.id) (\(file), case \(testCase.index + 1))
                                      expression: \(testCase.expression.replacingOccurrences(of: "\n", with: "\n              "))
                                      expected:   \(TestRunner.describe(testCase.expected))
                                      actual:     \(result.actual)

                                    """)
                                if let message = result.message, result.actual == "does not compile" {
                                    Terminal.write("  " + message.replacingOccurrences(of: "\n", with: "\n  ") + "\n")
                                }
                            } else if verbose {
                                Terminal.write("\(result.status == .pass ? "pass" : "skip") \(result.id)\n")
                            }
                        }
                    }
                }
                let summary = "\(passed) passed, \(failed) failed, \(skipped) skipped\n"
                if format == .json { Terminal.writeError(summary) } else { Terminal.write(summary) }
                if failed > 0 { throw ExitCode.failure }
            }
        }
    }
}
