import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import AttrmapTesting
import LocalPostgreSQL
import Spawning
import Testing

/// `attrmap serve`, the real binary on loopback: no configuration, a user created and read back,
/// and an acknowledged write that survives `kill -9`.
struct ServeCommandTests {
    final class Server: Sendable {
        let process: ChildProcess
        let port: Int
        private let log = ChildProcess.Collected()
        private let logEnd: ChildProcess.Reader

        /// The connector requests go to.
        let connector: String

        /// Starts `attrmap serve` on a port of the kernel's choosing; `arguments` replace the
        /// default connector's (`--data`, `--token`) when a configuration is given.
        init(
            data: String, token: String?, logLevel: String = "warning", extra: [String] = [], connector: String = "APP1",
            arguments: [String]? = nil, environment extraEnvironment: [String: String] = [:]
        ) throws {
            self.connector = connector
            var environment = ProcessInfo.processInfo.environment
            environment["ATTRMAP_TOKEN"] = nil
            for (name, value) in extraEnvironment { environment[name] = value }
            process = try ChildProcess(
                CLITests.binary.path,
                ["serve", "--port", "0", "--log-level", logLevel] + (arguments ?? ["--data", data] + (token.map { ["--token", $0] } ?? [])) + extra,
                environment: environment, error: .pipe)
            logEnd = log.reading(process.standardError!)
            // The server says where it listens once it does.
            let deadline = Date().addingTimeInterval(30)
            var found: Int?
            while found == nil, Date() < deadline {
                let seen = log.text
                if let range = seen.range(of: #"https?://127\.0\.0\.1:(\d+)/ecma2host_"# + connector + "/scim", options: .regularExpression) {
                    found = Int(seen[range].split(separator: ":")[2].split(separator: "/")[0])
                } else if !process.isRunning {
                    break
                } else {
                    Thread.sleep(forTimeInterval: 0.02)
                }
            }
            guard let found else {
                process.stop()
                throw ServerError(output: log.text)
            }
            port = found
        }

        /// What it wrote to standard error so far.
        var output: String { log.text }

        struct ServerError: Error { var output: String }

        func kill() {
            process.signal(SIGKILL)
            process.wait()
        }

        func stop() {
            process.signal(SIGTERM)
            process.wait()
        }

        /// Stops the server and returns everything it wrote to standard error.
        func stopAndReadLog() -> String {
            stop()
            logEnd.wait()
            return log.text
        }

        func send(_ method: String, _ path: String, token: String, body: String? = nil) async throws -> (Int, String) {
            // The first requests may meet the import still running: 503, retry.
            for _ in 0..<50 {
                let (status, text) = try await sendOnce(method, path, token: token, body: body)
                if status != 503 { return (status, text) }
                try await Task.sleep(for: .milliseconds(100))
            }
            return (503, "")
        }

        /// One request, its status and body, whatever the status.
        func sendOnce(_ method: String, _ path: String, token: String, body: String? = nil) async throws -> (Int, String) {
            let (status, text, _) = try await sendWithHeaders(method, path, token: token, body: body)
            return (status, text)
        }

