import Connectors
import Foundation

/// Statements given in the configuration of an object type, as the generic SQL connector's
/// "SQL Query" options: each one given replaces the statement the connector would generate from
/// the table; the others are still generated.
package struct SQLStatements: Sendable, Hashable {
    /// The full import: a query whose columns are the object type's attributes (the anchor among
    /// them). Reading one object filters its result by anchor.
    package var select: String?
    /// Exports an add.
    package var insert: SQLTemplate?
    /// Exports a replace: every attribute, absent ones bound as NULL. A replace that changes no
    /// row reports the object as not found.
    package var update: SQLTemplate?
    /// Exports a delete. A delete that changes no row reports the object as not found (the host
    /// then counts it as already gone).
    package var delete: SQLTemplate?
    /// Sets a password; `@password` binds it.
    package var setPassword: SQLTemplate?

    package init(select: String? = nil, insert: SQLTemplate? = nil, update: SQLTemplate? = nil, delete: SQLTemplate? = nil, setPassword: SQLTemplate? = nil) {
        self.select = select
        self.insert = insert
        self.update = update
        self.delete = delete
        self.setPassword = setPassword
    }
}

/// SQL with `@Attribute` placeholders: one statement, or several separated by `;`.
///
/// A placeholder is `@` and a name of letters, digits and `_`, or `@[any name]` for attribute
/// names such as `msDS-UserAccountDisabled`; `@@` is a literal `@`. Text inside string literals,
/// quoted identifiers and comments is left alone. Each placeholder becomes a bound parameter,
/// never text spliced into the SQL.
package struct SQLTemplate: Sendable, Hashable, CustomStringConvertible {
    package let text: String
    /// The statements, each a sequence of SQL text and placeholders.
    let statements: [[Piece]]

    enum Piece: Sendable, Hashable {
        case sql(String)
        case placeholder(String)
    }

    /// A template that does not read, with the offset (in characters) where reading stopped.
    package struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        package var message: String
        package var offset: Int
        package var description: String { message }
    }

    package var description: String { text }

    /// Every placeholder name, in order of appearance.
    package var placeholders: [String] {
        statements.flatMap { $0.compactMap { if case .placeholder(let name) = $0 { name } else { nil } } }
    }

    package init(_ text: String) throws(Problem) {
        self.text = text
        let characters = Array(text)
        var statements: [[Piece]] = []
        var pieces: [Piece] = []
        var sql = ""
        var meaningful = false
        var index = 0

        func flushStatement() {
            if !sql.isEmpty { pieces.append(.sql(sql)) }
            if meaningful { statements.append(pieces) }
            pieces = []
            sql = ""
            meaningful = false
        }

        while index < characters.count {
            let character = characters[index]
            switch character {
            case "'", "\"":
                // A string literal or quoted identifier; a doubled quote stays inside it.
                let start = index
                sql.append(character)
                index += 1
                var closed = false
                while index < characters.count {
                    sql.append(characters[index])
                    if characters[index] == character {
                        if index + 1 < characters.count, characters[index + 1] == character {
                            sql.append(character)
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    index += 1
                }
                guard closed else {
                    throw Problem(message: "the \(character == "'" ? "string" : "quoted identifier") opened at character \(start + 1) is not closed", offset: start)
                }
                meaningful = true
            case "-" where index + 1 < characters.count && characters[index + 1] == "-":
                while index < characters.count, characters[index] != "\n" {
                    sql.append(characters[index])
                    index += 1
                }
            case "/" where index + 1 < characters.count && characters[index + 1] == "*":
                let start = index
                guard let end = (index + 2..<max(index + 2, characters.count - 1)).first(where: { characters[$0] == "*" && characters[$0 + 1] == "/" }) else {
                    throw Problem(message: "the comment opened at character \(start + 1) is not closed", offset: start)
                }
                sql.append(contentsOf: characters[index...end + 1])
                index = end + 2
            case ";":
                flushStatement()
                index += 1
            case "@":
                if index + 1 < characters.count, characters[index + 1] == "@" {
                    sql.append("@")
                    index += 2
                    meaningful = true
                    continue
                }
                let start = index
                var name = ""
                if index + 1 < characters.count, characters[index + 1] == "[" {
                    guard let close = characters[(index + 2)...].firstIndex(of: "]") else {
                        throw Problem(message: "the placeholder at character \(start + 1) has no closing ']'", offset: start)
                    }
                    name = String(characters[(index + 2)..<close])
                    index = close + 1
                } else {
                    index += 1
                    while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" {
                        name.append(characters[index])
                        index += 1
                    }
                }
                guard !name.isEmpty else {
                    throw Problem(message: "'@' at character \(start + 1) names no attribute (write @Name, @[Name], or @@ for '@' itself)", offset: start)
                }
                if !sql.isEmpty { pieces.append(.sql(sql)) }
                sql = ""
                pieces.append(.placeholder(name))
                meaningful = true
            default:
                sql.append(character)
                if !character.isWhitespace { meaningful = true }
                index += 1
            }
        }
        flushStatement()
        guard !statements.isEmpty else { throw Problem(message: "the statement is empty", offset: 0) }
        self.statements = statements
    }
}

/// One statement ready to run: its text in the engine's parameter style, and what each parameter
/// binds.
struct SQLCommand: Sendable {
    enum Parameter: Sendable, Hashable {
        case anchor
        case attribute(String)
        case document
        case password
    }

    var sql: String
    var parameters: [Parameter]

    /// How an engine writes its parameters: SQLite's `?`, PostgreSQL's `$1`, `$2`, ….
    enum Style: Sendable {
        case questionMark, numbered

        func parameter(_ number: Int) -> String {
            self == .questionMark ? "?" : "$\(number)"
        }
    }
}

/// A column of an object type's source (its table, or the result of its select statement).
struct SourceColumn: Sendable {
    var name: String
    var type: ConnectorSchema.Attribute.DataType
    var notNull: Bool
}

/// The statements of an object type's exports, generated from its source's columns or taken from
/// its configuration, with every placeholder resolved.
struct ExportPlan: Sendable {
    /// (attribute, column) pairs, in source order.
    var attributeColumns: [(attribute: String, column: String)]
    /// Attribute → data type, to bind values as the column expects them.
    var types: [String: ConnectorSchema.Attribute.DataType]
    var insert: [SQLCommand]
    var update: [SQLCommand]
    var delete: [SQLCommand]
    /// Empty when the object type keeps no password.
    var setPassword: [SQLCommand]
}

extension SQLConfiguration.ObjectTypeMapping {
    /// The export statements for `columns`, in `style`. `anchorCast` is appended to the anchor
    /// column where generated statements compare it (PostgreSQL compares anchors as text).
    func exportPlan(columns: [SourceColumn], style: SQLCommand.Style, anchorCast: String = "") throws(ConnectorError) -> ExportPlan {
        guard columns.contains(where: { $0.name.lowercased() == anchorColumn.lowercased() }) else {
            throw ConnectorError(.invalidValue, "the \(statements.select == nil ? "table '\(table)'" : "select statement of \(objectType)") has no anchor column '\(anchorColumn)'")
        }
        let pairs = attributeColumns(columns: columns.map(\.name)).filter { $0.1.lowercased() != anchorColumn.lowercased() }
            .map { (attribute: $0.0, column: $0.1) }
        var types: [String: ConnectorSchema.Attribute.DataType] = [:]
        for (attribute, column) in attributeColumns(columns: columns.map(\.name)) {
            types[attribute] = columns.first { $0.name.lowercased() == column.lowercased() }?.type ?? .string
        }
        var written: [(column: String, parameter: SQLCommand.Parameter)] = pairs.map { ($0.column, .attribute($0.attribute)) }
        if let documentColumn { written.append((documentColumn, .document)) }

        let table = quoted(self.table), anchor = quoted(anchorColumn)
        let anchorMatch = "\(anchor)\(anchorCast)"
        var generatedInsert: SQLCommand {
            let all = [(anchorColumn, SQLCommand.Parameter.anchor)] + written
            return SQLCommand(
                sql: "INSERT INTO \(table) (\(all.map { quoted($0.0) }.joined(separator: ", "))) VALUES (\((1...all.count).map(style.parameter).joined(separator: ", ")))",
                parameters: all.map(\.1))
        }
        var generatedUpdate: SQLCommand {
            // With nothing else to write, the anchor is set to itself: the row count still says
            // whether the object exists.
            let assignments = written.isEmpty ? [(anchorColumn, nil)] : written.map { ($0.column, Optional($0.parameter)) }
            var parameters: [SQLCommand.Parameter] = []
            var sets: [String] = []
            for (column, parameter) in assignments {
                if let parameter {
                    parameters.append(parameter)
                    sets.append("\(quoted(column)) = \(style.parameter(parameters.count))")
                } else {
                    sets.append("\(quoted(column)) = \(quoted(column))")
                }
            }
            parameters.append(.anchor)
            return SQLCommand(sql: "UPDATE \(table) SET \(sets.joined(separator: ", ")) WHERE \(anchorMatch) = \(style.parameter(parameters.count))", parameters: parameters)
        }
        let generatedDelete = SQLCommand(sql: "DELETE FROM \(table) WHERE \(anchorMatch) = \(style.parameter(1))", parameters: [.anchor])
        let generatedPassword = passwordColumn.map {
            SQLCommand(sql: "UPDATE \(table) SET \(quoted($0)) = \(style.parameter(1)) WHERE \(anchorMatch) = \(style.parameter(2))", parameters: [.password, .anchor])
        }

        let names = pairs.map(\.attribute) + multiValued
        func commands(_ template: SQLTemplate, _ statement: String, password: Bool = false) throws(ConnectorError) -> [SQLCommand] {
            try template.statements.map { (pieces) throws(ConnectorError) -> SQLCommand in
                var sql = ""
                var parameters: [SQLCommand.Parameter] = []
                for piece in pieces {
                    switch piece {
                    case .sql(let text): sql += text
                    case .placeholder(let name):
                        let parameter: SQLCommand.Parameter
                        if password, name.lowercased() == "password" || name.lowercased() == passwordColumn?.lowercased() {
                            parameter = .password
                        } else if name.lowercased() == anchorColumn.lowercased() {
                            parameter = .anchor
                        } else if let attribute = names.first(where: { $0 == name }) ?? names.first(where: { $0.lowercased() == name.lowercased() }) {
                            parameter = .attribute(attribute)
                        } else if let documentColumn, name.lowercased() == documentColumn.lowercased() {
                            parameter = .document
                        } else {
                            throw ConnectorError(.invalidValue, """
                                the \(statement) statement of \(objectType) names @\(name), which is neither the anchor '\(anchorColumn)' \
                                nor one of the attributes (\(names.joined(separator: ", ")))\(password ? " nor 'password'" : "")
                                """)
                        }
                        parameters.append(parameter)
                        sql += style.parameter(parameters.count)
                    }
                }
                return SQLCommand(sql: sql.trimmingCharacters(in: .whitespacesAndNewlines), parameters: parameters)
            }
        }

        return ExportPlan(
            attributeColumns: pairs, types: types,
            insert: try statements.insert.map { (t) throws(ConnectorError) in try commands(t, "insert") } ?? [generatedInsert],
            update: try statements.update.map { (t) throws(ConnectorError) in try commands(t, "update") } ?? [generatedUpdate],
            delete: try statements.delete.map { (t) throws(ConnectorError) in try commands(t, "delete") } ?? [generatedDelete],
            setPassword: try statements.setPassword.map { (t) throws(ConnectorError) in try commands(t, "setPassword", password: true) }
                ?? generatedPassword.map { [$0] } ?? [])
    }

    /// The object type the connector's schema announces for these source columns: each mapped
    /// column with its type, the multi-valued attributes, and the anchor when the host does not
    /// generate it.
    func objectType(columns: [SourceColumn]) -> ConnectorSchema.ObjectType {
        var attributes: [ConnectorSchema.Attribute] = []
        for (name, column) in attributeColumns(columns: columns.map(\.name)) {
            let info = columns.first { $0.name.lowercased() == column.lowercased() }
            attributes.append(.init(name: name, type: info?.type ?? .string, required: info?.notNull == true))
        }
        for name in multiValued { attributes.append(.init(name: name, multiValued: true)) }
        if !generatesAnchor, !attributes.contains(where: { $0.name.lowercased() == anchorColumn.lowercased() }) {
            attributes.insert(.init(name: anchorColumn, required: true), at: 0)
        }
        return .init(name: objectType, anchor: anchorColumn, attributes: attributes, keepsDocument: documentColumn != nil)
    }

    /// The query a full import runs: the configured select, or every column of the table.
    var importQuery: String {
        statements.select ?? "SELECT * FROM \(quoted(table))"
    }
}

/// A SQL identifier in double quotes.
func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
