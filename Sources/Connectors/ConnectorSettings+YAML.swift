import Foundation
import JSONValues
package import Yams

extension ConnectorSettings {
    /// A YAML node as settings, each value with its place in the file (and each map member with
    /// the place of its key).
    package init(yaml node: Node, file: String, context: String, folder: String, environment: [String: String]) {
        let value: Value
        switch node {
        case .scalar(let scalar): value = .scalar(scalar.string, plain: scalar.style == .plain)
        case .sequence(let sequence):
            value = .sequence(sequence.map { ConnectorSettings(yaml: $0, file: file, context: context, folder: folder, environment: environment) })
        case .mapping(let mapping):
            value = .mapping(mapping.map { key, member in
                var settings = ConnectorSettings(yaml: member, file: file, context: context, folder: folder, environment: environment)
                settings.keyLine = key.mark?.line
                settings.keyColumn = key.mark?.column
                return (key.string ?? "", settings)
            })
        case .alias: value = .scalar("", plain: false)
        }
        self.init(
            value, file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, context: context, folder: folder, environment: environment)
    }

    /// Reads a YAML file as settings: the file must be UTF-8 and hold one document; a duplicate
    /// key is an error at its place.
    package static func load(file path: String, context: String, environment: [String: String]) throws(Problem) -> ConnectorSettings {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Problem(message: "cannot read '\(path)': \(error.localizedDescription)")
        }
        let text: String
        do { text = try UTF8Text.decode(data) } catch { throw Problem(message: "\(path):\(error.line):\(error.column): \(error.message)") }
        return try parse(yaml: text, file: path, context: context, folder: (path as NSString).deletingLastPathComponent, environment: environment)
    }

    /// Parses YAML text as settings.
    package static func parse(
        yaml text: String, file: String, context: String, folder: String, environment: [String: String]
    ) throws(Problem) -> ConnectorSettings {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw Problem(message: located(error, file: file))
        } catch {
            throw Problem(message: "\(file): invalid YAML: \(error)")
        }
        guard let root else { throw Problem(message: "\(file):1:1: the file is empty") }
        return ConnectorSettings(yaml: root, file: file, context: context, folder: folder, environment: environment)
    }

    /// A YAML error as `file:line:column: message`.
    private static func located(_ error: YamlError, file: String) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            return "\(file):\(mark.line):\(mark.column): invalid YAML: \(problem)\(context.map { " \($0.text)" } ?? "")"
        case .composer(let context, let problem, let mark, _):
            return "\(file):\(mark.line):\(mark.column): \(problem)\(context.map { " \($0.text)" } ?? "")"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return "\(file):\(context.mark.line):\(context.mark.column): the key \(keys) is written twice in one map"
        default:
            return "\(file): invalid YAML: \(error)"
        }
    }

    /// Fails at the first key of this map that is not one of `known`, naming the keys it takes:
    /// a misspelt key is an error, not a setting silently ignored. A non-map fails too.
    package func checkKeys(_ known: [String], what: String) throws(Problem) {
        guard let members = mapping else { throw problem("\(what) is a map of \(known.map { "'\($0)'" }.joined(separator: ", "))") }
        for (key, member) in members where !known.contains(key) {
            throw member.problemAtKey("unknown key '\(key)' in \(what); the keys are \(known.map { "'\($0)'" }.joined(separator: ", "))")
        }
    }

    /// `message` at this member's key, when it is a map member, else at its value.
    package func problemAtKey(_ message: String) -> Problem {
        guard let keyLine, let keyColumn else { return problem(message) }
        return Problem(message: "\(file):\(keyLine):\(keyColumn) (\(context)): \(message)")
    }
}
