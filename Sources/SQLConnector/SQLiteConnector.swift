public import Connectors
import Foundation
import GRDB
import Synchronization
public import JSONValues

/// The SQL connector on SQLite, through GRDB: the embedded default store. Every export runs in
/// one transaction; the database is in WAL mode with full synchronisation, so an acknowledged
/// write survives the process being killed.
public final class SQLiteConnector: Connector {
    public let path: String
    private let pool: DatabasePool
    private let configuration: SQLConfiguration
    /// The SQL of each object type's exports, built once from its table's columns.
    private let statements = Mutex<[String: Statements]>([:])

    struct Statements: Sendable {
        /// (attribute, column) pairs written by an export, the anchor excluded.
        var columns: [(attribute: String, column: String)]
        var insert: String
        var update: String
        var delete: String
        var deleteValues: String
        var insertValue: String
    }

    /// The statements of `mapping`, built on first use.
    private func statements(_ db: Database, _ mapping: SQLConfiguration.ObjectTypeMapping) throws -> Statements {
        if let cached = statements.withLock({ $0[mapping.objectType.lowercased()] }) { return cached }
        let columns = try db.columns(in: mapping.table).map(\.name)
        var pairs = mapping.attributeColumns(columns: columns).filter { $0.1.lowercased() != mapping.anchorColumn.lowercased() }
            .map { (attribute: $0.0, column: $0.1) }
        var written = pairs.map(\.column)
        if let documentColumn = mapping.documentColumn {
            written.append(documentColumn)
            pairs.append((attribute: "\u{0}document", column: documentColumn))
        }
        let table = quoted(mapping.table), anchor = quoted(mapping.anchorColumn)
        let built = Statements(
            columns: pairs,
            insert: "INSERT INTO \(table) (\(([mapping.anchorColumn] + written).map(quoted).joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: written.count + 1).joined(separator: ", ")))",
            update: written.isEmpty ? "" : "UPDATE \(table) SET \(written.map { "\(quoted($0)) = ?" }.joined(separator: ", ")) WHERE \(anchor) = ?",
            delete: "DELETE FROM \(table) WHERE \(anchor) = ?",
            deleteValues: "DELETE FROM \(quoted(mapping.valuesTable)) WHERE anchor = ?",
            insertValue: "INSERT INTO \(quoted(mapping.valuesTable)) (anchor, attribute, position, value) VALUES (?, ?, ?, ?)")
        statements.withLock { $0[mapping.objectType.lowercased()] = built }
        return built
    }

    /// The values an export writes, in the order of ``Statements/columns``.
    static func values(_ object: ConnectorObject, _ statements: Statements) -> [(any DatabaseValueConvertible)?] {
        statements.columns.map { pair in
            pair.attribute == "\u{0}document" ? object.document?.serialized : databaseValue(object.attributes[pair.attribute])
        }
    }

