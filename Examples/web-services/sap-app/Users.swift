import Crypto
import Foundation
import GRDB

/// The SAP-style user store: users with their address, logon data, company, lock, password hash
/// and activity groups (roles), in an SQLite file of the application's own.
final class Users: Sendable {
    private let pool: DatabasePool

    /// One user, as the BAPIs read and write it.
    struct User: Sendable, Equatable {
        var username: String
        var address: [String: String] = [:]
        var logon: [String: String] = [:]
        var company = ""
        var locked = false
        var groups: [String] = []
    }

    /// The ADDRESS fields the application keeps (BAPIADDR3), LOGONDATA's (BAPILOGOND).
    static let addressFields = ["FIRSTNAME", "LASTNAME", "MIDDLENAME", "FULLNAME", "DEPARTMENT", "FUNCTION", "CITY", "TEL1_NUMBR", "E_MAIL"]
    static let logonFields = ["GLTGV", "GLTGB", "USTYP", "CLASS"]

    init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS users (
                    username TEXT PRIMARY KEY NOT NULL, address TEXT NOT NULL, logon TEXT NOT NULL,
                    company TEXT NOT NULL DEFAULT '', locked INTEGER NOT NULL DEFAULT 0, password TEXT
                );
                CREATE TABLE IF NOT EXISTS groups (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
                    name TEXT NOT NULL, UNIQUE (username, name)
                );
                """)
        }
    }

    /// One statement, so it reads one state of the file without a transaction of its own.
    func user(_ username: String) throws -> User? {
        try pool.unsafeRead { db in try Self.user(username, db) }
    }

    private static func user(_ username: String, _ db: Database) throws -> User? {
        let select = try db.cachedStatement(sql: """
            SELECT *, (SELECT group_concat(name, char(10)) FROM (SELECT name FROM groups WHERE username = users.username ORDER BY sequence)) AS names
            FROM users WHERE username = ?
            """)
        guard let row = try Row.fetchOne(select, arguments: [username]) else { return nil }
        // Activity group names are single-line (AGR_NAME, 30 characters).
        let groups = (row["names"] as String?).map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        return User(
            username: row["username"], address: decode(row["address"]), logon: decode(row["logon"]), company: row["company"],
            locked: (row["locked"] as Int) != 0, groups: groups)
    }

    /// Usernames in order after `after` (keyset paging), at most `limit`.
    func usernames(after: String?, limit: Int) throws -> [(username: String, first: String, last: String)] {
        try pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT username, address FROM users WHERE username > ? ORDER BY username LIMIT ?"),
                arguments: [after ?? "", limit]
            ).map { row in
                let address = Self.decode(row["address"])
                return (row["username"], address["FIRSTNAME"] ?? "", address["LASTNAME"] ?? "")
            }
        }
    }

    func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0 }
    }

    /// Applies the changes a session committed, in one transaction; the first change that fails
    /// undoes them all and is the error.
    func commit(_ changes: [Change]) throws {
        try pool.write { db in
            for change in changes {
                switch change {
                case .create(let user, let password):
                    guard try Self.user(user.username, db) == nil else { throw Failure.exists(user.username) }
                    try db.execute(
                        sql: "INSERT INTO users (username, address, logon, company, password) VALUES (?, ?, ?, ?, ?)",
                        arguments: [user.username, Self.encode(user.address), Self.encode(user.logon), user.company, password.map { Self.hash(user.username, $0) }])
                    for group in user.groups {
                        try db.execute(sql: "INSERT OR IGNORE INTO groups (username, name) VALUES (?, ?)", arguments: [user.username, group])
                    }
                case .change(let username, let address, let logon, let company, let password):
                    guard var user = try Self.user(username, db) else { throw Failure.missing(username) }
                    for (key, value) in address { user.address[key] = value.isEmpty ? nil : value }
                    for (key, value) in logon { user.logon[key] = value.isEmpty ? nil : value }
                    if let company { user.company = company }
                    try db.execute(
                        sql: "UPDATE users SET address = ?, logon = ?, company = ? WHERE username = ?",
                        arguments: [Self.encode(user.address), Self.encode(user.logon), user.company, username])
                    if let password { try db.execute(sql: "UPDATE users SET password = ? WHERE username = ?", arguments: [Self.hash(username, password), username]) }
                case .delete(let username):
                    try db.execute(sql: "DELETE FROM users WHERE username = ?", arguments: [username])
                    if db.changesCount == 0 { throw Failure.missing(username) }
                case .groups(let username, let names):
                    guard try Self.user(username, db) != nil else { throw Failure.missing(username) }
                    try db.execute(sql: "DELETE FROM groups WHERE username = ?", arguments: [username])
                    for name in names {
                        try db.execute(sql: "INSERT OR IGNORE INTO groups (username, name) VALUES (?, ?)", arguments: [username, name])
                    }
                case .lock(let username, let locked):
                    try db.execute(sql: "UPDATE users SET locked = ? WHERE username = ?", arguments: [locked ? 1 : 0, username])
                    if db.changesCount == 0 { throw Failure.missing(username) }
                }
            }
        }
    }

    /// Whether `password` is the user's.
    func verify(_ username: String, _ password: String) throws -> Bool {
        let stored = try pool.read { db in try String.fetchOne(db, sql: "SELECT password FROM users WHERE username = ?", arguments: [username]) }
        return stored != nil && stored == Self.hash(username, password)
    }

    /// Fills an empty store with `count` generated users.
    func seed(_ count: Int) throws {
        guard try self.count() == 0 else { return }
        try pool.write { db in
            let insert = try db.makeStatement(sql: "INSERT INTO users (username, address, logon, company) VALUES (?, ?, ?, 'CONTOSO')")
            let group = try db.makeStatement(sql: "INSERT INTO groups (username, name) VALUES (?, ?)")
            for index in 1...count {
                let username = String(format: "U%07d", index)
                try insert.execute(arguments: [
                    username,
                    Self.encode(["FIRSTNAME": "Given\(index)", "LASTNAME": "Family\(index)", "E_MAIL": "\(username.lowercased())@contoso.com", "DEPARTMENT": "Sales"]),
                    Self.encode(["GLTGB": "9999-12-31"]),
                ])
                try group.execute(arguments: [username, "Z_EMPLOYEE"])
            }
        }
    }

    enum Change: Sendable {
        case create(User, password: String?)
        case change(String, address: [String: String], logon: [String: String], company: String?, password: String?)
        case delete(String)
        case groups(String, [String])
        case lock(String, Bool)
    }

    enum Failure: Error {
        case exists(String)
        case missing(String)
    }

    static func encode(_ fields: [String: String]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decode(_ text: String) -> [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String] ?? [:]
    }

    /// A digest of the password with the username as its salt: the store never holds a password.
    static func hash(_ username: String, _ password: String) -> String {
        SHA256.hash(data: Data("sample-sap-app:\(username):\(password)".utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
