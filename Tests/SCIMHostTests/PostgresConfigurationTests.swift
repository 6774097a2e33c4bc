import AttrmapTesting
import ConnectorHost
import Connectors
import Foundation
import LocalPostgreSQL
import HostSetup
import JSONValues
import Logging
import SCIM
import SQLConnector
import ServiceLifecycle
import Testing

/// `attrmap serve --config` with a PostgreSQL store beside a SQLite one, on a real server.
struct PostgresConfigurationTests {
    @Test func serveConfigurationsNameSQLiteAndPostgreSQLStores() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/serve.yaml"
        try """
            connectors:
              - name: HR
                token: ${HR_TOKEN}
                postgres: {host: 127.0.0.1, port: \(server.port), user: \(server.user), database: postgres}
                setUp: |
                  CREATE TABLE IF NOT EXISTS "Employees" ("ContosoLogin" TEXT PRIMARY KEY, "FirstName" TEXT, "IsActive" BOOLEAN)
                objectTypes:
                  - {objectType: User, table: Employees, anchor: ContosoLogin}
                deprovisioning: {disable: {set: IsActive, value: false}, delete: none}
              - name: APP1
                token: embedded-token-0000
                sqlite: app1.sqlite
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try HostConfiguration.load(path: path, kinds: TestKinds.all, environment: ["HR_TOKEN": "hr-token-from-environment"])
        #expect(configuration.connectors.map(\.name) == ["HR", "APP1"])
        #expect(configuration.connectors[0].token == "hr-token-from-environment")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let services = try configuration.services(logger: logger)
        let hr = services[0].service
        // The connector's pool is its run(), as the service group runs it.
        let hrPool = Task { try? await hr.connector.run() }
        defer { hrPool.cancel() }
        await hr.importAll()
        let created = try await hr.create(.user, try JSON.parse(#"{"urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User":{"ContosoLogin":"ljacobson","FirstName":"Lola","IsActive":"True"}}"#))
        #expect(created.member("id") == .string("ljacobson"))
        _ = try await hr.patch(.user, id: "ljacobson", try Patch.operations(try JSON.parse(#"{"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#)))
        let check = PostgresConnector(endpoint: server.endpoint, configuration: SQLConfiguration(objectTypes: [.init(objectType: "User", table: "Employees", anchorColumn: "ContosoLogin")]), logger: logger)
        let pool = Task { try? await check.run() }
        defer { pool.cancel() }
        let row = try await check.get(objectType: "User", anchor: "ljacobson")
        #expect(row?.attributes["FirstName"] == .string("Lola"))
        #expect(row?.attributes["IsActive"] == .bool(false))
        await services[1].service.importAll()
        #expect(services[1].service.state == .ready)
        #expect(FileManager.default.fileExists(atPath: folder + "/app1.sqlite"))

        #expect(throws: HostConfiguration.Problem.self) {
            try HostConfiguration.load(path: path, kinds: TestKinds.all, environment: [:])
        }
    }
}
