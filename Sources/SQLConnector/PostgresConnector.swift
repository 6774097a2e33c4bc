package import Connectors
import Foundation
import JSONValues
package import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The SQL connector on PostgreSQL, through postgres-nio: the same configuration as the SQLite
/// connector (tables, anchor columns, attribute-to-column maps, multi-valued child tables, a JSON
/// document column), every export in one transaction. Call ``run()`` (it runs the connection pool)
/// for as long as the connector is used.
package final class PostgresConnector: QueryingConnector {
    private let client: PostgresClient
    private let configuration: SQLConfiguration
    private let logger: Logger
    /// Each object type's source columns and export statements, built on first use and again at
    /// each schema discovery.
    private let plans = Mutex<[String: (columns: [SourceColumn], plan: ExportPlan, read: ReadPlan)]>([:])

    package struct Endpoint: Sendable {
        package var host: String
        package var port: Int
        package var username: String
        package var password: String?
        package var database: String

        package init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String) {
            self.host = host
            self.port = port
            self.username = username
            self.password = password
            self.database = database
        }
    }

    /// `setUp` (statements separated by `;`) runs once, at the first connection test, so that it
    /// runs on the pool that ``run()`` keeps; a failing one is tried again at the next test.
    package init(endpoint: Endpoint, configuration: SQLConfiguration, setUp: String? = nil, logger: Logger) {
        let settings = PostgresClient.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.username, password: endpoint.password,
            database: endpoint.database, tls: .disable)
        client = PostgresClient(configuration: settings, backgroundLogger: logger)
        self.configuration = configuration
        self.logger = logger
        pendingSetUp = Mutex(setUp)
    }

    /// The set-up script still to run.
    private let pendingSetUp: Mutex<String?>

    /// Runs the connection pool until the graceful shutdown (or the task's cancellation), then
    /// closes its connections.
    package func run() async throws {
        await cancelWhenGracefulShutdown { [client] in await client.run() }
    }

    private func mapping(_ objectType: String) throws(ConnectorError) -> SQLConfiguration.ObjectTypeMapping {
        guard let mapping = configuration.objectTypes.first(where: { $0.objectType.lowercased() == objectType.lowercased() }) else {
            throw ConnectorError(.invalidValue, "this connector has no object type '\(objectType)'")
        }
        return mapping
    }

    /// Runs SQL statements (a set-up script), one after another, in one transaction that holds
    /// an advisory lock: hosts started together on one database run their set-ups one at a time
    /// (two concurrent `CREATE TABLE IF NOT EXISTS` of one table can both try to create it), and
    /// a script that fails half-way leaves nothing behind.
    package func execute(script: String) async throws(ConnectorError) {
        let statements = script.split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let logger = logger
        do {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.setUpLock))", logger: logger)
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
            }
        } catch {
            throw Self.translate(error)
        }
        plans.withLock { $0 = [:] }
    }

    /// The advisory lock key of set-up scripts (`attrmap` in ASCII).
    static let setUpLock: Int64 = 0x61_74_74_72_6D_61_70

    package func testConnection() async throws(ConnectorError) {
        let (client, logger) = (client, logger)
        try await bounded { () async throws(ConnectorError) in
            do { try await client.query("SELECT 1", logger: logger) } catch { throw Self.translate(error) }
        }
        guard let setUp = pendingSetUp.withLock({ script -> String? in defer { script = nil }; return script }) else { return }
        do {
            try await execute(script: setUp)
        } catch {
            pendingSetUp.withLock { $0 = setUp }
            // A statement the server refuses is the configuration's mistake: not worth retrying.
            throw error.kind == .unavailable ? error : ConnectorError(.invalidValue, "the set-up script failed: \(error.message)")
        }
    }

    /// The columns of `mapping`'s source, from information_schema: its table's, or those of its
    /// select statement, read through a temporary view.
    private func sourceColumns(_ mapping: SQLConfiguration.ObjectTypeMapping) async throws(ConnectorError) -> [SourceColumn] {
        let logger = self.logger
        func read(_ connection: PostgresConnection, table: String, temporary: Bool) async throws -> [SourceColumn] {
            var result: [SourceColumn] = []
            let rows = try await connection.query(
                """
                SELECT column_name, data_type, is_nullable FROM information_schema.columns
                WHERE table_name = \(table) AND (table_schema LIKE 'pg_temp%') = \(temporary) ORDER BY ordinal_position
                """, logger: logger)
            for try await (name, type, nullable) in rows.decode((String, String, String).self) {
                result.append(SourceColumn(name: name, type: SQLConfiguration.dataType(type), notNull: nullable == "NO"))
            }
            return result
        }
        let columns: [SourceColumn]
        do {
            columns = try await client.withConnection { connection in
                guard let select = mapping.statements.select else { return try await read(connection, table: mapping.table, temporary: false) }
                try await connection.query("DROP VIEW IF EXISTS pg_temp.attrmap_probe", logger: logger)
                do {
                    try await connection.query(PostgresQuery(unsafeSQL: "CREATE TEMPORARY VIEW attrmap_probe AS \(select)"), logger: logger)
                } catch {
                    throw ConnectorError(.invalidValue, "the select statement of \(mapping.objectType) does not run: \(Self.translate(error).message)")
                }
                let columns = try await read(connection, table: "attrmap_probe", temporary: true)
                try await connection.query("DROP VIEW pg_temp.attrmap_probe", logger: logger)
                return columns
            }
        } catch {
            throw Self.translate(error)
        }
        guard !columns.isEmpty else { throw ConnectorError(.unavailable, "the table '\(mapping.table)' does not exist") }
        return columns
    }

    /// The source columns and export plan of `mapping`, from the cache unless `refresh`. The
    /// configured statements are prepared once, so that a mistake in one shows at discovery.
    private func plan(
        _ mapping: SQLConfiguration.ObjectTypeMapping, refresh: Bool = false
    ) async throws(ConnectorError) -> (columns: [SourceColumn], plan: ExportPlan, read: ReadPlan) {
        if !refresh, let cached = plans.withLock({ $0[mapping.objectType.lowercased()] }) { return cached }
        let columns = try await sourceColumns(mapping)
        let plan = try mapping.exportPlan(columns: columns, style: .numbered, anchorCast: "::text")
        let configured = [("insert", mapping.statements.insert), ("update", mapping.statements.update), ("delete", mapping.statements.delete),
                          ("setPassword", mapping.statements.setPassword)]
        let commands = ["insert": plan.insert, "update": plan.update, "delete": plan.delete, "setPassword": plan.setPassword]
        for (name, template) in configured where template != nil {
            for command in commands[name] ?? [] {
                do {
                    try await client.withConnection { connection in
                        try await connection.query(PostgresQuery(unsafeSQL: "PREPARE attrmap_check AS \(command.sql)"), logger: self.logger)
                        try await connection.query("DEALLOCATE attrmap_check", logger: self.logger)
                    }
                } catch {
                    throw ConnectorError(.invalidValue, "the \(name) statement of \(mapping.objectType) does not prepare: \(Self.translate(error).message) in `\(command.sql)`")
                }
            }
        }
        let read = ReadPlan(mapping, columns: columns, hasValuesTable: !mapping.multiValued.isEmpty)
        plans.withLock { $0[mapping.objectType.lowercased()] = (columns, plan, read) }
        return (columns, plan, read)
    }

    /// Runs `commands` with `object`'s values (and `password`) on `connection`; returns the number
    /// of rows they changed.
    private func execute(
        _ connection: PostgresConnection, _ commands: [SQLCommand], types: [String: ConnectorSchema.Attribute.DataType],
        anchor: String, object: ConnectorObject? = nil, password: String? = nil
    ) async throws -> Int {
        var changed = 0
        for command in commands {
            var binds = PostgresBindings()
            for parameter in command.parameters {
                switch parameter {
                case .anchor: binds.append(anchor)
                case .attribute(let name): Self.value(object?.attributes[name], type: types[name] ?? .string).append(to: &binds)
                case .document: (object?.document.map { .text($0.serialized) } ?? PostgresBindings.Value.null).append(to: &binds)
                case .password: (password.map(PostgresBindings.Value.text) ?? .null).append(to: &binds)
                }
            }
            let result: PostgresQueryResult = try await connection.query(PostgresQuery(unsafeSQL: command.sql, binds: binds), logger: logger).get()
            changed += result.metadata.rows ?? 0
        }
        return changed
    }

    package func schema() async throws(ConnectorError) -> ConnectorSchema {
        var types: [ConnectorSchema.ObjectType] = []
        for mapping in configuration.objectTypes {
            types.append(mapping.objectType(columns: try await plan(mapping, refresh: true).columns))
        }
        return ConnectorSchema(objectTypes: types)
    }

    // MARK: Reading

    package func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] {
        try await fetch(try mapping(objectType), search: nil)
    }

    package func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? {
        try await search(objectType: objectType, ConnectorSearch(query: .anchor(anchor), limit: 1)).first
    }

    /// The query as SQL on the source, answered by the server with its indexes; bounded in time
    /// as every single-object operation is.
    package func search(objectType: String, _ search: ConnectorSearch) async throws(ConnectorError) -> [ConnectorObject] {
        let mapping = try mapping(objectType)
        return try await bounded { [self] () async throws(ConnectorError) -> [ConnectorObject] in try await fetch(mapping, search: search) }
    }

    package func count(objectType: String, query: ConnectorQuery?) async throws(ConnectorError) -> Int {
        let mapping = try mapping(objectType)
        return try await bounded { [self] () async throws(ConnectorError) -> Int in
            let condition = mapping.condition(query, after: nil, read: try await plan(mapping).read, dialect: .postgres)
            let sql = "SELECT count(*) FROM (\(mapping.importQuery)) AS attrmap_source WHERE \(condition.sql)"
            do {
                let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: Self.bindings(condition.arguments)), logger: logger)
                for try await total in rows.decode(Int.self) { return total }
                return 0
            } catch {
                throw Self.translate(error)
            }
        }
    }

    static func bindings(_ texts: [String]) -> PostgresBindings {
        var binds = PostgresBindings()
        for text in texts { binds.append(text) }
        return binds
    }

    /// The objects `search` selects (every object when nil), with their multi-valued attributes.
    private func fetch(_ mapping: SQLConfiguration.ObjectTypeMapping, search: ConnectorSearch?) async throws(ConnectorError) -> [ConnectorObject] {
        let read = try await plan(mapping).read
        let attributeColumns = read.attributeColumns
        let selected = [mapping.anchorColumn] + attributeColumns.map(\.column) + (mapping.documentColumn.map { [$0] } ?? [])
        // Every column as text: one decoding path, booleans and numbers converted by declared type.
        var sql = "SELECT \(selected.map { "\(mapping.sourceColumn($0))::text" }.joined(separator: ", ")) FROM (\(mapping.importQuery)) AS attrmap_source"
        var binds = PostgresBindings()
        if let search {
            let condition = mapping.condition(search.query, after: search.after, read: read, dialect: .postgres)
            let next = condition.arguments.count + 1
            sql += " WHERE \(condition.sql) ORDER BY \(mapping.sourceColumn(mapping.anchorColumn))::text LIMIT $\(next) OFFSET $\(next + 1)"
            binds = Self.bindings(condition.arguments)
            binds.append(search.limit)
            binds.append(search.offset)
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
                    object.attributes[name] = Self.json(text, type: read.type(ofColumn: column))
                }
                if mapping.documentColumn != nil, let text = try cells[attributeColumns.count + 1].decode(String?.self) {
                    object.document = try? JSON.parse(text)
                }
                index[anchorValue] = objects.count
                objects.append(object)
            }
            if read.hasValuesTable, !objects.isEmpty {
                var valuesSQL = "SELECT anchor, attribute, value FROM \(quoted(mapping.valuesTable))"
                var valueBinds = PostgresBindings()
                if search != nil {
                    // The page's own values: its anchors as one array parameter.
                    valuesSQL += " WHERE anchor = ANY($1)"
                    valueBinds.append(objects.map(\.anchor))
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

    package func create(_ object: ConnectorObject) async throws(ConnectorError) {
        let mapping = try mapping(object.objectType)
        let plan = try await plan(mapping).plan
        try await transaction { connection in
            _ = try await self.execute(connection, plan.insert, types: plan.types, anchor: object.anchor, object: object)
            try await self.writeValues(connection, mapping, object)
        }
    }

    package func replace(_ object: ConnectorObject) async throws(ConnectorError) {
        let mapping = try mapping(object.objectType)
        let plan = try await plan(mapping).plan
        try await transaction { connection in
            guard try await self.execute(connection, plan.update, types: plan.types, anchor: object.anchor, object: object) > 0 else {
                throw ConnectorError(.notFound, "no object with anchor '\(object.anchor)'")
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

    package func delete(objectType: String, anchor: String) async throws(ConnectorError) {
        let mapping = try mapping(objectType)
        let plan = try await plan(mapping).plan
        try await transaction { connection in
            if !mapping.multiValued.isEmpty {
                var binds = PostgresBindings()
                binds.append(anchor)
                try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(quoted(mapping.valuesTable)) WHERE anchor = $1", binds: binds), logger: self.logger)
            }
            guard try await self.execute(connection, plan.delete, types: plan.types, anchor: anchor) > 0 else {
                throw ConnectorError(.notFound, "no object with anchor '\(anchor)'")
            }
        }
    }

    package func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {
        let mapping = try mapping(objectType)
        let plan = try await plan(mapping).plan
        guard !plan.setPassword.isEmpty else { return }
        try await transaction { connection in
            // As a replace: statements that change no row mean the object is gone.
            guard try await self.execute(connection, plan.setPassword, types: plan.types, anchor: anchor, password: password) > 0 else {
                throw ConnectorError(.notFound, "no object with anchor '\(anchor)'")
            }
        }
    }

    private func transaction(_ body: @escaping @Sendable (PostgresConnection) async throws -> Void) async throws(ConnectorError) {
        let (client, logger) = (client, logger)
        try await bounded { () async throws(ConnectorError) in
            do {
                try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            } catch {
                throw Self.translate(error)
            }
        }
    }

    /// How long an operation on one object waits for the server. The pool keeps trying to
    /// connect while the server is down (for up to a minute before it gives up on a request);
    /// the host's client is better told at once that the store is unavailable.
    static let operationTimeout: Duration = .seconds(10)

    private enum Bounded<T: Sendable>: Sendable {
        case value(T)
        case timedOut
    }

    /// `operation`, or an `unavailable` error when it takes longer than ``operationTimeout``.
    private func bounded<T: Sendable>(_ operation: @escaping @Sendable () async throws(ConnectorError) -> T) async throws(ConnectorError) -> T {
        let outcome: Bounded<T>
        do {
            outcome = try await withThrowingTaskGroup(of: Bounded<T>.self) { group in
                group.addTask { .value(try await operation()) }
                group.addTask {
                    try await Task.sleep(for: Self.operationTimeout)
                    return .timedOut
                }
                let first = try await group.next() ?? .timedOut
                group.cancelAll()
                return first
            }
        } catch {
            throw Self.translate(error)
        }
        guard case .value(let value) = outcome else {
            throw ConnectorError(.unavailable, "PostgreSQL did not answer within \(Self.operationTimeout)")
        }
        return value
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
                if error.code == .connectionError || error.code == .serverClosedConnection || error.code == .clientClosedConnection {
                    return ConnectorError(.unavailable, "PostgreSQL is unreachable: \(message)")
                }
                return ConnectorError(.failed, "PostgreSQL: \(message)")
            }
        }
        // The pool gives up on a request after a minute of failed connection attempts.
        if "\(error)".contains("connectionCreationCircuitBreakerTripped") {
            return ConnectorError(.unavailable, "PostgreSQL is unreachable: no connection could be made for a minute")
        }
        return ConnectorError(.failed, "\(error)")
    }
}

extension PostgresBindings {
    /// A value to bind: text, a boolean, an integer, or NULL.
    package enum Value: Sendable {
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
