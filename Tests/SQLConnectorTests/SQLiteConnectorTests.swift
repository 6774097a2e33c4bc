import Connectors
import Foundation
import JSONValues
import SQLConnector
import AttrmapTesting
import Testing

/// The connector contract, run against every engine: the embedded default on a SQLite file, a
/// SQLite table configured the way the ECMA SQL tutorial's `Employees` table is, and the same
/// attributes read from a view and written by configured statements.
struct SQLiteConnectorTests {
    enum Engine: String, CaseIterable, Sendable {
        case sqliteEmbedded, sqliteConfigured, sqliteStatements
    }

    static func temporaryPath(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-connector-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    static let employees = """
        CREATE TABLE Employees (
            ContosoLogin TEXT PRIMARY KEY NOT NULL, FirstName TEXT NOT NULL, LastName TEXT NOT NULL, Email TEXT,
            AzureID TEXT, textID TEXT, IsActive BOOLEAN, Badge INTEGER
        );
        CREATE TABLE Employees_values (
            anchor TEXT NOT NULL, attribute TEXT NOT NULL, position INTEGER NOT NULL, value TEXT,
            PRIMARY KEY (anchor, attribute, position)
        );
        """

    static let employeesConfiguration = SQLConfiguration(objectTypes: [
        .init(objectType: "User", table: "Employees", anchorColumn: "ContosoLogin", multiValued: ["proxyAddresses"]),
    ])

    /// A `People` table under other column names, the `Employees` view over it, and an audit
    /// table the insert statement also writes.
    static let people = """
        CREATE TABLE People (
            login TEXT PRIMARY KEY NOT NULL, first TEXT NOT NULL, last TEXT NOT NULL, mail TEXT, active BOOLEAN, badge INTEGER
        );
        CREATE VIEW Employees AS
            SELECT login AS ContosoLogin, first AS FirstName, last AS LastName, mail AS Email, active AS IsActive, badge AS Badge FROM People;
        CREATE TABLE Employees_values (
            anchor TEXT NOT NULL, attribute TEXT NOT NULL, position INTEGER NOT NULL, value TEXT,
            PRIMARY KEY (anchor, attribute, position)
        );
        CREATE TABLE Audit (login TEXT NOT NULL, action TEXT NOT NULL, at INTEGER PRIMARY KEY AUTOINCREMENT);
        """

    static let statementsConfiguration = SQLConfiguration(objectTypes: [
        .init(
            objectType: "User", table: "Employees", anchorColumn: "ContosoLogin", multiValued: ["proxyAddresses"],
            statements: .init(
                select: "SELECT ContosoLogin, FirstName, LastName, Email, IsActive, Badge FROM Employees",
                insert: try! SQLTemplate("""
                    INSERT INTO Audit (login, action) VALUES (@contosologin, 'add; with a semicolon'); -- @NotAPlaceholder
                    INSERT INTO People (login, first, last, mail, active, badge) VALUES (@ContosoLogin, @FirstName, @LastName, @Email, @IsActive, @Badge)
                    """),
                update: try! SQLTemplate("UPDATE People SET first = @FirstName, last = @LastName, mail = @Email, active = @IsActive, badge = @[Badge] WHERE login = @ContosoLogin"),
                delete: try! SQLTemplate("DELETE FROM People WHERE login = @ContosoLogin"))),
    ])

    /// A connector, its path (to reopen it), and an object to write.
    static func make(_ engine: Engine, path: String? = nil) throws -> (connector: SQLiteConnector, path: String, sample: ConnectorObject) {
        switch engine {
        case .sqliteEmbedded:
            let path = path ?? temporaryPath("embedded.sqlite")
            let connector = try SQLiteConnector(path: path, configuration: .embeddedDefault, setUp: SQLConfiguration.embeddedDefaultTables)
            let sample = ConnectorObject(
                objectType: "User", anchor: "0f1e2d3c",
                attributes: ["userName": .string("ljacobson"), "city": .string("Oslo"), "active": .bool(true),
                             "proxyAddresses": .array([.string("SMTP:l@contoso.com"), .string("smtp:lj@contoso.com")])],
                document: .object([("userName", .string("ljacobson@contoso.com")), ("name", .object([("givenName", .string("Lola"))]))]))
            return (connector, path, sample)
        case .sqliteConfigured:
            let path = path ?? temporaryPath("employees.sqlite")
            let isNew = !FileManager.default.fileExists(atPath: path)
            let connector = try SQLiteConnector(path: path, configuration: employeesConfiguration, setUp: isNew ? employees : nil)
            let sample = ConnectorObject(
                objectType: "User", anchor: "ljacobson",
                attributes: ["ContosoLogin": .string("ljacobson"), "FirstName": .string("Lola"), "LastName": .string("Jacobson"),
                             "IsActive": .bool(true), "Badge": .number("42"),
                             "proxyAddresses": .array([.string("SMTP:l@contoso.com"), .string("smtp:lj@contoso.com")])])
            return (connector, path, sample)
        case .sqliteStatements:
            let path = path ?? temporaryPath("statements.sqlite")
            let isNew = !FileManager.default.fileExists(atPath: path)
            let connector = try SQLiteConnector(path: path, configuration: statementsConfiguration, setUp: isNew ? people : nil)
            return (connector, path, try make(.sqliteConfigured).sample)
        }
    }

    @Test(arguments: Engine.allCases)
    func discoversTheSchemaFromTheTable(engine: Engine) async throws {
        let (connector, _, _) = try Self.make(engine)
        try await connector.testConnection()
        let user = try #require(try await connector.schema().objectType("User"))
        let names = user.attributes.map(\.name)
        switch engine {
        case .sqliteEmbedded:
            #expect(user.anchor == "id")
            #expect(!names.contains("id") && !names.contains("document") && !names.contains("password"))
            #expect(names.contains("userName") && names.contains("expirationTime"))
            #expect(user.attribute("active")?.type == .boolean)
            #expect(user.keepsDocument)
        case .sqliteConfigured:
            #expect(names == ["ContosoLogin", "FirstName", "LastName", "Email", "AzureID", "textID", "IsActive", "Badge", "proxyAddresses"])
            #expect(user.attribute("FirstName")?.required == true)
            #expect(user.attribute("Badge")?.type == .integer)
            #expect(user.attribute("proxyAddresses")?.multiValued == true)
            #expect(!user.keepsDocument)
        case .sqliteStatements:
            // The select statement's columns, typed through the view by the table's declarations.
            #expect(names == ["ContosoLogin", "FirstName", "LastName", "Email", "IsActive", "Badge", "proxyAddresses"])
            #expect(user.attribute("IsActive")?.type == .boolean)
            #expect(user.attribute("Badge")?.type == .integer)
        }
    }

    @Test(arguments: Engine.allCases)
    func writesReadsAndSurvivesReopening(engine: Engine) async throws {
        let (connector, path, sample) = try Self.make(engine)
        try await Self.writesReadsAndSurvivesReopening(
            connector, sample: sample, changing: engine == .sqliteEmbedded ? "city" : "Email",
            reopen: { try Self.make(engine, path: path).connector })
    }

    @Test func configuredStatementsRunAllTheirStatementsInTheExportTransaction() async throws {
        let (connector, path, sample) = try Self.make(.sqliteStatements)
        try await connector.create(sample)
        let audit = try SQLiteConnector(path: path, configuration: .init(objectTypes: [.init(objectType: "User", table: "Audit", anchorColumn: "at")]))
        #expect(try await audit.fullImport(objectType: "User").map(\.attributes) == [
            ["login": .string("ljacobson"), "action": .string("add; with a semicolon"), "at": .number("1")],
        ])
        // A failing statement rolls back the ones before it: the duplicate's audit row is not kept.
        await #expect(throws: ConnectorError.self) { try await connector.create(sample) }
        #expect(try await audit.fullImport(objectType: "User").count == 1)
        // Values are bound, never spliced: a quote in a value is just a character.
        var quoted = sample
        quoted.anchor = "o'brien"
        quoted.attributes["ContosoLogin"] = .string("o'brien")
        quoted.attributes["LastName"] = .string("O'Brien'); DROP TABLE People; --")
        try await connector.create(quoted)
        #expect(try await connector.get(objectType: "User", anchor: "o'brien")?.attributes["LastName"] == quoted.attributes["LastName"])
        #expect(try await connector.fullImport(objectType: "User").count == 2)
    }

    /// Concurrent exports share commits; each runs in its own savepoint, so the ones that fail
    /// (a taken anchor) leave the others of their batch written.
    @Test func concurrentExportsFailAlone() async throws {
        let (connector, path, sample) = try Self.make(.sqliteConfigured)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<60 {
                group.addTask {
                    var object = sample
                    // Every third export reuses one anchor: one of them wins.
                    object.anchor = index % 3 == 0 ? "shared" : "user-\(index)"
                    object.attributes["ContosoLogin"] = .string(object.anchor)
                    do {
                        try await connector.create(object)
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 41)
        let reopened = try Self.make(.sqliteConfigured, path: path).connector
        let stored = try await reopened.fullImport(objectType: "User")
        #expect(stored.count == 41)
        #expect(stored.allSatisfy { $0.attributes["proxyAddresses"] == sample.attributes["proxyAddresses"] })
    }

    @Test func aMistakeInAConfiguredStatementShowsAtSchemaDiscovery() async throws {
        func discover(_ statements: SQLStatements) async throws -> ConnectorError? {
            var configuration = Self.statementsConfiguration
            configuration.objectTypes[0].statements = statements
            let connector = try SQLiteConnector(path: Self.temporaryPath("broken.sqlite"), configuration: configuration, setUp: Self.people)
            do {
                _ = try await connector.schema()
                return nil
            } catch {
                return error
            }
        }
        let unknown = try await discover(.init(insert: SQLTemplate("INSERT INTO People (login, first) VALUES (@ContosoLogin, @GivenName)")))
        #expect(unknown?.kind == .invalidValue)
        #expect(unknown?.message.contains("insert statement of User names @GivenName") == true)
        #expect(unknown?.message.contains("FirstName") == true)

        let syntax = try await discover(.init(update: SQLTemplate("UPDATE People SET first = @FirstName WHER login = @ContosoLogin")))
        #expect(syntax?.message.contains("the update statement of User does not prepare") == true, "\(String(describing: syntax))")

        let noAnchor = try await discover(.init(select: "SELECT FirstName FROM Employees"))
        #expect(noAnchor?.message.contains("has no anchor column 'ContosoLogin'") == true)

        let badSelect = try await discover(.init(select: "SELECT * FROM Nowhere"))
        #expect(badSelect?.message.contains("the select statement of User does not run") == true)
        #expect(try await discover(.init()) == nil)
    }

    @Test func templatesFindPlaceholdersOutsideQuotesAndComments() throws {
        let template = try SQLTemplate("""
            INSERT INTO "t@x" (a, b) VALUES (@First_Name, '@literal'' @still'); /* @comment; */ UPDATE t SET c = @[msDS-UserAccountDisabled], d = 'a@@b' || @@x;
            -- trailing comment; with @Nothing
            """)
        #expect(template.placeholders == ["First_Name", "msDS-UserAccountDisabled"])
        #expect(throws: SQLTemplate.Problem.self) { try SQLTemplate("UPDATE t SET a = 'unclosed") }
        #expect(throws: SQLTemplate.Problem.self) { try SQLTemplate("UPDATE t SET a = @ WHERE b = 1") }
        #expect(throws: SQLTemplate.Problem.self) { try SQLTemplate("UPDATE t SET a = @[open") }
        #expect(throws: SQLTemplate.Problem.self) { try SQLTemplate(" ; -- nothing") }
        let problem = #expect(throws: SQLTemplate.Problem.self) { try SQLTemplate("SELECT 1; SELECT \"x") }
        #expect(problem?.offset == 17)
    }

    /// The contract every engine meets: create, read back, refuse a duplicate, replace (the
    /// child table too), read the same after reopening, delete, refuse what is gone.
    static func writesReadsAndSurvivesReopening(
        _ connector: any Connector, sample: ConnectorObject, changing attribute: String, reopen: () async throws -> any Connector
    ) async throws {
        try await connector.create(sample)
        #expect(try await connector.get(objectType: "User", anchor: sample.anchor) == sample)
        await #expect(throws: ConnectorError.self) { try await connector.create(sample) }

        var changed = sample
        changed.attributes["proxyAddresses"] = .array([.string("SMTP:new@contoso.com")])
        changed.attributes[attribute] = .string("changed")
        try await connector.replace(changed)
        let reopened = try await reopen()
        #expect(try await reopened.fullImport(objectType: "User") == [changed])

        try await reopened.delete(objectType: "User", anchor: sample.anchor)
        #expect(try await reopened.get(objectType: "User", anchor: sample.anchor) == nil)
        await #expect(throws: ConnectorError.self) { try await reopened.delete(objectType: "User", anchor: sample.anchor) }
        await #expect(throws: ConnectorError.self) { try await reopened.replace(sample) }
    }

    @Test func aMissingRequiredColumnIsAnInvalidValue() async throws {
        let (connector, _, sample) = try Self.make(.sqliteConfigured)
        var incomplete = sample
        incomplete.attributes["FirstName"] = nil
        do {
            try await connector.create(incomplete)
            Issue.record("the create should fail")
        } catch {
            #expect(error.kind == .invalidValue)
            #expect(error.message.contains("FirstName"))
        }
        #expect(try await connector.fullImport(objectType: "User").isEmpty)
    }

    @Test func passwordsGoToTheirColumnInASecondStep() async throws {
        let (connector, path, sample) = try Self.make(.sqliteEmbedded)
        try await connector.create(sample)
        try await connector.setPassword(objectType: "User", anchor: sample.anchor, password: "Pass@w0rd1")
        let stored = try SQLiteConnector(path: path, configuration: .init(objectTypes: [
            .init(objectType: "User", table: "users", anchorColumn: "id", columns: ["password": "password"]),
        ]))
        #expect(try await stored.get(objectType: "User", anchor: sample.anchor)?.attributes["password"] == .string("Pass@w0rd1"))
        // The password is not one of the attributes the host exposes.
        #expect(try await connector.get(objectType: "User", anchor: sample.anchor)?.attributes["password"] == nil)
    }
}
