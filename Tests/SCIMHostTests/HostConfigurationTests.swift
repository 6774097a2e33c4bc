import Connectors
import Foundation
import HostSetup
import JSONValues
import Logging
import SCIM
import ConnectorHost
import SCIMHost
import SQLConnector
import Testing

/// `attrmap serve --config`: configured statements reach the connector, and mistakes in the file
/// are reported where they are.
struct HostConfigurationTests {
    static func write(_ text: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: folder + "/serve.yaml", atomically: true, encoding: .utf8)
        return folder + "/serve.yaml"
    }

    @Test func configuredStatementsWriteThroughTheHost() async throws {
        let path = try Self.write("""
            connectors:
              - name: HR
                token: hr-token-0000000
                sqlite: hr.sqlite
                setUp: |
                  CREATE TABLE IF NOT EXISTS People (login TEXT PRIMARY KEY NOT NULL, first TEXT NOT NULL, disabled BOOLEAN);
                  CREATE VIEW IF NOT EXISTS Employees AS SELECT login AS ContosoLogin, first AS FirstName, disabled AS "msDS-UserAccountDisabled" FROM People;
                objectTypes:
                  - objectType: User
                    table: Employees
                    anchor: ContosoLogin
                    statements:
                      insert: INSERT INTO People (login, first, disabled) VALUES (@ContosoLogin, @FirstName, @[msDS-UserAccountDisabled])
                      update:
                        - UPDATE People SET first = @FirstName WHERE login = @ContosoLogin
                        - UPDATE People SET disabled = @[msDS-UserAccountDisabled] WHERE login = @ContosoLogin
                      delete: DELETE FROM People WHERE login = @ContosoLogin
            """)
        let configuration = try HostConfiguration.load(path: path, environment: [:])
        #expect(configuration.connectors[0].sql.objectTypes[0].statements.update?.placeholders == [
            "FirstName", "ContosoLogin", "msDS-UserAccountDisabled", "ContosoLogin",
        ])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let service = try await configuration.services(logger: logger)[0].service
        await service.importAll()
        #expect(service.state == .ready)
        let created = try await service.create(.user, try JSON.parse(#"""
            {"urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User":{"ContosoLogin":"ljacobson","FirstName":"Lola","msDS-UserAccountDisabled":"False"}}
            """#))
        #expect(created.member("id") == .string("ljacobson"))
        _ = try await service.patch(.user, id: "ljacobson", try Patch.operations(try JSON.parse(#"""
            {"Operations":[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:msDS-UserAccountDisabled","value":"True"}]}
            """#)))
        let people = try SQLiteConnector(
            path: (path as NSString).deletingLastPathComponent + "/hr.sqlite",
            configuration: .init(objectTypes: [.init(objectType: "User", table: "People", anchorColumn: "login")]))
        #expect(try await people.get(objectType: "User", anchor: "ljacobson")?.attributes == [
            "login": .string("ljacobson"), "first": .string("Lola"), "disabled": .bool(true),
        ])
        try await service.delete(.user, id: "ljacobson")
        #expect(try await people.fullImport(objectType: "User").isEmpty)
    }

    @Test func theSQLiteStoreSyncsAsConfigured() throws {
        func load(_ store: String) throws -> HostConfiguration {
            try HostConfiguration.load(path: try Self.write("""
                connectors:
                  - name: HR
                    token: hr-token-0000000
                \(store)
                """), environment: [:])
        }
        guard case .sqlite(_, let synchronous) = try load("    sqlite: hr.sqlite\n    sync: full").connectors[0].store else {
            Issue.record("expected a SQLite store")
            return
        }
        #expect(synchronous == .full)
        guard case .sqlite(_, .normal) = try load("    sqlite: hr.sqlite").connectors[0].store else {
            Issue.record("normal is the default")
            return
        }
        #expect { try load("    sqlite: hr.sqlite\n    sync: fast") } throws: { "\($0)".contains("'sync' is 'normal' or 'full', not 'fast'") }
        #expect { try load("    postgres: {user: hr, database: hr}\n    sync: full") } throws: { "\($0)".contains("'sync' applies to a 'sqlite' store") }
    }

    @Test func mistakesInStatementsAreLocatedInTheFile() throws {
        let unclosed = try Self.write("""
            connectors:
              - name: HR
                token: hr-token-0000000
                sqlite: hr.sqlite
                objectTypes:
                  - table: Employees
                    anchor: ContosoLogin
                    statements:
                      insert: INSERT INTO People (login) VALUES ('@ContosoLogin)
            """)
        #expect {
            try HostConfiguration.load(path: unclosed, environment: [:])
        } throws: { error in
            "\(error)".hasPrefix("\(unclosed):9:54 ") && "\(error)".contains("'statements.insert'") && "\(error)".contains("is not closed")
        }
        let unknown = try Self.write("""
            connectors:
              - name: HR
                token: hr-token-0000000
                sqlite: hr.sqlite
                objectTypes:
                  - table: Employees
                    anchor: ContosoLogin
                    statements: {upsert: "INSERT INTO People VALUES (@ContosoLogin)"}
            """)
        #expect {
            try HostConfiguration.load(path: unknown, environment: [:])
        } throws: { error in
            "\(error)".contains("unknown statement 'upsert'")
        }
    }
}
