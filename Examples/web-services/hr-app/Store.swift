import Crypto
import Foundation
import GRDB

/// The HR application's own storage: one SQLite file with employees, their roles (in the order
/// they were given) and their password hashes.
final class Store: Sendable {
    private let pool: DatabasePool

    init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS employees (
                    login TEXT PRIMARY KEY NOT NULL,
                    givenName TEXT, familyName TEXT, displayName TEXT, email TEXT,
                    department TEXT, jobTitle TEXT, manager TEXT,
                    active INTEGER NOT NULL DEFAULT 1,
                    updatedAt TEXT NOT NULL
                );
                CREATE TABLE IF NOT EXISTS roles (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    login TEXT NOT NULL REFERENCES employees(login) ON DELETE CASCADE,
                    role TEXT NOT NULL,
                    UNIQUE (login, role)
                );
                CREATE TABLE IF NOT EXISTS passwords (
                    login TEXT PRIMARY KEY NOT NULL REFERENCES employees(login) ON DELETE CASCADE,
                    salt BLOB NOT NULL, hash BLOB NOT NULL
                );
                -- The change log behind delta tokens: every change to an employee or their roles.
                CREATE TABLE IF NOT EXISTS changes (sequence INTEGER PRIMARY KEY AUTOINCREMENT, login TEXT NOT NULL);
                CREATE INDEX IF NOT EXISTS changes_login ON changes (login, sequence);
                CREATE TRIGGER IF NOT EXISTS employee_added AFTER INSERT ON employees BEGIN INSERT INTO changes (login) VALUES (new.login); END;
                CREATE TRIGGER IF NOT EXISTS employee_changed AFTER UPDATE ON employees BEGIN INSERT INTO changes (login) VALUES (new.login); END;
                CREATE TRIGGER IF NOT EXISTS employee_removed AFTER DELETE ON employees BEGIN INSERT INTO changes (login) VALUES (old.login); END;
                CREATE TRIGGER IF NOT EXISTS role_added AFTER INSERT ON roles BEGIN INSERT INTO changes (login) VALUES (new.login); END;
                CREATE TRIGGER IF NOT EXISTS role_removed AFTER DELETE ON roles BEGIN INSERT INTO changes (login) VALUES (old.login); END;
                """)
        }
    }

    /// The text fields of an employee, beside `login`, `active` and `roles`.
    static let textFields = ["givenName", "familyName", "displayName", "email", "department", "jobTitle", "manager"]

    enum Failure: Error {
        case notFound
        case exists
    }

    /// An employee as its JSON object (every field present, null when unset).
    /// One statement, so it reads one state of the file without a transaction of its own.
    func employee(_ login: String) throws -> [String: JSONValue]? {
        try pool.unsafeRead { db in try Self.employee(login, db) }
    }

    private static func employee(_ login: String, _ db: Database) throws -> [String: JSONValue]? {
        let select = try db.cachedStatement(sql: """
            SELECT *, (SELECT json_group_array(role) FROM (SELECT role FROM roles WHERE login = employees.login ORDER BY sequence)) AS roleList
            FROM employees WHERE login = ?
            """)
        guard let row = try Row.fetchOne(select, arguments: [login]) else { return nil }
        guard case .array(let roles)? = JSONValue.parse(Array((row["roleList"] as String? ?? "[]").utf8)) else { return object(row, roles: []) }
        return object(row, roles: roles.compactMap(\.string))
    }

    private static func object(_ row: Row, roles: [String]) -> [String: JSONValue] {
        var object: [String: JSONValue] = ["login": .string(row["login"])]
        for field in textFields { object[field] = (row[field] as String?).map(JSONValue.string) ?? .null }
        object["active"] = .bool((row["active"] as Int) != 0)
        object["roles"] = .array(roles.map(JSONValue.string))
        object["updatedAt"] = .string(row["updatedAt"])
        return object
    }

    /// A page of employees in login order: after `cursor` (a login), or from `offset`, and
    /// whether more follow; `updatedSince` keeps those changed at or after that time (RFC 3339
    /// text compares in order).
    func page(after cursor: String?, offset: Int = 0, limit: Int, updatedSince: String?) throws -> (employees: [[String: JSONValue]], more: Bool) {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let cursor {
                conditions.append("login > ?")
                _ = arguments.append(contentsOf: [cursor])
            }
            if let updatedSince {
                conditions.append("updatedAt >= ?")
                _ = arguments.append(contentsOf: [updatedSince])
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [limit + 1, offset])
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM employees \(filter) ORDER BY login LIMIT ? OFFSET ?", arguments: arguments)
            let page = rows.prefix(limit)
            var roles: [String: [String]] = [:]
            if let first = page.first?["login"] as String?, let last = page.last?["login"] as String? {
                for row in try Row.fetchAll(
                    db, sql: "SELECT login, role FROM roles WHERE login >= ? AND login <= ? ORDER BY sequence", arguments: [first, last])
                {
                    roles[row["login"], default: []].append(row["role"])
                }
            }
            return (page.map { Self.object($0, roles: roles[$0["login"]] ?? []) }, rows.count > limit)
        }
    }

    /// The position of the last change: what a delta token stands for.
    func lastChange() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT coalesce(max(sequence), 0) FROM changes") ?? 0 }
    }

    /// The employees changed after change `since`, each once, in the order of their last change,
    /// after position `after` (paging): each whole, or `nil` for one deleted; its position; and
    /// whether more follow.
    func changes(since: Int, after: Int, limit: Int) throws -> (changes: [(login: String, employee: [String: JSONValue]?, position: Int)], more: Bool) {
        try pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT login, max(sequence) AS position FROM changes WHERE sequence > ?
                    GROUP BY login HAVING position > ? ORDER BY position LIMIT ?
                    """, arguments: [since, after, limit + 1])
            let changes = try rows.prefix(limit).map { row in
                let login: String = row["login"]
                return (login: login, employee: try Self.employee(login, db), position: row["position"] as Int)
            }
            return (changes, rows.count > limit)
        }
    }

    /// Adds `count` generated employees, each with one or two roles, when there are none.
    func seed(_ count: Int) throws {
        guard try self.count() == 0 else { return }
        let departments = ["Sales", "Finance", "Engineering", "Support", "Legal"]
        let updated = Self.now()
        try pool.write { db in
            let employee = try db.makeStatement(sql: """
                INSERT INTO employees (login, givenName, familyName, displayName, email, department, jobTitle, active, updatedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
                """)
            let role = try db.makeStatement(sql: "INSERT INTO roles (login, role) VALUES (?, ?)")
            for index in 1...count {
                let login = String(format: "e%07d", index)
                try employee.execute(arguments: [
                    login, "Given\(index)", "Family\(index)", "Given\(index) Family\(index)", "\(login)@contoso.com",
                    departments[index % departments.count], "Clerk", updated,
                ])
                try role.execute(arguments: [login, "Employee"])
                if index % 3 == 0 { try role.execute(arguments: [login, "Approver"]) }
            }
        }
    }

    func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM employees") ?? 0 }
    }

    /// Adds an employee; `fields` are checked already.
    func create(_ login: String, fields: [String: JSONValue], roles: [String]) throws -> [String: JSONValue] {
        try pool.write { db in
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM employees WHERE login = ?"), arguments: [login]) == true {
                throw Failure.exists
            }
            var values: [(any DatabaseValueConvertible)?] = [login, Self.now(), fields["active"].map(Self.databaseValue) ?? 1]
            for name in Self.textFields { values.append(fields[name].flatMap(Self.databaseValue)) }
            let marks = Array(repeating: "?", count: values.count).joined(separator: ", ")
            let insert = try db.cachedStatement(
                sql: "INSERT INTO employees (login, updatedAt, active, \(Self.textFields.joined(separator: ", "))) VALUES (\(marks))")
            try insert.execute(arguments: StatementArguments(values))
            let role = try db.cachedStatement(sql: "INSERT OR IGNORE INTO roles (login, role) VALUES (?, ?)")
            for name in roles { try role.execute(arguments: [login, name]) }
            return try Self.employee(login, db)!
        }
    }

    /// Applies a merge patch: each field given is set (null clears it), the others are kept.
    func update(_ login: String, fields: [String: JSONValue], roles: [String]?) throws -> [String: JSONValue] {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM employees WHERE login = ?", arguments: [login]) == true else { throw Failure.notFound }
            var assignments = ["updatedAt = ?"]
            var values: [(any DatabaseValueConvertible)?] = [Self.now()]
            for (name, value) in fields {
                assignments.append("\(name) = ?")
                values.append(Self.databaseValue(value))
            }
            values.append(login)
            try db.execute(sql: "UPDATE employees SET \(assignments.joined(separator: ", ")) WHERE login = ?", arguments: StatementArguments(values))
            if let roles {
                try db.execute(sql: "DELETE FROM roles WHERE login = ?", arguments: [login])
                for role in roles { try db.execute(sql: "INSERT OR IGNORE INTO roles (login, role) VALUES (?, ?)", arguments: [login, role]) }
            }
            return try Self.employee(login, db)!
        }
    }

    func delete(_ login: String) throws {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM employees WHERE login = ?", arguments: [login])
            if db.changesCount == 0 { throw Failure.notFound }
        }
    }

    /// Adds a role (adding one the employee has changes nothing).
    func addRole(_ login: String, _ role: String) throws {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM employees WHERE login = ?", arguments: [login]) == true else { throw Failure.notFound }
            try db.execute(sql: "INSERT OR IGNORE INTO roles (login, role) VALUES (?, ?)", arguments: [login, role])
            if db.changesCount > 0 { try db.execute(sql: "UPDATE employees SET updatedAt = ? WHERE login = ?", arguments: [Self.now(), login]) }
        }
    }

    func removeRole(_ login: String, _ role: String) throws {
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM employees WHERE login = ?", arguments: [login]) == true else { throw Failure.notFound }
            try db.execute(sql: "DELETE FROM roles WHERE login = ? AND role = ?", arguments: [login, role])
            if db.changesCount == 0 { throw Failure.notFound }
            try db.execute(sql: "UPDATE employees SET updatedAt = ? WHERE login = ?", arguments: [Self.now(), login])
        }
    }

    func setPassword(_ login: String, _ password: String) throws {
        let salt = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
        let hash = Self.hash(password, salt: salt)
        try pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM employees WHERE login = ?", arguments: [login]) == true else { throw Failure.notFound }
            try db.execute(sql: "INSERT OR REPLACE INTO passwords (login, salt, hash) VALUES (?, ?, ?)", arguments: [login, salt, hash])
        }
    }

    /// Whether `password` is the employee's.
    func verify(_ login: String, _ password: String) throws -> Bool {
        guard let row = try pool.read({ db in try Row.fetchOne(db, sql: "SELECT salt, hash FROM passwords WHERE login = ?", arguments: [login]) })
        else { return false }
        return Self.hash(password, salt: row["salt"]) == row["hash"] as Data
    }

    private static func hash(_ password: String, salt: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Data(password.utf8))
        return Data(hasher.finalize())
    }

    private static func databaseValue(_ value: JSONValue) -> (any DatabaseValueConvertible)? {
        switch value {
        case .string(let text): text
        case .bool(let flag): flag ? 1 : 0
        default: nil
        }
    }

    private static func now() -> String {
        Date.now.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
