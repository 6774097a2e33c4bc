import AttrmapTesting
import LocalCache
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
        let configuration = try HostConfiguration.load(path: path, kinds: TestKinds.all, environment: [:])
        #expect((configuration.connectors[0].connector as? SQLiteKind.Configuration)?.sql.objectTypes[0].statements.update?.placeholders == [
            "FirstName", "ContosoLogin", "msDS-UserAccountDisabled", "ContosoLogin",
        ])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let service = try configuration.services(logger: logger)[0].service
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
                """), kinds: TestKinds.all, environment: [:])
        }
        let full = try #require(try load("    sqlite: hr.sqlite\n    sync: full").connectors[0].connector as? SQLiteKind.Configuration)
        #expect(full.synchronous == .full)
        let normal = try #require(try load("    sqlite: hr.sqlite").connectors[0].connector as? SQLiteKind.Configuration)
        #expect(normal.synchronous == .normal, "normal is the default")
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
            try HostConfiguration.load(path: unclosed, kinds: TestKinds.all, environment: [:])
        } throws: { error in
            "\(error)".hasPrefix("\(unclosed):9:54 ") && "\(error)".contains("'objectTypes.statements.insert'") && "\(error)".contains("is not closed")
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
            try HostConfiguration.load(path: unknown, kinds: TestKinds.all, environment: [:])
        } throws: { error in
            "\(error)".contains("unknown statement 'upsert'")
        }
    }

    /// A kind whose store cannot answer queries: the in-memory connector with its queries hidden.
    struct ImportOnlyKind: ConnectorKind {
        let store: InMemoryConnector
        var name: String { "importOnly" }
        var keys: [String] { [] }
        struct Configuration: ConnectorConfiguration {
            let store: InMemoryConnector
            func makeConnector(logger: Logger) throws(ConnectorError) -> any Connector { CacheOnly(store) }
        }
        func configuration(from entry: ConnectorSettings) throws(ConnectorSettings.Problem) -> any ConnectorConfiguration {
            Configuration(store: store)
        }
    }

    /// A connector that cannot answer queries is served from a local SQLite copy beside the
    /// configuration; `cache: true` keeps it in memory instead.
    @Test func aConnectorWithoutQueriesGetsALocalCache() async throws {
        let store = InMemoryConnector(objects: [ConnectorObject(objectType: "User", anchor: "u1", document: .object([("userName", .string("one@contoso.com"))]))])
        let kinds = ConnectorKinds([ImportOnlyKind(store: store)])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let path = try Self.write("""
            connectors:
              - name: WEB
                token: web-token-0000000
                kind: importOnly
              - name: MEM
                token: mem-token-0000000
                kind: importOnly
                cache: true
            """)
        let folder = (path as NSString).deletingLastPathComponent
        let services = try HostConfiguration.load(path: path, kinds: kinds, environment: [:]).services(logger: logger, cacheFolder: folder)
        let cached = try #require(services[0].service.connector as? LocallyCachedConnector)
        #expect(cached.path == folder + "/WEB.cache.sqlite")
        #expect(services[1].service.connector is CacheOnly)
        await services[0].service.importAll()
        let found = try await services[0].service.execute(.search(.user, filter: try Filter.parse(#"userName eq "one@contoso.com""#)), base: nil)
        #expect(found.body?.member("totalResults") == .number("1"))
        #expect(FileManager.default.fileExists(atPath: folder + "/WEB.cache.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/MEM.cache.sqlite"))
    }

    /// Kinds are found by name, registered by whoever runs the host: the configuration knows none.
    @Test func connectorKindsAreResolvedByName() async throws {
        let path = try Self.write("""
            connectors:
              - name: TRY
                token: try-token-0000000
                kind: memory
            """)
        let configuration = try HostConfiguration.load(path: path, kinds: TestKinds.all, environment: [:])
        #expect(configuration.connectors.map(\.kind) == ["memory"])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let service = try configuration.services(logger: logger)[0].service
        await service.importAll()
        let created = try await service.execute(.create(.user, try JSON.parse(#"{"userName":"kind@contoso.com"}"#)), base: nil)
        #expect(created.status == 201)

        // Without the kind registered, the same file is a located error naming the kinds there are.
        #expect {
            try HostConfiguration.load(path: path, kinds: ConnectorKinds([SQLiteKind()]), environment: [:])
        } throws: { "\($0)" == "\(path):4:11 (connector 1, 'kind'): unknown connector kind 'memory'; the kinds are 'sqlite'" }
        let two = try Self.write("""
            connectors:
              - name: TWO
                token: two-token-0000000
                sqlite: a.sqlite
                postgres: {user: a, database: a}
            """)
        #expect {
            try HostConfiguration.load(path: two, kinds: TestKinds.all, environment: [:])
        } throws: { "\($0)".contains("(connector 1, 'postgres'): the connector names two stores, 'sqlite' and 'postgres'") }
        let none = try Self.write("""
            connectors:
              - name: NONE
                token: none-token-0000000
            """)
        #expect {
            try HostConfiguration.load(path: none, kinds: TestKinds.all, environment: [:])
        } throws: { "\($0)".contains("the connector needs a store: one of 'sqlite', 'postgres', 'memory'") }
    }

    /// A misspelt key is an error where it is written, not a setting silently left at its default.
    @Test(arguments: [
        ("listen: 8080\nconnectors:\n  - {name: HR, token: hr-token-0000000, sqlite: hr.sqlite}",
         "1:1 (configuration, 'listen'): unknown key 'listen' in the configuration; the keys are 'connectors'"),
        ("connectors:\n  - name: HR\n    token: hr-token-0000000\n    sqlite: hr.sqlite\n    autosyncMinute: 5",
         "5:5 (connector 1, 'autosyncMinute'): unknown key 'autosyncMinute' in a connector of kind 'sqlite'; the keys are 'name', 'token', 'tokenFile', 'kind', 'deprovisioning', 'distinguishedName', 'autosyncMinutes', 'cache', 'sqlite', 'sync', 'setUp', 'objectTypes'"),
        ("connectors:\n  - name: HR\n    token: hr-token-0000000\n    sqlite: hr.sqlite\n    cache: yes",
         "5:12 (connector 1, 'cache'): 'cache' is true or false"),
        ("connectors:\n  - name: HR\n    token: hr-token-0000000\n    sqlite: hr.sqlite\n    autosyncMinutes: soon",
         "5:22 (connector 1, 'autosyncMinutes'): 'autosyncMinutes' is a whole number of minutes, at least 1"),
        ("connectors:\n  - name: HR\n    token: hr-token-0000000\n    sqlite: hr.sqlite\n    deprovisioning: {disabel: none}",
         "5:22 (connector 1, 'deprovisioning.disabel'): unknown key 'disabel' in 'deprovisioning'; the keys are 'disable', 'delete'"),
        ("connectors:\n  - name: HR\n    token: hr-token-0000000\n    token: hr-token-1111111\n    sqlite: hr.sqlite",
         "3:5: the key 'token' is written twice in one map"),
    ] as [(String, String)])
    func aMistakeInTheConfigurationIsLocated(text: String, message: String) throws {
        let path = try Self.write(text)
        #expect { try HostConfiguration.load(path: path, kinds: TestKinds.all, environment: [:]) } throws: { "\($0)" == "\(path):\(message)" }
    }
}
