import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import AttrmapTesting
import Testing

/// `attrmap serve` stopped as a service manager stops it (SIGTERM): the server finishes the
/// requests in flight, the caches and the connectors stop in turn, every acknowledged write is
/// kept, and the process exits 0 within 10 seconds, whatever it was doing.
@Suite(.serialized)
struct ServeShutdownTests {
    typealias Server = ServeCommandTests.Server

    /// The names of the users whose create was acknowledged.
    actor Acknowledged {
        var names: [String] = []
        func add(_ name: String) { names.append(name) }
    }

    @Test func sigtermDuringABurstOfWritesKeepsEveryAcknowledgedOne() async throws {
        let data = ServeCommandTests.temporaryFolder()
        let token = "shutdown-token-0123456789"
        let server = try Server(data: data, token: token)
        #expect(try await server.send("GET", "/Users", token: token).0 == 200)
        let acknowledged = Acknowledged()
        // Eight clients create users as fast as they are answered, until the server is gone.
        let writers = Task {
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<8 {
                    group.addTask {
                        for index in 0..<100_000 {
                            let name = "burst-\(client)-\(index)@contoso.com"
                            let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(name)"}"#
                            guard let (status, _) = try? await server.sendOnce("POST", "/Users", token: token, body: body) else { return }
                            if status == 201 { await acknowledged.add(name) } else if status != 503 { return }
                        }
                    }
                }
            }
        }
        // The signal comes once writes are flowing (on a loaded machine that can take a while).
        let flowing = ContinuousClock.now + .seconds(20)
        while await acknowledged.names.count < 20, ContinuousClock.now < flowing { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(200))
        let (status, after) = await server.terminate()
        await writers.value
        #expect(status == 0)
        #expect(after < .seconds(10), "the shutdown took \(after)")
        let names = await acknowledged.names
        #expect(names.count > 8, "too few writes before the signal to tell anything: \(names.count)")

        let restarted = try Server(data: data, token: token)
        defer { restarted.stop() }
        let (listed, list) = try await restarted.send("GET", "/Users?count=100000&attributes=userName", token: token)
        #expect(listed == 200)
        let stored = Set((try? JSONSerialization.jsonObject(with: Data(list.utf8)) as? [String: Any])?["Resources"]
            .flatMap { $0 as? [[String: Any]] }?.compactMap { $0["userName"] as? String } ?? [])
        let lost = names.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "acknowledged but not stored: \(lost.prefix(5))")
    }

    /// A store large enough that its first import (into the memory cache, `cache: true`) is still
    /// running when the signal comes.
    @Test func sigtermDuringTheFirstImportStopsAtOnce() async throws {
        let folder = ServeCommandTests.temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let token = "import-token-0123456789"
        try """
            connectors:
              - name: BIG
                token: \(token)
                sqlite: big.sqlite
                setUp: |
                  CREATE TABLE IF NOT EXISTS people (login TEXT PRIMARY KEY NOT NULL, displayName TEXT, city TEXT);
                  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400000)
                    INSERT OR IGNORE INTO people SELECT 'user' || i, 'User ' || i, 'Lisbon' FROM n
                objectTypes:
                  - {objectType: User, table: people, anchor: login}
                cache: true
            """.write(toFile: folder + "/serve.yaml", atomically: true, encoding: .utf8)
        let server = try Server(data: folder, token: nil, logLevel: "info", connector: "BIG", arguments: ["--config", folder + "/serve.yaml"])
        let (importing, _) = try await server.sendOnce("GET", "/Users?count=1", token: token)
        #expect(importing == 503, "the import was over before the signal; the store is too small to test this")
        let (status, after) = await server.terminate()
        #expect(status == 0)
        #expect(after < .seconds(10), "the shutdown took \(after)")
        let log = server.stopAndReadLog()
        #expect(log.contains("full import cancelled"), "\(log.suffix(2000))")
    }
}
