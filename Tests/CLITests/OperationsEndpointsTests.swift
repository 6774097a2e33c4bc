import Foundation
import LocalPostgreSQL
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import AttrmapTesting
import Testing

/// `/health`, `/ready` and `/metrics` of the real binary: answered without a token, in the
/// formats orchestrators and Prometheus read, and never naming an object, a value, a token or a
/// secret.
@Suite(.serialized)
struct OperationsEndpointsTests {
    typealias Server = ServeCommandTests.Server

    static func get(_ port: Int, _ path: String) async throws -> (Int, String, String?) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), http?.value(forHTTPHeaderField: "Content-Type"))
    }

    @Test func healthReadyAndMetricsNeedNoTokenAndRevealNothing() async throws {
        let data = ServeCommandTests.temporaryFolder()
        let token = "operations-token-0123456789"
        let server = try Server(data: data, token: token)
        defer { server.stop() }
        let secrets = ["olivia.secret@contoso.com", "Olivia Hidden-Name", "Pa55w0rd-never-shown", token, "made-up-connector", "id-from-a-client"]
        let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(secrets[0])","displayName":"\#(secrets[1])","password":"\#(secrets[2])"}"#
        let (created, user) = try await server.send("POST", "/Users", token: token, body: body)
        #expect(created == 201)
        let id = try #require((try JSONSerialization.jsonObject(with: Data(user.utf8)) as? [String: Any])?["id"] as? String)
        #expect(try await server.send("GET", "/Users/\(id)", token: token).0 == 200)
        #expect(try await server.send("GET", "/Users?filter=userName%20eq%20%22\(secrets[0])%22", token: token).0 == 200)
        #expect(try await server.send("GET", "/Users/no-such-user", token: token).0 == 404)
        #expect(try await server.send("GET", "/Users", token: "wrong-token-0123456789").0 == 401)
        // Paths a client makes up are no labels.
        _ = try await Self.get(server.port, "/ecma2host_\(secrets[4])/scim/Users/\(secrets[5])")

        let (health, healthText, _) = try await Self.get(server.port, "/health")
        #expect(health == 200 && healthText == "ok\n")
        let (ready, readyText, _) = try await Self.get(server.port, "/ready")
        #expect(ready == 200 && readyText == "ready\n")
        let (status, metrics, contentType) = try await Self.get(server.port, "/metrics")
        #expect(status == 200)
        #expect(contentType?.hasPrefix("text/plain; version=0.0.4") == true)
        for line in [
            #"attrmap_http_requests_total{connector="APP1",route="/Users",method="POST",status="201"} 1"#,
            #"attrmap_http_requests_total{connector="APP1",route="/Users/{id}",method="GET",status="200"} 1"#,
            #"attrmap_http_requests_total{connector="APP1",route="/Users/{id}",method="GET",status="404"} 1"#,
            #"attrmap_http_requests_total{connector="APP1",route="/Users",method="GET",status="401"} 1"#,
            #"attrmap_connector_calls_total{connector="APP1",operation="create",outcome="ok"} 1"#,
            #"attrmap_connector_calls_total{connector="APP1",operation="setPassword",outcome="ok"} 1"#,
        ] {
            #expect(metrics.contains(line), "missing: \(line)")
        }
        for name in ["attrmap_http_request_duration_seconds_bucket", "attrmap_connector_call_duration_seconds_bucket", "attrmap_objects{",
                     "attrmap_import_duration_seconds{", "attrmap_import_last_success_timestamp_seconds{"] {
            #expect(metrics.contains(name), "missing: \(name)")
        }
        for secret in secrets + [id, data] {
            for (endpoint, text) in [("/metrics", metrics), ("/health", healthText), ("/ready", readyText)] {
                #expect(!text.contains(secret), "\(endpoint) shows '\(secret)'")
            }
        }
        // The log says nothing of them either.
        let log = server.stopAndReadLog()
        for secret in [secrets[2], token] { #expect(!log.contains(secret), "the log shows '\(secret)'") }
    }

    @Test func readyIsUnavailableWhileTheStoreIsAway() async throws {
        let postgres = try PostgresServer()
        defer { postgres.stop() }
        let configuration = try ServeCommandTests.postgresConfiguration(postgres, token: "operations-token-0123456789")
        let server = try Server(data: (configuration as NSString).deletingLastPathComponent, token: nil, arguments: ["--config", configuration])
        defer { server.stop() }
        var status = 0
        for _ in 0..<100 where status != 200 {
            status = try await Self.get(server.port, "/ready").0
            if status != 200 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(status == 200)
        try postgres.pause()
        let (away, text, _) = try await Self.get(server.port, "/ready")
        #expect(away == 503, "\(text)")
        #expect(text == "not ready: APP1\n")
        #expect(try await Self.get(server.port, "/health").0 == 200, "the process is up whatever its store")
        try postgres.resume()
        status = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while status != 200, ContinuousClock.now < deadline {
            status = try await Self.get(server.port, "/ready").0
            if status != 200 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(status == 200, "not ready again once the store was back")
    }
}
