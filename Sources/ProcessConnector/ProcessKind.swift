import ConnectorWire
package import Connectors
import Foundation
import JSONValues
package import Logging

/// `process: {…}` in a connector's entry: a connector that is a program of its own, in any
/// language, speaking the process connector protocol.
///
/// ```yaml
/// process:
///   command: [python3, connector.py]     # the program and its arguments (no secret here)
///   workingDirectory: csv-users          # relative to the configuration file; its folder if absent
///   environment:                         # the program's environment, beside PATH, HOME, LANG, TZ
///     CSV_API_KEY: ${CSV_API_KEY}        # secrets from the host's environment, never written here
///   settings: {file: users.csv}          # passed in the protocol's hello
///   timeout: 30                          # seconds a call may go unanswered
/// ```
package struct ProcessKind: ConnectorKind {
    package init() {}

    package var name: String { "process" }

    package var keys: [String] { [] }

    package struct Configuration: ConnectorConfiguration {
        package var settings: ProcessConnector.Settings

        package func makeConnector(logger: Logger) throws(ConnectorError) -> any Connector {
            ProcessConnector(settings: settings, logger: logger)
        }
    }

    package func configuration(from entry: ConnectorSettings) throws(ConnectorSettings.Problem) -> any ConnectorConfiguration {
        guard let process = entry["process"], let members = process.mapping else {
            throw entry.problem("'process' is a map: command, and optionally workingDirectory, environment, settings, timeout")
        }
        let known = ["command", "workingDirectory", "environment", "settings", "timeout", "maxMessageBytes"]
        for (key, value) in members where !known.contains(key) {
            throw value.problem("unknown key '\(key)'; 'process' takes \(known.map { "'\($0)'" }.joined(separator: ", "))")
        }
        guard let commandValue = process["command"] else { throw process.problem("'command' names the program and its arguments: [program, argument, …]") }
        let command: [String]
        if let items = commandValue.sequence {
            command = try items.map { item throws(ConnectorSettings.Problem) in
                guard let text = item.string else { throw item.problem("each part of 'command' is a text") }
                guard !text.contains("${") else {
                    throw item.problem("no ${VARIABLE} in 'command': a command line shows in the process list; pass secrets in 'environment'")
                }
                return text
            }
        } else if let text = commandValue.string {
            command = [text]
        } else {
            throw commandValue.problem("'command' is a list: [program, argument, …]")
        }
        guard let program = command.first, !program.isEmpty else { throw commandValue.problem("'command' is empty") }
        let folder = entry.folder.isEmpty ? FileManager.default.currentDirectoryPath : entry.folder
        let directory = process["workingDirectory"].map { $0.resolvedPath() ?? folder } ?? folder
        var environment: [String: String] = [:]
        if let given = process["environment"] {
            guard let variables = given.mapping else { throw given.problem("'environment' is a map of names to values") }
            for (name, value) in variables {
                guard let text = try value.expanded() else { throw value.problem("the value of \(name) is a text") }
                environment[name] = text
            }
        }
        var timeout = Duration.seconds(30)
        if let given = process["timeout"] {
            guard let seconds = given.string.flatMap(Double.init), seconds > 0 else { throw given.problem("'timeout' is a number of seconds above 0") }
            timeout = .milliseconds(Int(seconds * 1000))
        }
        var limit = WireLines.defaultLimit
        if let given = process["maxMessageBytes"] {
            guard let bytes = given.int, bytes >= 4096 else { throw given.problem("'maxMessageBytes' is a number of bytes, at least 4096") }
            limit = bytes
        }
        let settings = try process["settings"].map { value throws(ConnectorSettings.Problem) in try Self.json(value) } ?? .object([])
        // A program named by a relative path is found from the working directory.
        let resolved = program.contains("/") && !program.hasPrefix("/") ? (directory as NSString).appendingPathComponent(program) : program
        return Configuration(settings: ProcessConnector.Settings(
            name: entry["name"]?.string ?? "connector", command: [resolved] + command.dropFirst(), environment: environment, workingDirectory: directory,
            settings: settings, timeout: timeout, maxMessageBytes: limit))
    }

    /// A settings tree as JSON: maps, lists, `true`/`false`, integers, and text (`${VARIABLE}`
    /// read from the environment).
    static func json(_ value: ConnectorSettings) throws(ConnectorSettings.Problem) -> JSON {
        switch value.value {
        case .mapping:
            return .object(try (value.mapping ?? []).map { member throws(ConnectorSettings.Problem) in (member.key, try json(member.value)) })
        case .sequence:
            return .array(try (value.sequence ?? []).map { item throws(ConnectorSettings.Problem) in try json(item) })
        case .scalar(let text, let plain):
            if plain, let bool = value.bool { return .bool(bool) }
            if plain, Int(text) != nil { return .number(text) }
            return .string(try value.expanded() ?? text)
        }
    }
}