    /// Opens (or creates) the database at `path`. `setUp` runs first, in a transaction (the
    /// embedded default creates its tables there).
    public init(path: String, configuration: SQLConfiguration, setUp: String? = nil) throws(ConnectorError) {
        self.path = path
        self.configuration = configuration
        var grdb = Configuration()
        grdb.foreignKeysEnabled = true
        grdb.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA busy_timeout = 5000")
        }
        do {
            pool = try DatabasePool(path: path, configuration: grdb)
            if let setUp { try pool.write { try $0.execute(sql: setUp) } }
        } catch {
            throw ConnectorError(.unavailable, "cannot open the SQLite database '\(path)': \(error)")
        }
    }

    private func mapping(_ objectType: String) throws(ConnectorError) -> SQLConfiguration.ObjectTypeMapping {
        guard let mapping = configuration.objectTypes.first(where: { $0.objectType.lowercased() == objectType.lowercased() }) else {
            throw ConnectorError(.invalidValue, "this connector has no object type '\(objectType)'")
        }
        return mapping
    }

    public func testConnection() async throws(ConnectorError) {
        try await run { db in _ = try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// Columns of each table, discovered as the generic SQL connector does.
    public func schema() async throws(ConnectorError) -> ConnectorSchema {
        let configuration = self.configuration
        return try await read { db in
            var types: [ConnectorSchema.ObjectType] = []
            for mapping in configuration.objectTypes {
                let columns = try db.columns(in: mapping.table)
                guard !columns.isEmpty else { throw ConnectorError(.unavailable, "the table '\(mapping.table)' does not exist") }
                var attributes: [ConnectorSchema.Attribute] = []
                for (name, column) in mapping.attributeColumns(columns: columns.map(\.name)) {
                    let info = columns.first { $0.name.lowercased() == column.lowercased() }
                    attributes.append(.init(name: name, type: SQLConfiguration.dataType(info?.type ?? ""), required: info?.isNotNull == true))
                }
                for name in mapping.multiValued { attributes.append(.init(name: name, multiValued: true)) }
                if !mapping.generatesAnchor, !attributes.contains(where: { $0.name.lowercased() == mapping.anchorColumn.lowercased() }) {
                    attributes.insert(.init(name: mapping.anchorColumn, required: true), at: 0)
                }
                types.append(.init(name: mapping.objectType, anchor: mapping.anchorColumn, attributes: attributes, keepsDocument: mapping.documentColumn != nil))
            }
            return ConnectorSchema(objectTypes: types)
        }
    }

    // MARK: Reading

    public func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] {
        let mapping = try mapping(objectType)
        return try await read { db in try Self.fetch(db, mapping, anchor: nil) }
    }

    public func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? {
        let mapping = try mapping(objectType)
        return try await read { db in try Self.fetch(db, mapping, anchor: anchor).first }
    }

    static func fetch(_ db: Database, _ mapping: SQLConfiguration.ObjectTypeMapping, anchor: String?) throws -> [ConnectorObject] {
        let columns = try db.columns(in: mapping.table)
        let attributeColumns = mapping.attributeColumns(columns: columns.map(\.name))
        let types = Dictionary(columns.map { ($0.name.lowercased(), SQLConfiguration.dataType($0.type)) }, uniquingKeysWith: { a, _ in a })
        var sql = "SELECT * FROM \(quoted(mapping.table))"
        var arguments: StatementArguments = []
        if let anchor {
            sql += " WHERE \(quoted(mapping.anchorColumn)) = ?"
            arguments = [anchor]
        }
        var objects: [ConnectorObject] = []
        var index: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            guard let anchorValue = row[mapping.anchorColumn] as String? ?? (row[mapping.anchorColumn] as Int64?).map(String.init) else { continue }
            var object = ConnectorObject(objectType: mapping.objectType, anchor: anchorValue)
            for (name, column) in attributeColumns {
                guard let value = row[column] as DatabaseValue?, !value.isNull else { continue }
                object.attributes[name] = json(value, type: types[column.lowercased()] ?? .string)
            }
            if let documentColumn = mapping.documentColumn, let text = row[documentColumn] as String? {
                object.document = try? JSON.parse(text)
            }
            index[anchorValue] = objects.count
            objects.append(object)
        }
        if !mapping.multiValued.isEmpty, try db.tableExists(mapping.valuesTable) {
            var valuesSQL = "SELECT anchor, attribute, value FROM \(quoted(mapping.valuesTable))"
            if anchor != nil { valuesSQL += " WHERE anchor = ?" }
            valuesSQL += " ORDER BY anchor, attribute, position"
            for row in try Row.fetchAll(db, sql: valuesSQL, arguments: arguments) {
                guard let owner: String = row["anchor"], let attribute: String = row["attribute"], let at = index[owner] else { continue }
                let text: String? = row["value"]
                let element: JSON = text.flatMap { t in t.hasPrefix("{") ? try? JSON.parse(t) : nil } ?? (text.map(JSON.string) ?? .null)
                var list = objects[at].attributes[attribute]?.arrayValue ?? []
                list.append(element)
                objects[at].attributes[attribute] = .array(list)
            }
        }
        return objects
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

    public func create(_ object: ConnectorObject) async throws(ConnectorError) {
        let mapping = try mapping(object.objectType)
        try await write { db in
            let sql = try self.statements(db, mapping)
            try db.cachedStatement(sql: sql.insert).execute(arguments: StatementArguments([object.anchor] + Self.values(object, sql)))
            try Self.writeValues(db, mapping, object, sql)
        }
    }

    public func replace(_ object: ConnectorObject) async throws(ConnectorError) {
        let mapping = try mapping(object.objectType)
        try await write { db in
            let sql = try self.statements(db, mapping)
            if sql.update.isEmpty {
                guard try Int.fetchOne(db, sql: "SELECT 1 FROM \(quoted(mapping.table)) WHERE \(quoted(mapping.anchorColumn)) = ?", arguments: [object.anchor]) != nil else {
                    throw ConnectorError(.notFound, "no object with anchor '\(object.anchor)'")
                }
            } else {
                try db.cachedStatement(sql: sql.update).execute(arguments: StatementArguments(Self.values(object, sql) + [object.anchor]))
                guard db.changesCount > 0 else { throw ConnectorError(.notFound, "no object with anchor '\(object.anchor)'") }
            }
            if !mapping.multiValued.isEmpty {
                try db.cachedStatement(sql: sql.deleteValues).execute(arguments: [object.anchor])
            }
            try Self.writeValues(db, mapping, object, sql)
        }
    }

    static func writeValues(_ db: Database, _ mapping: SQLConfiguration.ObjectTypeMapping, _ object: ConnectorObject, _ sql: Statements) throws {
        for attribute in mapping.multiValued {
            guard let value = object.attributes[attribute] else { continue }
            for (position, element) in (value.arrayValue ?? [value]).enumerated() where element != .null {
                let text: String = element.stringValue ?? element.serialized
                try db.cachedStatement(sql: sql.insertValue).execute(arguments: [object.anchor, attribute, position, text])
            }
        }
    }

    public func delete(objectType: String, anchor: String) async throws(ConnectorError) {
        let mapping = try mapping(objectType)
        try await write { db in
            let sql = try self.statements(db, mapping)
            if !mapping.multiValued.isEmpty {
                try db.cachedStatement(sql: sql.deleteValues).execute(arguments: [anchor])
            }
            try db.cachedStatement(sql: sql.delete).execute(arguments: [anchor])
            guard db.changesCount > 0 else { throw ConnectorError(.notFound, "no object with anchor '\(anchor)'") }
        }
    }

    public func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {
        let mapping = try mapping(objectType)
        guard let column = mapping.passwordColumn else { return }
        try await write { db in
            try db.execute(sql: "UPDATE \(quoted(mapping.table)) SET \(quoted(column)) = ? WHERE \(quoted(mapping.anchorColumn)) = ?", arguments: [password, anchor])
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

    private func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ConnectorError) -> T {
        do { return try await pool.write(body) } catch { throw Self.translate(error) }
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

/// A SQL identifier in double quotes.
func quoted(_ identifier: String) -> String {
    "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
