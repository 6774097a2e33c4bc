package import Connectors
import Foundation
import GRDB
import GRDBSQLite
import SQLiteGroupCommit
import ServiceLifecycle
import Synchronization
import JSONValues

/// The SQL connector on SQLite, through GRDB: the embedded default store. Every export runs in
/// one transaction, committed before the export returns; the database is in WAL mode, and exports
/// that arrive together share a commit. How far a commit goes before it is acknowledged is the
/// ``Synchronous`` choice.
package final class SQLiteConnector: QueryingConnector {
    /// When a commit counts as done (SQLite's `synchronous` setting for WAL mode).
    package enum Synchronous: String, Sendable, CaseIterable {
        /// In the WAL file before the export returns: an acknowledged write survives the process
        /// being killed at any moment; an operating-system crash or a power cut may lose the last
        /// commits, never the database.
        case normal
        /// Synced to the disk before the export returns: an acknowledged write survives a power
        /// cut too, at the cost of one disk sync per commit.
        case full
    }

    package let path: String
    private let pool: DatabasePool
    private let writer: GroupCommit
    /// A second connection that copies the write-ahead log into the database in the background,
    /// so that no export waits behind a checkpoint.
    private let checkpointer: DatabaseQueue
    /// Commits since the last checkpoint, and the loop that checkpoints.
    private let configuration: SQLConfiguration
    /// Each object type's source columns and export statements, built on first use and again at
    /// each schema discovery.
    private let plans = Mutex<[String: (columns: [SourceColumn], plan: ExportPlan, read: ReadPlan)]>([:])

    /// The columns of `mapping`'s source: its select statement's result, or its table's columns.
    static func sourceColumns(_ db: Database, _ mapping: SQLConfiguration.ObjectTypeMapping) throws -> [SourceColumn] {
        if let select = mapping.statements.select {
            let statement: Statement
            do { statement = try db.makeStatement(sql: select) } catch let error as DatabaseError {
                throw ConnectorError(.invalidValue, "the select statement of \(mapping.objectType) does not run: \(error.message ?? "\(error)")")
            }
            return statement.columnNames.indices.map { index in
                let declared = sqlite3_column_decltype(statement.sqliteStatement, Int32(index)).map { String(cString: $0) } ?? ""
                return SourceColumn(name: statement.columnNames[index], type: SQLConfiguration.dataType(declared), notNull: false)
            }
        }
        let columns = try db.columns(in: mapping.table)
        guard !columns.isEmpty else { throw ConnectorError(.unavailable, "the table '\(mapping.table)' does not exist") }
        return columns.map { SourceColumn(name: $0.name, type: SQLConfiguration.dataType($0.type), notNull: $0.isNotNull) }
    }

    /// The source columns and export plan of `mapping`, from the cache unless `refresh`. The
    /// configured statements are prepared once, so that a mistake in one shows at discovery.
    private func plan(
        _ db: Database, _ mapping: SQLConfiguration.ObjectTypeMapping, refresh: Bool = false
    ) throws -> (columns: [SourceColumn], plan: ExportPlan, read: ReadPlan) {
        if !refresh, let cached = plans.withLock({ $0[mapping.objectType.lowercased()] }) { return cached }
        let columns = try Self.sourceColumns(db, mapping)
        let plan = try mapping.exportPlan(columns: columns, style: .questionMark)
        let configured = [("insert", mapping.statements.insert, plan.insert), ("update", mapping.statements.update, plan.update),
                          ("delete", mapping.statements.delete, plan.delete), ("setPassword", mapping.statements.setPassword, plan.setPassword)]
        for (name, template, commands) in configured where template != nil {
            for command in commands {
                do { _ = try db.makeStatement(sql: command.sql) } catch let error as DatabaseError {
                    throw ConnectorError(.invalidValue, "the \(name) statement of \(mapping.objectType) does not prepare: \(error.message ?? "\(error)") in `\(command.sql)`")
                }
            }
        }
        let read = ReadPlan(mapping, columns: columns, hasValuesTable: try !mapping.multiValued.isEmpty && db.tableExists(mapping.valuesTable))
        plans.withLock { $0[mapping.objectType.lowercased()] = (columns, plan, read) }
        return (columns, plan, read)
    }

    /// Runs `commands` with `object`'s values (and `password`); returns the number of rows they changed.
    static func execute(_ db: Database, _ commands: [SQLCommand], anchor: String, object: ConnectorObject? = nil, password: String? = nil) throws -> Int {
        let before = db.totalChangesCount
        for command in commands {
            let values: [(any DatabaseValueConvertible)?] = command.parameters.map { parameter in
                switch parameter {
                case .anchor: anchor
                case .attribute(let name): databaseValue(object?.attributes[name])
                case .document: object?.document?.serialized
                case .password: password
                }
            }
            try db.cachedStatement(sql: command.sql).execute(arguments: StatementArguments(values))
        }
        return db.totalChangesCount - before
    }

    /// Opens (or creates) the database at `path`. `setUp` runs first, in a transaction (the
    /// embedded default creates its tables there).
    package init(path: String, configuration: SQLConfiguration, setUp: String? = nil, synchronous: Synchronous = .normal) throws(ConnectorError) {
        self.path = path
        self.configuration = configuration
        var grdb = Configuration()
        grdb.foreignKeysEnabled = true
        grdb.prepareDatabase { db in
            try db.execute(sql: "PRAGMA busy_timeout = 5000")
        }
        do {
            pool = try DatabasePool(path: path, configuration: grdb)
            // After the pool's own set-up, which chooses NORMAL for WAL whatever was asked before.
            // The checkpointer copies the log in the background; the writer checkpoints only when
            // the log passes 16 MB, by then mostly copied already, and then starts it over.
            try pool.writeWithoutTransaction {
                try $0.execute(sql: """
                    PRAGMA synchronous = \(synchronous == .full ? "FULL" : "NORMAL");
                    PRAGMA wal_autocheckpoint = 4000;
                    PRAGMA journal_size_limit = 16777216
                    """)
            }
            writer = GroupCommit(pool: pool)
            checkpointer = try DatabaseQueue(path: path)
            if let setUp { try pool.write { try $0.execute(sql: setUp) } }
        } catch {
            throw ConnectorError(.unavailable, "cannot open the SQLite database '\(path)': \(error)")
        }
    }

    /// The background work while the connector serves: a checkpoint every 250 ms when writes
    /// have happened, and a last one at the graceful shutdown, so that the log is copied into
    /// the database off the export path. Without it SQLite checkpoints on its own, in front of
    /// a write, when the log passes 4,000 pages.
    package func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                await checkpoint()
            }
        }
        await checkpoint()
    }

    /// Copies what the log holds into the database, without waiting for (or blocking) the writer:
    /// a passive checkpoint, on its own connection.
    private func checkpoint() async {
        guard writer.takeCommits() > 0 else { return }
        _ = try? await checkpointer.writeWithoutTransaction { try $0.checkpoint(.passive) }
    }

    /// The writer connection's `PRAGMA synchronous` (1 is NORMAL, 2 is FULL).
    func writerSynchronous() throws -> Int {
        try pool.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 }
    }

    private func mapping(_ objectType: String) throws(ConnectorError) -> SQLConfiguration.ObjectTypeMapping {
        guard let mapping = configuration.objectTypes.first(where: { $0.objectType.lowercased() == objectType.lowercased() }) else {
            throw ConnectorError(.invalidValue, "this connector has no object type '\(objectType)'")
        }
        return mapping
    }

    package func testConnection() async throws(ConnectorError) {
        try await run { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// Columns of each table (or select statement), discovered as the generic SQL connector does.
    package func schema() async throws(ConnectorError) -> ConnectorSchema {
        let configuration = self.configuration
        return try await read { db in
            var types: [ConnectorSchema.ObjectType] = []
            for mapping in configuration.objectTypes {
                types.append(mapping.objectType(columns: try self.plan(db, mapping, refresh: true).columns))
            }
            return ConnectorSchema(objectTypes: types)
        }
    }

    // MARK: Reading

    package func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] {
        let mapping = try mapping(objectType)
        return try await read { db in try Self.fetch(db, mapping, self.plan(db, mapping).read, search: nil) }
    }

    package func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? {
        try await search(objectType: objectType, ConnectorSearch(query: .anchor(anchor), limit: 1)).first
    }

    /// The query as SQL on the source, answered by the database with its indexes.
    package func search(objectType: String, _ search: ConnectorSearch) async throws(ConnectorError) -> [ConnectorObject] {
        let mapping = try mapping(objectType)
        return try await read { db in try Self.fetch(db, mapping, self.plan(db, mapping).read, search: search) }
    }

    package func count(objectType: String, query: ConnectorQuery?) async throws(ConnectorError) -> Int {
        let mapping = try mapping(objectType)
        return try await read { db in
            let condition = mapping.condition(query, after: nil, read: try self.plan(db, mapping).read, dialect: .sqlite)
            let sql = "SELECT count(*) FROM (\(mapping.importQuery)) AS attrmap_source WHERE \(condition.sql)"
            return try Int.fetchOne(db.cachedStatement(sql: sql), arguments: StatementArguments(condition.arguments)) ?? 0
        }
    }

    /// How SQLite answers `search`: the detail lines of its query plan (`SEARCH users USING INDEX
    /// …` when an index serves it, `SCAN users` when every row is read).
    package func plan(objectType: String, _ search: ConnectorSearch) async throws(ConnectorError) -> [String] {
        let mapping = try mapping(objectType)
        return try await read { db in
            let (sql, arguments) = Self.searchSQL(mapping, try self.plan(db, mapping).read, search)
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(arguments)).compactMap { $0["detail"] as String? }
        }
    }

    /// The statement of a search, and its arguments.
    static func searchSQL(
        _ mapping: SQLConfiguration.ObjectTypeMapping, _ read: ReadPlan, _ search: ConnectorSearch
    ) -> (String, [(any DatabaseValueConvertible)?]) {
        let condition = mapping.condition(search.query, after: search.after, read: read, dialect: .sqlite)
        let sql = "SELECT * FROM (\(mapping.importQuery)) AS attrmap_source WHERE \(condition.sql) "
            + "ORDER BY \(mapping.sourceColumn(mapping.anchorColumn)) LIMIT ? OFFSET ?"
        return (sql, condition.arguments + [search.limit, search.offset])
    }

    /// The objects `search` selects (every object when nil), with their multi-valued attributes.
    static func fetch(_ db: Database, _ mapping: SQLConfiguration.ObjectTypeMapping, _ read: ReadPlan, search: ConnectorSearch?) throws -> [ConnectorObject] {
        let (sql, arguments) = search.map { searchSQL(mapping, read, $0) } ?? ("SELECT * FROM (\(mapping.importQuery)) AS attrmap_source", [])
        var objects: [ConnectorObject] = []
        var index: [String: Int] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments))
        while let row = try rows.next() {
            guard let anchorValue = Self.text(row[mapping.anchorColumn]) else { continue }
            var object = ConnectorObject(objectType: mapping.objectType, anchor: anchorValue)
            for (name, column) in read.attributeColumns {
                guard let value = row[column] as DatabaseValue?, !value.isNull else { continue }
                object.attributes[name] = json(value, type: read.type(ofColumn: column))
            }
            if let documentColumn = mapping.documentColumn, let text = Self.text(row[documentColumn]) {
                object.document = try? JSON.parse(text)
            }
            index[anchorValue] = objects.count
            objects.append(object)
        }
        guard read.hasValuesTable, !objects.isEmpty else { return objects }
        // Every value for a whole import; the page's own values for a search, 500 anchors a statement.
        let batches: [[String]?] = search == nil ? [nil] : stride(from: 0, to: objects.count, by: 500).map { start in
            objects[start..<min(start + 500, objects.count)].map(\.anchor)
        }
        for anchors in batches {
            var valuesSQL = "SELECT anchor, attribute, value FROM \(quoted(mapping.valuesTable))"
            if let anchors { valuesSQL += " WHERE anchor IN (\(Array(repeating: "?", count: anchors.count).joined(separator: ", ")))" }
            valuesSQL += " ORDER BY anchor, attribute, position"
            let rows = try Row.fetchCursor(db.cachedStatement(sql: valuesSQL), arguments: StatementArguments(anchors ?? []))
            while let row = try rows.next() {
                guard let owner = Self.text(row["anchor"]), let attribute = Self.text(row["attribute"]), let at = index[owner] else { continue }
                let text = Self.text(row["value"])
                let element: JSON = text.flatMap { t in t.hasPrefix("{") ? try? JSON.parse(t) : nil } ?? (text.map(JSON.string) ?? .null)
                var list = objects[at].attributes[attribute]?.arrayValue ?? []
                list.append(element)
                objects[at].attributes[attribute] = .array(list)
            }
        }
        return objects
    }

    /// A cell as text, whatever its storage class (a GRDB conversion to `String` traps on an
    /// integer; a store edited by hand may hold anything).
    static func text(_ value: DatabaseValue?) -> String? {
        switch value?.storage {
        case nil, .null?: nil
        case .int64(let number)?: String(number)
        case .double(let number)?: String(number)
        case .string(let text)?: text
        case .blob(let data)?: String(decoding: data, as: UTF8.self)
        }
    }

    static func json(_ value: DatabaseValue, type: ConnectorSchema.Attribute.DataType) -> JSON {
        switch value.storage {
        case .null: return .null
        case .int64(let number): return type == .boolean ? .bool(number != 0) : .number(String(number))
        case .double(let number): return .number(String(number))
        case .string(let text):
            if type == .boolean { return .bool(text == "1" || text.lowercased() == "true") }
            return .string(text)
        case .blob(let data): return .string(data.base64EncodedString())
        }
    }

    // MARK: Writing

    package func create(_ object: ConnectorObject) async throws(ConnectorError) {
        let mapping = try mapping(object.objectType)
        try await write { db in
            _ = try Self.execute(db, self.plan(db, mapping).plan.insert, anchor: object.anchor, object: object)
            try Self.writeValues(db, mapping, object)
        }
    }

    package func replace(_ object: ConnectorObject) async throws(ConnectorError) {
        let mapping = try mapping(object.objectType)
        try await write { db in
            guard try Self.execute(db, self.plan(db, mapping).plan.update, anchor: object.anchor, object: object) > 0 else {
                throw ConnectorError(.notFound, "no object with anchor '\(object.anchor)'")
            }
            if !mapping.multiValued.isEmpty {
                try db.cachedStatement(sql: Self.deleteValues(mapping)).execute(arguments: [object.anchor])
            }
            try Self.writeValues(db, mapping, object)
        }
    }

    static func deleteValues(_ mapping: SQLConfiguration.ObjectTypeMapping) -> String {
        "DELETE FROM \(quoted(mapping.valuesTable)) WHERE anchor = ?"
    }

    static func writeValues(_ db: Database, _ mapping: SQLConfiguration.ObjectTypeMapping, _ object: ConnectorObject) throws {
        for attribute in mapping.multiValued {
            guard let value = object.attributes[attribute] else { continue }
            for (position, element) in (value.arrayValue ?? [value]).enumerated() where element != .null {
                let text: String = element.stringValue ?? element.serialized
                try db.cachedStatement(sql: "INSERT INTO \(quoted(mapping.valuesTable)) (anchor, attribute, position, value) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [object.anchor, attribute, position, text])
            }
        }
    }

    package func delete(objectType: String, anchor: String) async throws(ConnectorError) {
        let mapping = try mapping(objectType)
        try await write { db in
            if !mapping.multiValued.isEmpty {
                try db.cachedStatement(sql: Self.deleteValues(mapping)).execute(arguments: [anchor])
            }
            guard try Self.execute(db, self.plan(db, mapping).plan.delete, anchor: anchor) > 0 else {
                throw ConnectorError(.notFound, "no object with anchor '\(anchor)'")
            }
        }
    }

    package func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {
        let mapping = try mapping(objectType)
        try await write { db in
            // As a replace: statements that change no row mean the object is gone.
            let plan = try self.plan(db, mapping).plan
            guard !plan.setPassword.isEmpty else { return }
            guard try Self.execute(db, plan.setPassword, anchor: anchor, password: password) > 0 else {
                throw ConnectorError(.notFound, "no object with anchor '\(anchor)'")
            }
        }
    }

    static func databaseValue(_ json: JSON?) -> (any DatabaseValueConvertible)? {
        switch json {
        case nil, .null?: nil
        case .string(let text)?: text
        case .bool(let flag)?: flag
        case .number(let text)?: Int64(text).map { $0 as any DatabaseValueConvertible } ?? Double(text) ?? text
        case .array(let elements)?: elements.first.flatMap { databaseValue($0) }
        case let other?: other.serialized
        }
    }

    // MARK: Plumbing

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ConnectorError) -> T {
        do { return try await pool.read(body) } catch { throw Self.translate(error) }
    }

    /// Runs an export in a transaction, committed before this returns; exports that arrive while
    /// the writer is busy share one commit (``GroupCommit``).
    private func write(_ body: @escaping @Sendable (Database) throws -> Void) async throws(ConnectorError) {
        do { try await writer.write(body) } catch { throw Self.translate(error) }
    }

    private func run(_ body: @escaping @Sendable (Database) throws -> Void) async throws(ConnectorError) {
        try await read(body)
    }

    static func translate(_ error: any Error) -> ConnectorError {
        if let error = error as? ConnectorError { return error }
        if let error = error as? DatabaseError {
            switch error.extendedResultCode {
            case .SQLITE_CONSTRAINT_UNIQUE, .SQLITE_CONSTRAINT_PRIMARYKEY:
                return ConnectorError(.alreadyExists, "the store refused a duplicate: \(error.message ?? "unique constraint")")
            case .SQLITE_CONSTRAINT_NOTNULL, .SQLITE_CONSTRAINT_CHECK, .SQLITE_CONSTRAINT_FOREIGNKEY:
                return ConnectorError(.invalidValue, "the store refused the values: \(error.message ?? "constraint")")
            default:
                return ConnectorError(.failed, "SQLite: \(error.message ?? "\(error)")")
            }
        }
        return ConnectorError(.failed, "\(error)")
    }
}
