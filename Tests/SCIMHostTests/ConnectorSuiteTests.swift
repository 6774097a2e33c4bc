import Connectors
import Foundation
import JSONValues
import SQLConnector
import Testing

/// The connector contract, run against every engine: the embedded default on a SQLite file, and a
/// SQLite table configured the way the ECMA SQL tutorial's `Employees` table is.
struct ConnectorSuiteTests {
    enum Engine: String, CaseIterable, Sendable {
        case sqliteEmbedded, sqliteConfigured
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
        }
    }

    @Test(arguments: Engine.allCases)
    func writesReadsAndSurvivesReopening(engine: Engine) async throws {
        let (connector, path, sample) = try Self.make(engine)
        try await Self.writesReadsAndSurvivesReopening(
            connector, sample: sample, changing: engine == .sqliteEmbedded ? "city" : "Email",
            reopen: { try Self.make(engine, path: path).connector })
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
