public import ArgumentParser
import Foundation
public import MappingExpressions
import Provisioning

/// Output streams and terminal detection.
enum Terminal {
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// `--color auto|always|never`, shared by the commands that print diagnostics.
enum ColorChoice: String, CaseIterable, ExpressibleByArgument {
    case auto, always, never

    /// Whether to colour what goes to `descriptor`: `auto` colours a terminal unless `NO_COLOR`
    /// is set.
    func enabled(for descriptor: Int32) -> Bool {
        switch self {
        case .always: true
        case .never: false
        case .auto: Terminal.isTerminal(descriptor) && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        }
    }

    func renderer(for descriptor: Int32) -> DiagnosticRenderer {
        DiagnosticRenderer(style: enabled(for: descriptor) ? .ansi : .plain)
    }
}

extension Dialect: ExpressibleByArgument {}

/// `--now 2026-11-23T09:30:00Z`: an ISO 8601 instant.
extension DateTime: ExpressibleByArgument {
    public init?(argument: String) {
        guard let date = DateTime.parse(argument) else { return nil }
        self = date
    }
}

/// Reads a file, or standard input for `-`, failing with exit code 65 and a clear message.
/// Text that is not UTF-8 is an error at the place of the first bad byte.
func readInput(_ path: String, what: String) throws -> String {
    do {
        if path == "-" {
            return try TextFile.decode(FileHandle.standardInput.readDataToEndOfFile(), name: "<stdin>")
        }
        return try TextFile.read(path, what: what)
    } catch {
        throw CommandFailure(error.message, exitCode: .dataError)
    }
}

/// A failure with a message for stderr and an exit code. Every command throws these; the message
/// is printed once, as `error: …`.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var exitCode: ExitCode

    init(_ message: String, exitCode: ExitCode = .failure) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}

extension ExitCode {
    /// EX_DATAERR: the expression or the input data is invalid.
    static let dataError = ExitCode(65)
}

extension AsyncParsableCommand {
    /// Runs `body`, printing a ``CommandFailure`` as `error: …` and exiting with its code.
    func reportingFailures(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as CommandFailure {
            Terminal.writeError("error: \(failure.message)\n")
            throw failure.exitCode
        }
    }
}

/// The options every command that reads expressions shares.
struct LanguageOptions: ParsableArguments {
    @Option(name: .long, help: "The language dialect: provisioning (app provisioning, the default) or cloud-sync.")
    var dialect: Dialect = .provisioning

    @Option(name: .long, help: "Colour diagnostics: auto (on a terminal unless NO_COLOR is set), always or never.")
    var color: ColorChoice = .auto
}
