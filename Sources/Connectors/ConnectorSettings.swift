/// A connector's entry in a configuration file, as its kind reads it: a tree of scalars, lists
/// and maps, each with the place it was written, so that every mistake is reported at its line
/// and column. The configuration reader makes it from its YAML; connectors need no YAML.
package struct ConnectorSettings: Sendable {
    package indirect enum Value: Sendable {
        case scalar(String, plain: Bool)
        case sequence([ConnectorSettings])
        case mapping([(key: String, value: ConnectorSettings)])
    }

    package var value: Value
    /// The file, and the 1-based line and column where the value starts.
    package var file: String
    package var line: Int
    package var column: Int
    /// What the messages say the value belongs to: `connector 2, 'sync'`.
    package var context: String
    /// The folder relative paths are read from (the configuration file's).
    package var folder: String
    /// For `${VARIABLE}` values.
    package var environment: [String: String]
    /// Where the key of a map member was written, when this is one.
    package var keyLine: Int?
    package var keyColumn: Int?

    package init(
        _ value: Value, file: String, line: Int, column: Int, context: String, folder: String, environment: [String: String]
    ) {
        self.value = value
        self.file = file
        self.line = line
        self.column = column
        self.context = context
        self.folder = folder
        self.environment = environment
    }

    /// A mistake in a configuration, located: `serve.yaml:12:5 (connector 2, 'sync'): …`.
    package struct Problem: Error, Sendable, CustomStringConvertible {
        package var message: String
        package var description: String { message }

        package init(message: String) {
            self.message = message
        }
    }

    /// `message` at this value's place.
    package func problem(_ message: String) -> Problem {
        Problem(message: "\(file):\(line):\(column) (\(context)): \(message)")
    }

    /// `message` at `offset` characters into this value, when it is a one-line plain scalar
    /// (the characters in the file are the value's), else at the value.
    package func problem(_ message: String, atOffset offset: Int) -> Problem {
        guard case .scalar(let text, plain: true) = value, !text.contains("\n") else { return problem(message) }
        return Problem(message: "\(file):\(line):\(column + offset) (\(context)): \(message)")
    }

    /// The member `key` of a map, its context naming the key.
    package subscript(key: String) -> ConnectorSettings? {
        guard case .mapping(let members) = value, let member = members.first(where: { $0.key == key }) else { return nil }
        return child(member.value, key: key)
    }

    /// A member of this map, its context naming the key: `connector 1, 'statements.insert'`.
    private func child(_ member: ConnectorSettings, key: String) -> ConnectorSettings {
        var member = member
        member.context = context.hasSuffix("'") ? String(context.dropLast()) + ".\(key)'" : "\(context), '\(key)'"
        return member
    }

    package var string: String? {
        if case .scalar(let text, _) = value { text } else { nil }
    }

    package var int: Int? { string.flatMap { Int($0) } }

    /// `true` or `false`, and nothing else (no YAML 1.1 `yes`/`no`).
    package var bool: Bool? {
        switch string {
        case "true": true
        case "false": false
        default: nil
        }
    }

    /// The items of a list, each in the list's context.
    package var sequence: [ConnectorSettings]? {
        guard case .sequence(let items) = value else { return nil }
        return items.map { item in
            var item = item
            item.context = context
            return item
        }
    }

    package var mapping: [(key: String, value: ConnectorSettings)]? {
        guard case .mapping(let members) = value else { return nil }
        return members.map { member in (member.key, child(member.value, key: member.key)) }
    }

    /// The scalar, with `${VARIABLE}` read from the environment.
    package func expanded() throws(Problem) -> String? {
        guard let text = string, text.hasPrefix("${"), text.hasSuffix("}") else { return string }
        let variable = String(text.dropFirst(2).dropLast())
        guard let value = environment[variable] else { throw problem("the environment variable \(variable) is not set") }
        return value
    }

    /// A path, relative to the configuration file's folder unless absolute.
    package func resolvedPath() -> String? {
        guard let text = string else { return nil }
        if text.hasPrefix("/") { return text }
        return folder.isEmpty ? text : folder + "/" + text
    }
}
