import AttrmapTesting
import Connectors
import Foundation
import LocalPostgreSQL
import JSONValues
import Logging
import SQLConnector
import ServiceLifecycle
import Testing

/// The shared connector contract on every SQL store the connector has: the embedded default on a
/// SQLite file, a SQLite table configured like the ECMA SQL tutorial's, a view written by
/// configured statements, and the same table on a real PostgreSQL server, which is stopped and
/// started again in the middle.
struct SQLConnectorContractTests {
    @Test(arguments: SQLiteConnectorTests.Engine.allCases)
    func sqliteMeetsTheConnectorContract(engine: SQLiteConnectorTests.Engine) async throws {
        let (connector, path, sample) = try SQLiteConnectorTests.make(engine)
        // The embedded store keeps passwords in a column the host never reads.
        @Sendable func storedPassword(_ anchor: String) async throws -> String? {
            let stored = try SQLiteConnector(path: path, configuration: SQLConfiguration(objectTypes: [
                .init(objectType: "User", table: "users", anchorColumn: "id", columns: ["password": "password"]),
            ]))
            return try await stored.get(objectType: "User", anchor: anchor)?.attributes["password"]?.stringValue
        }
        let passwords: (@Sendable (String) async throws -> String?)? = engine == .sqliteEmbedded ? storedPassword : nil
        try await ConnectorConformance.check(.init(
            connector: connector, sample: sample, anchorAttribute: engine == .sqliteEmbedded ? nil : "ContosoLogin",
            textAttribute: engine == .sqliteEmbedded ? "city" : "Email", multiValuedAttribute: "proxyAddresses",
            storedPassword: passwords, reopen: { try SQLiteConnectorTests.make(engine, path: path).connector }))
    }

    @Test func postgresMeetsTheConnectorContract() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let connector = PostgresConnector(
            endpoint: server.endpoint, configuration: SQLiteConnectorTests.employeesConfiguration, setUp: PostgresConnectorTests.employees,
            logger: logger)
        let reopened = PostgresConnector(endpoint: server.endpoint, configuration: SQLiteConnectorTests.employeesConfiguration, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await connector.run() }
            group.addTask { try await reopened.run() }
            try await ConnectorConformance.check(.init(
                connector: connector, sample: try SQLiteConnectorTests.make(.sqliteConfigured).sample, anchorAttribute: "ContosoLogin",
                textAttribute: "Email", multiValuedAttribute: "proxyAddresses", reopen: { reopened },
                outage: (goAway: { try server.pause() }, comeBack: { try server.resume() })))
            group.cancelAll()
        }
    }

    /// The embedded default's tables and indexes, on PostgreSQL: what several hosts share.
    @Test func postgresEmbeddedDefaultMeetsTheConnectorContract() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let connector = PostgresConnector(
            endpoint: server.endpoint, configuration: .embeddedDefault, setUp: SQLConfiguration.embeddedDefaultPostgresTables, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await connector.run() }
            try await ConnectorConformance.check(.init(
                connector: connector, sample: try SQLiteConnectorTests.make(.sqliteEmbedded).sample, textAttribute: "city",
                multiValuedAttribute: "proxyAddresses"))
            group.cancelAll()
        }
    }
}
