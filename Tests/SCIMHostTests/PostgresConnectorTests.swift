import Connectors
import Foundation
import JSONValues
import Logging
import SQLConnector
import ServiceLifecycle
import HostSetup
import SCIM
import ConnectorHost
import SCIMHost
import Testing

/// A real PostgreSQL server from Debian's packages, started on loopback in a temporary folder for
/// the duration of a test (as the `postgres` user when the tests run as root, as CI does).
final class PostgresServer: @unchecked Sendable {
    let folder: String
    let port: Int
    let user = "attrmap"
    private let binaries: String

    init() throws {
        let fileManager = FileManager.default
        let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted() ?? []
        guard let version = versions.last else {
            throw Failure("PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run does it)")
        }
        binaries = "/usr/lib/postgresql/\(version)/bin"
        folder = fileManager.temporaryDirectory.appendingPathComponent("attrmap-pg-\(UUID().uuidString)").path
        port = Int.random(in: 30000...39999)
        try fileManager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if getuid() == 0 {
            try fileManager.setAttributes([.ownerAccountName: "postgres", .groupOwnerAccountName: "postgres"], ofItemAtPath: folder)
        }
        try run("initdb", ["-D", folder + "/data", "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"])
        try run("pg_ctl", ["-D", folder + "/data", "-w", "-l", folder + "/log", "-o", "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs a PostgreSQL tool and waits for it. Spawned directly (not through Foundation's
    /// Process, which would wait for the server that pg_ctl leaves running to close the pipe it
    /// inherited), output to a file.
    private func run(_ tool: String, _ arguments: [String]) throws {
        let executable = getuid() == 0 ? "/usr/sbin/runuser" : "\(binaries)/\(tool)"
        let argv = (getuid() == 0 ? ["runuser", "-u", "postgres", "--", "\(binaries)/\(tool)"] : [tool]) + arguments
        let log = folder + "/\(tool).out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw Failure("cannot start \(tool): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard status == 0 else { throw Failure("\(tool) failed: \(text)") }
    }

    func stop() {
        try? run("pg_ctl", ["-D", folder + "/data", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    var endpoint: PostgresConnector.Endpoint {
        .init(host: "127.0.0.1", port: port, username: user, database: "postgres")
    }
}

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
        let connector = PostgresConnector(endpoint: server.endpoint, configuration: ConnectorSuiteTests.employeesConfiguration, logger: logger)
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

            let sample = try ConnectorSuiteTests.make(.sqliteConfigured).sample
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let second = PostgresConnector(endpoint: server.endpoint, configuration: ConnectorSuiteTests.employeesConfiguration, logger: logger)
            let secondRun = Task { try? await second.run() }
            defer { secondRun.cancel() }
            try await ConnectorSuiteTests.writesReadsAndSurvivesReopening(connector, sample: sample, changing: "Email", reopen: { second })

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

            let sample = try ConnectorSuiteTests.make(.sqliteConfigured).sample
            try await ConnectorSuiteTests.writesReadsAndSurvivesReopening(connector, sample: sample, changing: "Email", reopen: { connector })
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

