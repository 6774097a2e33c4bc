package import Connectors
import Foundation
import GRDB
import SQLiteGroupCommit
import JSONValues
import ServiceLifecycle
import Synchronization

/// A connector whose store cannot answer queries (a web service with no search), served from a
/// local SQLite file instead of memory: each schema discovery (the host's start and each
/// autosync) imports every object into the file (or, where the connector can say, the changes
/// since the last one), reads and queries are answered from it with
/// its indexes, and writes go to the connector first and into the file once it has
/// acknowledged them. Memory holds one page of a query, whatever the store's size.
///
/// Each object is one row (its attributes and document as JSON); every attribute value and
/// top-level document member is also a row of an index table, lowercased, so that
/// ``ConnectorQuery`` text comparisons ignore case as SCIM's `eq` does.
package final class LocallyCachedConnector: QueryingConnector, ConnectorWrapper {
    package let source: any Connector
    package let path: String
    private let pool: DatabasePool
    /// Writes that arrive together share one commit.
    private let writer: GroupCommit
    /// Per object type (lower case): where the next delta starts, and how many deltas since the
    /// last full import.
    private let watermarks = Mutex<[String: (String, Int)]>([:])
    /// The number of the last full import, which each object records that it wrote.
    private let generation = Mutex(0)

    package init(source: any Connector, path: String) throws(ConnectorError) {
        self.source = source
        self.path = path
        do {
            // Nothing waits for the disk, neither commits nor checkpoints (synchronous OFF): the
            // copy is rebuilt by the full import at each start, so a crash loses nothing it needs.
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = OFF") }
            pool = try DatabasePool(path: path, configuration: configuration)
            writer = GroupCommit(pool: pool)
            try pool.write { db in
                // The copy of an earlier run (or an earlier version) is not read: the first import rebuilds it.
                try db.execute(sql: """
                    DROP TABLE IF EXISTS objects;
                    DROP TABLE IF EXISTS terms;
                    CREATE TABLE objects (type TEXT NOT NULL, anchor TEXT NOT NULL, body TEXT NOT NULL, generation INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (type, anchor));
                    CREATE TABLE terms (type TEXT NOT NULL, term TEXT NOT NULL, value TEXT NOT NULL, anchor TEXT NOT NULL);
                    CREATE INDEX IF NOT EXISTS terms_value ON terms (type, term, value);
                    CREATE INDEX IF NOT EXISTS terms_anchor ON terms (type, anchor)
                    """)
            }
        } catch {
            throw ConnectorError(.unavailable, "cannot open the local cache '\(path)': \(error)")
        }
    }

    /// The source's own work, for as long as this serves.
    package func run() async throws { try await source.run() }

    package func testConnection() async throws(ConnectorError) { try await source.testConnection() }

    /// The source's schema, and the cache refreshed: what the host's first import and each
    /// autosync call. A type the source imports as changes (``DeltaImportingConnector``) is
    /// refreshed by its changes since the last refresh, with a full import at the start and after
    /// every ``deltasBetweenFullImports`` deltas (which sees deletions the application does not
    /// report); any other by a full import.
    package func schema() async throws(ConnectorError) -> ConnectorSchema {
        let schema = try await source.schema()
        for type in schema.objectTypes {
            let key = type.name.lowercased()
            if let changes = source as? any DeltaImportingConnector, changes.importsChanges(objectType: type.name) {
                if let (watermark, deltas) = watermarks.withLock({ $0[key] }), deltas < Self.deltasBetweenFullImports {
                    let delta = try await changes.deltaImport(objectType: type.name, since: watermark)
                    try await keep(delta.changed, forgetting: delta.deleted.map { (type.name, $0) })
                    watermarks.withLock { $0[key] = (delta.watermark, deltas + 1) }
                    continue
                }
                let watermark = try await changes.watermark(objectType: type.name)
                try await replaceByFullImport(type.name)
                watermarks.withLock { $0[key] = (watermark, 0) }
            } else {
                try await replaceByFullImport(type.name)
            }
        }
        return schema
    }

    /// Writes objects into the copy, in place of what it held for them, as of the last full
    /// import (so that the next one removes them if it does not bring them), and forgets some.
    private func keep(_ objects: [ConnectorObject], forgetting gone: [(String, String)] = []) async throws(ConnectorError) {
        let number = generation.withLock { $0 }
        try await write { db in
            try Self.put(db, objects, generation: number, replacing: true)
            for (objectType, anchor) in gone { try Self.forget(db, objectType, anchor) }
        }
    }

    /// Delta imports between two full imports.
    package static let deltasBetweenFullImports = 12

    /// The copy of a type refreshed by a full import, page by page as the source gives them, so
    /// that the store is never held whole: each object is replaced as its page comes, marked
    /// with the import's number, and once the import is complete the objects it did not bring
    /// (deleted in the store) go. Until then each object is served as it was or as it now is;
    /// an import that fails removes nothing.
    private func replaceByFullImport(_ objectType: String) async throws(ConnectorError) {
        let key = objectType.lowercased()
        let number = generation.withLock { value in
            value += 1
            return value
        }
        // A first import fills an empty copy: nothing to replace. A page is written while the
        // next one is fetched.
        let replaces = try await read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM objects WHERE type = ?)", arguments: [key]) ?? true }
        var writing: Task<Result<Void, ConnectorError>, Never>?
        try await source.fullImport(objectType: objectType) { page throws(ConnectorError) in
            try await writing?.value.get()
            writing = Task {
                do throws(ConnectorError) {
                    try await self.write { db in try Self.put(db, page, generation: number, replacing: replaces) }
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
        }
        try await writing?.value.get()
        try await write { db in
            try db.execute(
                sql: "DELETE FROM terms WHERE type = ? AND anchor IN (SELECT anchor FROM objects WHERE type = ? AND generation < ?)",
                arguments: [key, key, number])
            try db.execute(sql: "DELETE FROM objects WHERE type = ? AND generation < ?", arguments: [key, number])
        }
    }

    package func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] {
        try await search(objectType: objectType, ConnectorSearch(limit: Int.max))
    }

    package func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? {
        try await search(objectType: objectType, ConnectorSearch(query: .anchor(anchor), limit: 1)).first
    }

    package func search(objectType: String, _ search: ConnectorSearch) async throws(ConnectorError) -> [ConnectorObject] {
        let (condition, arguments) = Self.condition(objectType, search.query, after: search.after)
        let sql = "SELECT anchor, body FROM objects WHERE \(condition) ORDER BY anchor LIMIT ? OFFSET ?"
        let limit = search.limit == Int.max ? -1 : search.limit
        return try await read { db in
            var bound = StatementArguments(arguments)
            bound += [limit, search.offset]
            return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: bound).compactMap { row in
                Self.object(objectType, anchor: row["anchor"], body: row["body"])
            }
        }
    }

    package func count(objectType: String, query: ConnectorQuery?) async throws(ConnectorError) -> Int {
        let (condition, arguments) = Self.condition(objectType, query, after: nil)
        return try await read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM objects WHERE \(condition)"), arguments: StatementArguments(arguments)) ?? 0
        }
    }

    // MARK: Writing: the source first, then the cache

    package func create(_ object: ConnectorObject) async throws(ConnectorError) {
        try await create(object, password: nil)
    }

    package func sendsPasswordWithCreate(objectType: String) -> Bool { source.sendsPasswordWithCreate(objectType: objectType) }
    package func anchor(ofNew object: ConnectorObject) throws(ConnectorError) -> String? { try source.anchor(ofNew: object) }

    package func create(_ object: ConnectorObject, password: String?) async throws(ConnectorError) {
        _ = try await createReturningAnchor(object, password: password)
    }

    package func createReturningAnchor(_ object: ConnectorObject, password: String?) async throws(ConnectorError) -> String {
        var created = object
        created.anchor = try await source.createReturningAnchor(object, password: password)
        try await keep([created])
        return created.anchor
    }

    package func replace(_ object: ConnectorObject) async throws(ConnectorError) {
        try await source.replace(object)
        try await keep([object])
    }

    package func update(_ object: ConnectorObject, from previous: ConnectorObject) async throws(ConnectorError) {
        try await source.update(object, from: previous)
        try await keep([object])
    }

    package func delete(objectType: String, anchor: String) async throws(ConnectorError) {
        do {
            try await source.delete(objectType: objectType, anchor: anchor)
        } catch {
            // Gone from the application: gone from the cache too.
            if error.kind == .notFound { try await write { db in try Self.forget(db, objectType, anchor) } }
            throw error
        }
        try await write { db in try Self.forget(db, objectType, anchor) }
    }

    package func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {
        try await source.setPassword(objectType: objectType, anchor: anchor, password: password)
    }

    // MARK: Rows

    /// Stores objects as written during or after the full import `generation`, in place of what
    /// the copy held for them when `replacing`.
    static func put(_ db: Database, _ objects: [ConnectorObject], generation: Int, replacing: Bool) throws {
        for object in objects {
            if replacing { try forget(db, object.objectType, object.anchor) }
            try store(db, object, generation: generation)
        }
    }

    /// Stores an object, as written during or after the full import `generation`: the next
    /// import's sweep keeps it only if that import brings it.
    static func store(_ db: Database, _ object: ConnectorObject, generation: Int) throws {
        let type = object.objectType.lowercased()
        let body = JSON.object([
            ("attributes", .object(object.attributes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })),
            ("document", object.document ?? .null),
        ])
        try db.cachedStatement(sql: "INSERT INTO objects (type, anchor, body, generation) VALUES (?, ?, ?, ?)")
            .execute(arguments: [type, object.anchor, body.serialized, generation])
        let insert = try db.cachedStatement(sql: "INSERT INTO terms (type, term, value, anchor) VALUES (?, ?, ?, ?)")
        for (name, value) in object.attributes {
            for element in value.arrayValue ?? [value] {
                guard let text = ConnectorQuery.text(element) else { continue }
                try insert.execute(arguments: [type, "a:" + name.lowercased(), text.lowercased(), object.anchor])
            }
        }
        for (name, value) in object.document?.objectValue ?? [] {
            guard let text = ConnectorQuery.text(value) else { continue }
            try insert.execute(arguments: [type, "d:" + name.lowercased(), text.lowercased(), object.anchor])
        }
    }

    static func forget(_ db: Database, _ objectType: String, _ anchor: String) throws {
        let type = objectType.lowercased()
        try db.cachedStatement(sql: "DELETE FROM objects WHERE type = ? AND anchor = ?").execute(arguments: [type, anchor])
        try db.cachedStatement(sql: "DELETE FROM terms WHERE type = ? AND anchor = ?").execute(arguments: [type, anchor])
    }

    static func object(_ objectType: String, anchor: String?, body: String?) -> ConnectorObject? {
        guard let anchor, let body, let json = try? JSON.parse(body) else { return nil }
        var object = ConnectorObject(objectType: objectType, anchor: anchor)
        for (name, value) in json.objectValue?.first(where: { $0.0 == "attributes" })?.1.objectValue ?? [] { object.attributes[name] = value }
        if let document = json.objectValue?.first(where: { $0.0 == "document" })?.1, document != .null { object.document = document }
        return object
    }

    /// The condition of `query` on the objects of `objectType`, and its arguments.
    static func condition(_ objectType: String, _ query: ConnectorQuery?, after: String?) -> (String, [String]) {
        let type = objectType.lowercased()
        var arguments = [type]
        func translate(_ query: ConnectorQuery) -> String {
            switch query {
            case .anchor(let anchor):
                arguments.append(anchor)
                return "anchor = ?"
            case .attribute(let name, let value):
                arguments += [type, "a:" + name.lowercased(), value.lowercased()]
                return "anchor IN (SELECT anchor FROM terms WHERE type = ? AND term = ? AND value = ?)"
            case .document(let name, let value):
                arguments += [type, "d:" + name.lowercased(), value.lowercased()]
                return "anchor IN (SELECT anchor FROM terms WHERE type = ? AND term = ? AND value = ?)"
            case .and(let all):
                return all.isEmpty ? "1 = 1" : "(" + all.map(translate).joined(separator: " AND ") + ")"
            case .or(let any):
                return any.isEmpty ? "1 = 0" : "(" + any.map(translate).joined(separator: " OR ") + ")"
            }
        }
        var parts = ["type = ?"]
        if let query { parts.append(translate(query)) }
        if let after {
            arguments.append(after)
            parts.append("anchor > ?")
        }
        return (parts.joined(separator: " AND "), arguments)
    }

    // MARK: Plumbing

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ConnectorError) -> T {
        do { return try await pool.read(body) } catch { throw ConnectorError(.failed, "the local cache: \(error)") }
    }

    private func write(_ body: @escaping @Sendable (Database) throws -> Void) async throws(ConnectorError) {
        do { try await writer.write(body) } catch { throw ConnectorError(.failed, "the local cache: \(error)") }
    }
}