        /// One request, whatever the status: the status, the body and the response's headers.
        func sendWithHeaders(_ method: String, _ path: String, token: String, body: String? = nil) async throws -> (Int, String, [String: String]) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/ecma2host_\(connector)/scim\(path)")!)
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            request.setValue("application/scim+json", forHTTPHeaderField: "Content-Type")
            request.httpBody = body.map { Data($0.utf8) }
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = response as? HTTPURLResponse
            var headers: [String: String] = [:]
            for (name, value) in http?.allHeaderFields ?? [:] { headers["\(name)"] = "\(value)" }
            return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), headers)
        }

        /// Sends SIGTERM, as a service manager does, and waits for the exit: its status and how long it took.
        func terminate() async -> (status: Int32, after: Duration) {
            let signalled = ContinuousClock.now
            process.signal(SIGTERM)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
            return (process.wait().status, signalled.duration(to: .now))
        }
    }

    /// A configuration file for one connector, APP1, on the embedded default's tables of
    /// `postgres`; its path.
    static func postgresConfiguration(_ postgres: PostgresServer, token: String) throws -> String {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
            connectors:
              - name: APP1
                token: \(token)
                postgres: {host: 127.0.0.1, port: \(postgres.port), user: \(postgres.user), database: postgres}
            """.write(toFile: folder + "/serve.yaml", atomically: true, encoding: .utf8)
        return folder + "/serve.yaml"
    }

    static func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-serve-\(UUID().uuidString)").path
    }

    @Test func servesWithNoConfigurationAndKeepsAcknowledgedWrites() async throws {
        let data = Self.temporaryFolder()
        let server = try Server(data: data, token: nil)
        // No token given: one is generated, stored and printed once.
        let token = try String(contentsOfFile: data + "/APP1.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.count >= 12)
        #expect(server.output.contains(token))
        let attributes = try FileManager.default.attributesOfItem(atPath: data + "/APP1.token")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let (status, body) = try await server.send("POST", "/Users", token: token, body: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@contoso.com","active":true}"#)
        #expect(status == 201, "\(body)")
        server.kill()

        let restarted = try Server(data: data, token: nil)
        defer { restarted.stop() }
        #expect(!restarted.output.contains(token))
        let (found, list) = try await restarted.send("GET", "/Users?filter=userName+eq+%22bjensen@contoso.com%22", token: token)
        #expect(found == 200)
        #expect(list.contains(#""totalResults":1"#))
        #expect(try await restarted.send("GET", "/Users", token: "wrong-token-0000").0 == 401)
    }

    @Test func aConnectorItsStoreRefusesStopsTheCommand() async throws {
        let folder = Self.temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
            connectors:
              - name: HR
                token: hr-token-0000000
                sqlite: hr.sqlite
                setUp: CREATE TABLE IF NOT EXISTS People (login TEXT PRIMARY KEY NOT NULL, first TEXT)
                objectTypes:
                  - table: People
                    anchor: login
                    statements: {insert: "INSERT INTO People (login, first) VALUES (@login, @GivenName)"}
            """.write(toFile: folder + "/serve.yaml", atomically: true, encoding: .utf8)
        let process = try ChildProcess(
            CLITests.binary.path, ["serve", "--config", folder + "/serve.yaml", "--port", "0", "--log-level", "critical"], error: .pipe)
        let log = ChildProcess.Collected()
        let logEnd = log.reading(process.standardError!)
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            process.signal(SIGTERM)
            Issue.record("serve kept running with a connector it cannot start")
        }
        let termination = process.wait()
        logEnd.wait()
        let output = log.text
        #expect(termination == .exited(65))
        #expect(output.contains("connector HR cannot start: the insert statement of User names @GivenName"))
    }

    @Test func logsEachRequestWithAnIDAndNoSecret() async throws {
        let token = "a-very-secret-token-4711"
        let server = try Server(data: Self.temporaryFolder(), token: token, logLevel: "info")
        let password = "Pa55-w0rd-never-logged"
        let (status, _) = try await server.send(
            "POST", "/Users", token: token,
            body: #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"logged@contoso.com","password":"\#(password)"}"#)
        #expect(status == 201)
        #expect(try await server.send("GET", "/Users", token: "wrong-token-but-long").0 == 401)
        let log = server.stopAndReadLog()
        #expect(log.contains("POST /ecma2host_APP1/scim/Users 201"))
        #expect(log.contains("GET /ecma2host_APP1/scim/Users 401"))
        // The connector's line about the create carries the id of the request that made it.
        func requestID(_ line: Substring?) -> Substring? {
            line?.split(separator: " ").first { $0.hasPrefix("request=") }
        }
        let lines = log.split(separator: "\n")
        let created = requestID(lines.first { $0.contains("created") && $0.contains("type=User") })
        #expect(created != nil)
        #expect(created == requestID(lines.first { $0.contains("POST /ecma2host_APP1/scim/Users 201") }))
        #expect(!log.contains(token))
        #expect(!log.contains(password))
        #expect(!log.contains("wrong-token-but-long"))
    }

    @Test func servesHTTPSWithTheCertificateAttrmapCertMakes() async throws {
        let folder = Self.temporaryFolder()
        let made = try CLITests().run(["cert", "--host", "localhost", "--out", folder])
        #expect(made.status == 0)
        let certificate = folder + "/localhost.cert.pem", key = folder + "/localhost.key.pem"
        #expect(made.stdout == "certificate: \(certificate)\nprivate key: \(key)\n")
        #expect((try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int) == 0o600)
        let token = "https-token-0123456789"
        let server = try Server(data: folder + "/data", token: token, extra: ["--cert", certificate, "--key", key])
        defer { server.stop() }
        #expect(server.output.contains("https://127.0.0.1:\(server.port)/ecma2host_APP1/scim"))
        func curl(_ arguments: [String]) throws -> String {
            String(decoding: try ChildProcess.run("/usr/bin/curl", ["-s", "-w", "\n%{http_code}"] + arguments).output, as: UTF8.self)
        }
        let url = "https://localhost:\(server.port)/ecma2host_APP1/scim/Users"
        // Trusting the certificate, whose subject alternative name is the host name: 201.
        let created = try curl(["--cacert", certificate, "-H", "Authorization: Bearer \(token)", "-d", #"{"userName":"tls@contoso.com"}"#, url])
        #expect(created.hasSuffix("\n201"), "\(created)")
        // Without trusting it, the TLS handshake fails (curl reports status 000).
        #expect(try curl([url]).hasSuffix("\n000"))
    }

    @Test func refusesShortTokens() throws {
        let output = try CLITests().run(["serve", "--token", "short"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("at least 12 characters"))
    }
}
