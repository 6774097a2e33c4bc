package import Connectors
package import Logging

/// `sqlite: FILE` in a connector's entry: the SQL connector on an SQLite database.
///
/// ```yaml
/// sqlite: hr.sqlite            # relative to the configuration file
/// sync: normal                 # or full: each commit synced to disk before the answer
/// setUp: |                     # optional SQL run when the store is opened
///   CREATE TABLE IF NOT EXISTS Employees (ContosoLogin TEXT PRIMARY KEY, FirstName TEXT);
/// objectTypes:                 # none: the embedded default's users and groups tables
///   - objectType: User
///     table: Employees
///     anchor: ContosoLogin
///     multiValued: [proxyAddresses]
///     statements: {insert: "INSERT INTO Employees (ContosoLogin) VALUES (@ContosoLogin)"}
/// ```
package struct SQLiteKind: ConnectorKind {
    package init() {}

    package var name: String { "sqlite" }

    package var keys: [String] { ["sync", "setUp", "objectTypes"] }

    package struct Configuration: ConnectorConfiguration {
        package var path: String
        package var synchronous: SQLiteConnector.Synchronous
        package var setUp: String?
        package var sql: SQLConfiguration

        package init(path: String, synchronous: SQLiteConnector.Synchronous = .normal, setUp: String? = nil, sql: SQLConfiguration) {
            self.path = path
            self.synchronous = synchronous
            self.setUp = setUp
            self.sql = sql
        }

        package func makeConnector(logger: Logger) throws(ConnectorError) -> any Connector {
            try SQLiteConnector(path: path, configuration: sql, setUp: setUp, synchronous: synchronous)
        }
    }

    package func configuration(from entry: ConnectorSettings) throws(ConnectorSettings.Problem) -> any ConnectorConfiguration {
        guard let file = entry["sqlite"], let path = file.resolvedPath() else { throw entry.problem("'sqlite' names the database file") }
        var synchronous = SQLiteConnector.Synchronous.normal
        if let sync = entry["sync"] {
            guard let text = sync.string, let value = SQLiteConnector.Synchronous(rawValue: text) else {
                throw sync.problem("'sync' is 'normal' or 'full', not '\(sync.string ?? "")'")
            }
            synchronous = value
        }
        let (sql, setUp) = try SQLSettings.read(entry, defaultSetUp: SQLConfiguration.embeddedDefaultTables)
        return Configuration(path: path, synchronous: synchronous, setUp: setUp, sql: sql)
    }
}

/// `postgres: {host, port, user, password, database}` in a connector's entry: the SQL connector
/// on a PostgreSQL server (each value may be `${VARIABLE}`); `setUp` and `objectTypes` as for
/// ``SQLiteKind``.
package struct PostgresKind: ConnectorKind {
    package init() {}

    package var name: String { "postgres" }

    package var keys: [String] { ["setUp", "objectTypes"] }

    package struct Configuration: ConnectorConfiguration {
        package var endpoint: PostgresConnector.Endpoint
        package var setUp: String?
        package var sql: SQLConfiguration

        package init(endpoint: PostgresConnector.Endpoint, setUp: String? = nil, sql: SQLConfiguration) {
            self.endpoint = endpoint
            self.setUp = setUp
            self.sql = sql
        }

        package func makeConnector(logger: Logger) throws(ConnectorError) -> any Connector {
            PostgresConnector(endpoint: endpoint, configuration: sql, setUp: setUp, logger: logger)
        }
    }

    package func configuration(from entry: ConnectorSettings) throws(ConnectorSettings.Problem) -> any ConnectorConfiguration {
        guard let server = entry["postgres"], server.mapping != nil else {
            throw entry.problem("'postgres' is a map: {host, port, user, password, database}")
        }
        if let sync = entry["sync"] {
            throw sync.problem("'sync' applies to a 'sqlite' store; PostgreSQL's durability is the server's own setting")
        }
        guard let user = try server["user"]?.expanded(), let database = try server["database"]?.expanded() else {
            throw server.problem("'postgres' needs 'user' and 'database'")
        }
        var port = 5432
        if let given = server["port"] {
            guard let number = given.int, (1...65535).contains(number) else { throw given.problem("'port' is a number from 1 to 65535") }
            port = number
        }
        let endpoint = PostgresConnector.Endpoint(
            host: try server["host"]?.expanded() ?? "127.0.0.1", port: port, username: user, password: try server["password"]?.expanded(),
            database: database)
        let (sql, setUp) = try SQLSettings.read(entry, defaultSetUp: SQLConfiguration.embeddedDefaultPostgresTables)
        return Configuration(endpoint: endpoint, setUp: setUp, sql: sql)
    }
}

/// The settings both SQL kinds read: the object types (tables, anchors, columns, statements) and
/// the set-up script.
enum SQLSettings {
    static func read(_ entry: ConnectorSettings, defaultSetUp: String) throws(ConnectorSettings.Problem) -> (SQLConfiguration, setUp: String?) {
        var objectTypes: [SQLConfiguration.ObjectTypeMapping] = []
        for typeNode in entry["objectTypes"]?.sequence ?? [] {
            guard let table = typeNode["table"]?.string, let anchor = typeNode["anchor"]?.string else {
                throw typeNode.problem("each object type needs 'table' and 'anchor'")
            }
            var columns: [String: String] = [:]
            for (key, value) in typeNode["columns"]?.mapping ?? [] {
                if let column = value.string { columns[key] = column }
            }
            objectTypes.append(.init(
                objectType: typeNode["objectType"]?.string ?? "User", table: table, anchorColumn: anchor,
                generatesAnchor: typeNode["generateAnchor"]?.bool ?? false, columns: columns,
                multiValued: typeNode["multiValued"]?.sequence?.compactMap(\.string) ?? [],
                documentColumn: typeNode["document"]?.string, passwordColumn: typeNode["password"]?.string,
                statements: try statements(typeNode["statements"])))
        }
        let sql = objectTypes.isEmpty ? SQLConfiguration.embeddedDefault : SQLConfiguration(objectTypes: objectTypes)
        let setUp = entry["setUp"]?.string ?? (objectTypes.isEmpty ? defaultSetUp : nil)
        return (sql, setUp)
    }

    /// The `statements` of an object type: `select` (plain SQL), and `insert`, `update`, `delete`,
    /// `setPassword` with `@Attribute` placeholders, each a string (statements separated by `;`)
    /// or a list of statements.
    static func statements(_ node: ConnectorSettings?) throws(ConnectorSettings.Problem) -> SQLStatements {
        guard let node else { return SQLStatements() }
        guard let mapping = node.mapping else { throw node.problem("expected a map of select, insert, update, delete, setPassword") }
        var result = SQLStatements()
        for (key, value) in mapping {
            let text: String
            if let list = value.sequence {
                text = list.compactMap(\.string).joined(separator: ";\n")
            } else if let single = value.string {
                text = single
            } else {
                throw value.problem("expected SQL text or a list of statements")
            }
            func template() throws(ConnectorSettings.Problem) -> SQLTemplate {
                do { return try SQLTemplate(text) } catch { throw value.problem(error.message, atOffset: error.offset) }
            }
            switch key {
            case "select": result.select = text
            case "insert": result.insert = try template()
            case "update": result.update = try template()
            case "delete": result.delete = try template()
            case "setPassword": result.setPassword = try template()
            default: throw value.problem("unknown statement '\(key)'; expected select, insert, update, delete or setPassword")
            }
        }
        return result
    }
}
