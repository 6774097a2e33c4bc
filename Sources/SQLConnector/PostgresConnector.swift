public import Connectors
import Foundation
public import JSONValues
public import Logging
import PostgresNIO
import Synchronization

/// The SQL connector on PostgreSQL, through postgres-nio: the same configuration as the SQLite
/// connector (tables, anchor columns, attribute-to-column maps, multi-valued child tables, a JSON
/// document column), every export in one transaction. Call ``run()`` (it runs the connection pool)
/// for as long as the connector is used.
public final class PostgresConnector: Connector {
    private let client: PostgresClient
    private let configuration: SQLConfiguration
    private let logger: Logger
    private let columnCache = Mutex<[String: [(name: String, type: String, notNull: Bool)]]>([:])

    public struct Endpoint: Sendable {
        public var host: String
        public var port: Int
        public var username: String
        public var password: String?
        public var database: String

        public init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
        }
    }

    public init(endpoint: Endpoint, configuration: SQLConfiguration, logger: Logger) {
        let settings = PostgresClient.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.username, password: endpoint.password,
            database: endpoint.database, tls: .disable)
        client = PostgresClient(configuration: settings, backgroundLogger: logger)
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the connection pool until the task is cancelled.
    public func run() async {
        await client.run()
    }

    private func mapping(_ objectType: String) throws(ConnectorError) -> SQLConfiguration.ObjectTypeMapping {
        guard let mapping = configuration.objectTypes.first(where: { $0.objectType.lowercased() == objectType.lowercased() }) else {
            throw ConnectorError(.invalidValue, "this connector has no object type '\(objectType)'")
        }
        return mapping
    }

    /// Runs SQL statements (a set-up script), one after another.
    public func execute(script: String) async throws(ConnectorError) {
        for statement in script.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) where !statement.isEmpty {
            do { try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger) } catch { throw Self.translate(error) }
        }
        columnCache.withLock { $0 = [:] }
    }

    public func testConnection() async throws(ConnectorError) {
        do { try await client.query("SELECT 1", logger: logger) } catch { throw Self.translate(error) }
    }

    /// The table's columns, from information_schema, in table order.
    private func columns(_ table: String) async throws(ConnectorError) -> [(name: String, type: String, notNull: Bool)] {
        if let cached = columnCache.withLock({ $0[table] }) { return cached }
        var result: [(String, String, Bool)] = []
        do {
            let rows = try await client.query(
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = \(table) ORDER BY ordinal_position",
                logger: logger)
            for try await (name, type, nullable) in rows.decode((String, String, String).self) {
                result.append((name, type, nullable == "NO"))
            }
        } catch {
            throw Self.translate(error)
        }
        guard !result.isEmpty else { throw ConnectorError(.unavailable, "the table '\(table)' does not exist") }
        let found = result
        columnCache.withLock { $0[table] = found }
        return result
    }

    public func schema() async throws(ConnectorError) -> ConnectorSchema {
        var types: [ConnectorSchema.ObjectType] = []
        for mapping in configuration.objectTypes {
            let columns = try await columns(mapping.table)
            var attributes: [ConnectorSchema.Attribute] = []
            for (name, column) in mapping.attributeColumns(columns: columns.map(\.name)) {
                let info = columns.first { $0.name.lowercased() == column.lowercased() }
                attributes.append(.init(name: name, type: SQLConfiguration.dataType(info?.type ?? ""), required: info?.notNull == true))
            }
            for name in mapping.multiValued { attributes.append(.init(name: name, multiValued: true)) }
            types.append(.init(name: mapping.objectType, anchor: mapping.anchorColumn, attributes: attributes, keepsDocument: mapping.documentColumn != nil))
        }
        return ConnectorSchema(objectTypes: types)
    }

    // MARK: Reading

    public func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] {
        try await fetch(try mapping(objectType), anchor: nil)
    }

    public func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? {
        try await fetch(try mapping(objectType), anchor: anchor).first
    }

    private func fetch(_ mapping: SQLConfiguration.ObjectTypeMapping, anchor: String?) async throws(ConnectorError) -> [ConnectorObject] {
        let columns = try await columns(mapping.table)
        let attributeColumns = mapping.attributeColumns(columns: columns.map(\.name))
        let selected = [mapping.anchorColumn] + attributeColumns.map(\.1) + (mapping.documentColumn.map { [$0] } ?? [])
        let types = Dictionary(columns.map { ($0.name.lowercased(), SQLConfiguration.dataType($0.type)) }, uniquingKeysWith: { a, _ in a })
        // Every column as text: one decoding path, booleans and numbers converted by declared type.
        var sql = "SELECT \(selected.map { "\(quoted($0))::text" }.joined(separator: ", ")) FROM \(quoted(mapping.table))"
        var binds = PostgresBindings()
        if let anchor {
            sql += " WHERE \(quoted(mapping.anchorColumn))::text = $1"
            binds.append(anchor)
        }
        var objects: [ConnectorObject] = []
        var index: [String: Int] = [:]
        do {
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            for try await row in rows {
                let cells = Array(row)
                guard let anchorValue = try cells[0].decode(String?.self) else { continue }
                var object = ConnectorObject(objectType: mapping.objectType, anchor: anchorValue)
                for (offset, (name, column)) in attributeColumns.enumerated() {
                    guard let text = try cells[offset + 1].decode(String?.self) else { continue }
                    object.attributes[name] = Self.json(text, type: types[column.lowercased()] ?? .string)
                }
                if mapping.documentColumn != nil, let text = try cells[attributeColumns.count + 1].decode(String?.self) {
                    object.document = try? JSON.parse(text)
                }
                index[anchorValue] = objects.count
                objects.append(object)
            }
            if !mapping.multiValued.isEmpty {
                var valuesSQL = "SELECT anchor, attribute, value FROM \(quoted(mapping.valuesTable))"
                var valueBinds = PostgresBindings()
                if let anchor {
                    valuesSQL += " WHERE anchor = $1"
                    valueBinds.append(anchor)
                }
                valuesSQL += " ORDER BY anchor, attribute, position"
                let valueRows = try await client.query(PostgresQuery(unsafeSQL: valuesSQL, binds: valueBinds), logger: logger)
                for try await (owner, attribute, text) in valueRows.decode((String, String, String?).self) {
                    guard let at = index[owner] else { continue }
                    let element: JSON = text.flatMap { t in t.hasPrefix("{") ? try? JSON.parse(t) : nil } ?? (text.map(JSON.string) ?? .null)
                    var list = objects[at].attributes[attribute]?.arrayValue ?? []
                    list.append(element)
                    objects[at].attributes[attribute] = .array(list)
                }
            }
        } catch {
            throw Self.translate(error)
        }
        return objects
    }

    static func json(_ text: String, type: ConnectorSchema.Attribute.DataType) -> JSON {
        switch type {
        case .boolean: .bool(text == "true" || text == "t" || text == "1")
        case .integer: Int64(text).map { .number(String($0)) } ?? .string(text)
        default: .string(text)
        }
    }

    // MARK: Writing

    /// The values of an export, as bindings, in column order.
    private func bindings(_ object: ConnectorObject, _ mapping: SQLConfiguration.ObjectTypeMapping) async throws(ConnectorError) -> (columns: [String], binds: [PostgresBindings.Value]) {
        let columns = try await columns(mapping.table)
        let types = Dictionary(columns.map { ($0.name.lowercased(), SQLConfiguration.dataType($0.type)) }, uniquingKeysWith: { a, _ in a })
        var names: [String] = []
        var values: [PostgresBindings.Value] = []
        for (attribute, column) in mapping.attributeColumns(columns: columns.map(\.name))
        where column.lowercased() != mapping.anchorColumn.lowercased() {
            names.append(column)
            values.append(Self.value(object.attributes[attribute], type: types[column.lowercased()] ?? .string))
        }
        if let documentColumn = mapping.documentColumn {
            names.append(documentColumn)
            values.append(object.document.map { .text($0.serialized) } ?? .null)
        }
        return (names, values)
    }

    static func value(_ json: JSON?, type: ConnectorSchema.Attribute.DataType) -> PostgresBindings.Value {
        guard let json, json != .null else { return .null }
        let single = json.arrayValue?.first ?? json
        switch (type, single) {
        case (.boolean, .bool(let flag)): return .bool(flag)
        case (.boolean, .string(let text)): return .bool(text.lowercased() == "true")
        case (.integer, .number(let text)), (.integer, .string(let text)): return Int64(text).map(PostgresBindings.Value.integer) ?? .text(text)
        case (_, .string(let text)): return .text(text)
        case (_, .number(let text)): return .text(text)
        case (_, .bool(let flag)): return .text(flag ? "True" : "False")
        default: return .text(single.serialized)
        }
    }

    public func create(_ object: ConnectorObject) async throws(ConnectorError) {
        let mapping = try mapping(object.objectType)
        let (columns, values) = try await bindings(object, mapping)
        let names = [mapping.anchorColumn] + columns
        let sql = "INSERT INTO \(quoted(mapping.table)) (\(names.map(quoted).joined(separator: ", "))) VALUES (\((1...names.count).map { "$\($0)" }.joined(separator: ", ")))"
        try await transaction { connection in
            var binds = PostgresBindings()
            binds.append(object.anchor)
            for value in values { value.append(to: &binds) }
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger)
            try await self.writeValues(connection, mapping, object)
        }
    }

    public func replace(_ object: ConnectorObject) async throws(ConnectorError) {
        let mapping = try mapping(object.objectType)
        let (columns, values) = try await bindings(object, mapping)
        try await transaction { connection in
            if !columns.isEmpty {
                let sql = "UPDATE \(quoted(mapping.table)) SET \(columns.enumerated().map { "\(quoted($1)) = $\($0 + 1)" }.joined(separator: ", ")) WHERE \(quoted(mapping.anchorColumn))::text = $\(columns.count + 1) RETURNING 1"
                var binds = PostgresBindings()
                for value in values { value.append(to: &binds) }
                binds.append(object.anchor)
                var updated = 0
                for try await _ in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger) { updated += 1 }
                guard updated > 0 else { throw ConnectorError(.notFound, "no object with anchor '\(object.anchor)'") }
            }
            if !mapping.multiValued.isEmpty {
                var binds = PostgresBindings()
                binds.append(object.anchor)
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(quoted(mapping.valuesTable)) WHERE anchor = $1", binds: binds), logger: self.logger)
            }
            try await self.writeValues(connection, mapping, object)
        }
    }

    private func writeValues(_ connection: PostgresConnection, _ mapping: SQLConfiguration.ObjectTypeMapping, _ object: ConnectorObject) async throws {
        for attribute in mapping.multiValued {
            guard let value = object.attributes[attribute] else { continue }
            for (position, element) in (value.arrayValue ?? [value]).enumerated() where element != .null {
                var binds = PostgresBindings()
                binds.append(object.anchor)
                binds.append(attribute)
                binds.append(position)
                binds.append(element.stringValue ?? element.serialized)
                try await connection.query(PostgresQuery(
                    unsafeSQL: "INSERT INTO \(quoted(mapping.valuesTable)) (anchor, attribute, position, value) VALUES ($1, $2, $3, $4)",
                    binds: binds), logger: logger)
            }
        }
    }

    public func delete(objectType: String, anchor: String) async throws(ConnectorError) {
        let mapping = try mapping(objectType)
        try await transaction { connection in
            var binds = PostgresBindings()
            binds.append(anchor)
            if !mapping.multiValued.isEmpty {
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(quoted(mapping.valuesTable)) WHERE anchor = $1", binds: binds), logger: self.logger)
            }
            var deleted = 0
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(quoted(mapping.table)) WHERE \(quoted(mapping.anchorColumn))::text = $1 RETURNING 1", binds: binds),
                logger: self.logger)
            for try await _ in rows { deleted += 1 }
            guard deleted > 0 else { throw ConnectorError(.notFound, "no object with anchor '\(anchor)'") }
        }
    }

    public func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {
        let mapping = try mapping(objectType)
        guard let column = mapping.passwordColumn else { return }
        var binds = PostgresBindings()
        binds.append(password)
        binds.append(anchor)
        do {
            try await client.query(PostgresQuery(
                unsafeSQL: "UPDATE \(quoted(mapping.table)) SET \(quoted(column)) = $1 WHERE \(quoted(mapping.anchorColumn))::text = $2", binds: binds),
                logger: logger)
        } catch {
            throw Self.translate(error)
        }
    }

    private func transaction(_ body: (PostgresConnection) async throws -> Void) async throws(ConnectorError) {
        do {
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch {
            throw Self.translate(error)
        }
    }

    static func translate(_ error: any Error) -> ConnectorError {
        if let error = error as? ConnectorError { return error }
        if let error = error as? PostgresTransactionError, let inner = error.closureError ?? error.beginError ?? error.commitError {
            return translate(inner)
        }
        if let error = error as? PSQLError {
            let state = error.serverInfo?[.sqlState]
            let message = error.serverInfo?[.message] ?? "\(error.code)"
            switch state {
            case "23505": return ConnectorError(.alreadyExists, "the store refused a duplicate: \(message)")
            case "23502", "23514", "23503", "22P02": return ConnectorError(.invalidValue, "the store refused the values: \(message)")
            default:
                if error.code == .connectionError || error.code == .serverClosedConnection {
                    return ConnectorError(.unavailable, "PostgreSQL is unreachable: \(message)")
                }
                return ConnectorError(.failed, "PostgreSQL: \(message)")
            }
        }
        return ConnectorError(.failed, "\(error)")
    }
}

extension PostgresBindings {
    /// A value to bind: text, a boolean, an integer, or NULL.
    public enum Value: Sendable {
        case text(String)
        case bool(Bool)
        case integer(Int64)
        case null

        func append(to binds: inout PostgresBindings) {
            switch self {
            case .text(let text): binds.append(text)
            case .bool(let flag): binds.append(flag)
            case .integer(let number): binds.append(number)
            case .null: binds.appendNull()
            }
        }
    }
}
