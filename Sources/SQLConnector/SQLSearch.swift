import Connectors
import Foundation

/// The SQL a search runs, for both engines: a condition on `(import query) AS attrmap_source` and
/// the texts it binds, in the engine's parameter style and with its functions.
struct SQLCondition: Sendable {
    /// Without the `WHERE`; `1 = 1` for every object.
    var sql: String
    var arguments: [String]
}

/// What differs between the engines in a search.
package struct SQLDialect: Sendable {
    var style: SQLCommand.Style
    /// A column compared as text: SQLite's columns as they are, PostgreSQL's cast (`::text`).
    var asText: @Sendable (String) -> String
    /// The text of a top-level member of a JSON document column.
    var documentMember: @Sendable (_ column: String, _ name: String) -> String
    /// How a boolean column's value reads as text (SQLite keeps 1 and 0, PostgreSQL `true`).
    var booleanText: @Sendable (Bool) -> String

    package static let sqlite = SQLDialect(
        style: .questionMark, asText: { $0 },
        documentMember: { column, name in "json_extract(\(column), '\(jsonPath(name))')" },
        booleanText: { $0 ? "1" : "0" })

    package static let postgres = SQLDialect(
        style: .numbered, asText: { "\($0)::text" },
        documentMember: { column, name in "(\(column)::jsonb ->> '\(name.replacingOccurrences(of: "'", with: "''"))')" },
        booleanText: { $0 ? "true" : "false" })

    /// `$."name"`, for SQLite's JSON functions.
    static func jsonPath(_ name: String) -> String {
        "$.\"" + name.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "'", with: "''") + "\""
    }
}

/// What reading an object type needs of its source's columns, worked out once per schema
/// discovery rather than for every row or query.
struct ReadPlan: Sendable {
    /// Attribute → column, in source order.
    var attributeColumns: [(attribute: String, column: String)]
    /// Lowercased column name → its data type.
    var columnTypes: [String: ConnectorSchema.Attribute.DataType]
    /// Whether the table of multi-valued attributes exists (a store edited by hand may lack it).
    var hasValuesTable: Bool

    init(_ mapping: SQLConfiguration.ObjectTypeMapping, columns: [SourceColumn], hasValuesTable: Bool) {
        attributeColumns = mapping.attributeColumns(columns: columns.map(\.name)).map { ($0.0, $0.1) }
        columnTypes = Dictionary(columns.map { ($0.name.lowercased(), $0.type) }, uniquingKeysWith: { first, _ in first })
        self.hasValuesTable = hasValuesTable
    }

    func type(ofColumn column: String) -> ConnectorSchema.Attribute.DataType { columnTypes[column.lowercased()] ?? .string }
}

extension SQLConfiguration.ObjectTypeMapping {
    /// The source's anchor column, as the search reads it.
    func sourceColumn(_ name: String) -> String { "attrmap_source.\(quoted(name))" }

    /// The condition of `query` (and of the keyset bound `after`) on this object type's source,
    /// read as `read` says. Parameters are numbered from `firstParameter`.
    func condition(
        _ query: ConnectorQuery?, after: String?, read: ReadPlan, dialect: SQLDialect, firstParameter: Int = 1
    ) -> SQLCondition {
        var arguments: [String] = []
        func bind(_ text: String) -> String {
            arguments.append(text)
            return dialect.style.parameter(firstParameter + arguments.count - 1)
        }
        let anchor = dialect.asText(sourceColumn(anchorColumn))
        let attributeColumns = read.attributeColumns

        func translate(_ query: ConnectorQuery) -> String {
            switch query {
            case .anchor(let value):
                return "\(anchor) = \(bind(value))"
            case .attribute(let name, let value):
                if let multi = multiValued.first(where: { $0.lowercased() == name.lowercased() }) {
                    // The values table's index finds the owners; each is then one primary-key lookup.
                    return "\(anchor) IN (SELECT attrmap_values.anchor FROM \(quoted(valuesTable)) AS attrmap_values "
                        + "WHERE attrmap_values.attribute = \(bind(multi)) AND lower(attrmap_values.value) = lower(\(bind(value))))"
                }
                let column = attributeColumns.first { $0.0 == name }?.1 ?? attributeColumns.first { $0.0.lowercased() == name.lowercased() }?.1
                    ?? (name.lowercased() == anchorColumn.lowercased() ? anchorColumn : nil)
                guard let column else { return "1 = 0" }
                if read.type(ofColumn: column) == .boolean {
                    switch value.lowercased() {
                    case "true": return "\(dialect.asText(sourceColumn(column))) = \(bind(dialect.booleanText(true)))"
                    case "false": return "\(dialect.asText(sourceColumn(column))) = \(bind(dialect.booleanText(false)))"
                    default: return "1 = 0"
                    }
                }
                return "lower(\(dialect.asText(sourceColumn(column)))) = lower(\(bind(value)))"
            case .document(let name, let value):
                guard let documentColumn else { return "1 = 0" }
                return "lower(\(dialect.documentMember(sourceColumn(documentColumn), name))) = lower(\(bind(value)))"
            case .and(let all):
                return all.isEmpty ? "1 = 1" : "(" + all.map(translate).joined(separator: " AND ") + ")"
            case .or(let any):
                return any.isEmpty ? "1 = 0" : "(" + any.map(translate).joined(separator: " OR ") + ")"
            }
        }

        var parts: [String] = []
        if let query { parts.append(translate(query)) }
        if let after { parts.append("\(anchor) > \(bind(after))") }
        return SQLCondition(sql: parts.isEmpty ? "1 = 1" : parts.joined(separator: " AND "), arguments: arguments)
    }
}
