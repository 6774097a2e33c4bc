import Connectors
import Foundation
import LocalPostgreSQL
import JSONValues
import Logging
import SQLConnector
import ServiceLifecycle
import AttrmapTesting
import Testing

struct PostgresConnectorTests {
    static let employees = """
        CREATE TABLE "Employees" (
            "ContosoLogin" TEXT PRIMARY KEY NOT NULL, "FirstName" TEXT NOT NULL, "LastName" TEXT NOT NULL, "Email" TEXT,
            "AzureID" TEXT, "textID" TEXT, "IsActive" BOOLEAN, "Badge" INTEGER
        );
        CREATE TABLE "Employees_values" (
            anchor TEXT NOT NULL, attribute TEXT NOT NULL, position INTEGER NOT NULL, value TEXT,
            PRIMARY KEY (anchor, attribute, position)
        )
        """

    /// Runs `body` with a connector on a fresh server, the `Employees` table created.
    static func withConnector(_ body: (PostgresConnector, PostgresServer) async throws -> Void) async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let connector = PostgresConnector(endpoint: server.endpoint, configuration: SQLiteConnectorTests.employeesConfiguration, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try? await connector.run() }
            try await connector.execute(script: employees)
            try await body(connector, server)
            group.cancelAll()
        }
    }

    @Test func theConnectorContractHoldsOnPostgreSQL() async throws {
        try await Self.withConnector { connector, server in
            try await connector.testConnection()
            let user = try #require(try await connector.schema().objectType("User"))
            #expect(user.attributes.map(\.name) == ["ContosoLogin", "FirstName", "LastName", "Email", "AzureID", "textID", "IsActive", "Badge", "proxyAddresses"])
            #expect(user.attribute("FirstName")?.required == true)
            #expect(user.attribute("IsActive")?.type == .boolean)
            #expect(user.attribute("Badge")?.type == .integer)

            let sample = try SQLiteConnectorTests.make(.sqliteConfigured).sample
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let second = PostgresConnector(endpoint: server.endpoint, configuration: SQLiteConnectorTests.employeesConfiguration, logger: logger)
            let secondRun = Task { try? await second.run() }
            defer { secondRun.cancel() }
            try await SQLiteConnectorTests.writesReadsAndSurvivesReopening(connector, sample: sample, changing: "Email", reopen: { second })

            var incomplete = sample
            incomplete.attributes["FirstName"] = nil
            do {
                try await connector.create(incomplete)
                Issue.record("the create should fail")
            } catch let error as ConnectorError {
                #expect(error.kind == .invalidValue)
            }
            #expect(try await connector.fullImport(objectType: "User").isEmpty)
        }
    }
}

extension PostgresConnectorTests {
    /// The statements engine of the connector suite on PostgreSQL: a view to read, configured
    /// statements to write the table under it.
    static let people = """
        CREATE TABLE people (
            login TEXT PRIMARY KEY NOT NULL, first TEXT NOT NULL, last TEXT NOT NULL, mail TEXT, active BOOLEAN, badge INTEGER
        );
        CREATE VIEW "Employees" AS
            SELECT login AS "ContosoLogin", first AS "FirstName", last AS "LastName", mail AS "Email", active AS "IsActive", badge AS "Badge" FROM people;
        CREATE TABLE "Employees_values" (
            anchor TEXT NOT NULL, attribute TEXT NOT NULL, position INTEGER NOT NULL, value TEXT,
            PRIMARY KEY (anchor, attribute, position)
        );
        CREATE TABLE audit (login TEXT NOT NULL, action TEXT NOT NULL, at SERIAL PRIMARY KEY)
        """

    static let statementsConfiguration = SQLConfiguration(objectTypes: [
        .init(
            objectType: "User", table: "Employees", anchorColumn: "ContosoLogin", multiValued: ["proxyAddresses"],
            statements: .init(
                select: #"SELECT "ContosoLogin", "FirstName", "LastName", "Email", "IsActive", "Badge" FROM "Employees""#,
                insert: try! SQLTemplate("""
                    INSERT INTO audit (login, action) VALUES (@contosologin, 'add; with a semicolon'); -- @NotAPlaceholder
                    INSERT INTO people (login, first, last, mail, active, badge) VALUES (@ContosoLogin, @FirstName, @LastName, @Email, @IsActive, @Badge)
                    """),
                update: try! SQLTemplate("UPDATE people SET first = @FirstName, last = @LastName, mail = @Email, active = @IsActive, badge = @[Badge] WHERE login = @ContosoLogin"),
                delete: try! SQLTemplate("DELETE FROM people WHERE login = @ContosoLogin"))),
    ])

    @Test func configuredStatementsMeetTheContractOnPostgreSQL() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let connector = PostgresConnector(endpoint: server.endpoint, configuration: Self.statementsConfiguration, logger: logger)
        let audit = PostgresConnector(endpoint: server.endpoint, configuration: .init(objectTypes: [.init(objectType: "User", table: "audit", anchorColumn: "at")]), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try? await connector.run() }
            group.addTask { try? await audit.run() }
            try await connector.execute(script: Self.people)
            let user = try #require(try await connector.schema().objectType("User"))
            #expect(user.attributes.map(\.name) == ["ContosoLogin", "FirstName", "LastName", "Email", "IsActive", "Badge", "proxyAddresses"])
            #expect(user.attribute("IsActive")?.type == .boolean)
            #expect(user.attribute("Badge")?.type == .integer)

            let sample = try SQLiteConnectorTests.make(.sqliteConfigured).sample
            try await SQLiteConnectorTests.writesReadsAndSurvivesReopening(connector, sample: sample, changing: "Email", reopen: { connector })
            // One audit row: the duplicate create's audit insert was rolled back with it.
            #expect(try await audit.fullImport(objectType: "User").map { $0.attributes["action"] } == [.string("add; with a semicolon")])

            var broken = Self.statementsConfiguration
            broken.objectTypes[0].statements.update = try SQLTemplate("UPDATE people SET first = @GivenName WHERE login = @ContosoLogin")
            let misconfigured = PostgresConnector(endpoint: server.endpoint, configuration: broken, logger: logger)
            group.addTask { try? await misconfigured.run() }
            await #expect(throws: ConnectorError.self) { try await misconfigured.schema() }
            broken.objectTypes[0].statements.update = try SQLTemplate("UPDATE people SET first = @FirstName WHER login = @ContosoLogin")
            let syntax = PostgresConnector(endpoint: server.endpoint, configuration: broken, logger: logger)
            group.addTask { try? await syntax.run() }
            do {
                _ = try await syntax.schema()
                Issue.record("the schema discovery should fail")
            } catch let error as ConnectorError {
                #expect(error.message.contains("the update statement of User does not prepare"))
            }
            group.cancelAll()
        }
    }

}

