import Foundation
import LocalPostgreSQL
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import AttrmapTesting
import Testing

/// Three `attrmap serve` processes with one PostgreSQL-backed connector serve one application
/// together, as behind a load balancer: what one writes the others read at once, one `userName`
/// is created once whichever hosts are asked, and a host killed in a burst of writes loses no
/// acknowledged write while the others go on.
@Suite(.serialized)
struct MultiHostTests {
    typealias Server = ServeCommandTests.Server

    static let token = "multi-host-token-0123456789"

    static func user(_ name: String) -> String {
        #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(name)","displayName":"\#(name)"}"#
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    actor Names {
        var names: [String] = []
        func add(_ name: String) { names.append(name) }
    }

    @Test func threeHostsServeOneStoreTogether() async throws {
        let postgres = try PostgresServer()
        defer { postgres.stop() }
        let configuration = try ServeCommandTests.postgresConfiguration(postgres, token: Self.token)
        let hosts = try (0..<3).map { _ in try Server(data: (configuration as NSString).deletingLastPathComponent, token: nil, arguments: ["--config", configuration]) }
        defer { for host in hosts { host.stop() } }

        // Created through one, found by the others at once: by id and by the matching query.
        let (created, body) = try await hosts[0].send("POST", "/Users", token: Self.token, body: Self.user("ann@contoso.com"))
        #expect(created == 201, "\(body)")
        let id = try #require(Self.json(body)["id"] as? String)
        for host in hosts.dropFirst() {
            #expect(try await host.send("GET", "/Users/\(id)", token: Self.token).0 == 200)
            let (found, list) = try await host.send("GET", "/Users?filter=userName%20eq%20%22ANN%40contoso.com%22", token: Self.token)
            #expect(found == 200)
            #expect(Self.json(list)["totalResults"] as? Int == 1, "\(list)")
        }

        // The same userName sent to every host at once, ten times over: one 201 each time.
        for round in 0..<10 {
            let name = "race-\(round)@contoso.com"
            let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for host in hosts + hosts {
                    group.addTask { try await host.sendOnce("POST", "/Users", token: Self.token, body: Self.user(name)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 1, "round \(round): \(statuses.map(\.0))")
            for (status, text) in statuses where status != 201 {
                #expect(status == 409, "\(text)")
                #expect(Self.json(text)["scimType"] as? String == "uniqueness", "\(text)")
            }
        }

        // A PATCH through one host is what another reads.
        let patch = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Ann Renamed"}]}"#
        #expect(try await hosts[1].send("PATCH", "/Users/\(id)", token: Self.token, body: patch).0 == 200)
        #expect(Self.json(try await hosts[2].send("GET", "/Users/\(id)", token: Self.token).1)["displayName"] as? String == "Ann Renamed")

        // A host killed in the middle of a burst of writes: every write it acknowledged is in
        // the store, and the others go on serving.
        let acknowledged = Names()
        let writers = Task {
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<6 {
                    group.addTask {
                        for index in 0..<100_000 {
                            let name = "burst-\(client)-\(index)@contoso.com"
                            guard let (status, _) = try? await hosts[0].sendOnce("POST", "/Users", token: Self.token, body: Self.user(name)) else { return }
                            if status == 201 { await acknowledged.add(name) } else { return }
                        }
                    }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(1500))
        hosts[0].kill()
        await writers.value
        let names = await acknowledged.names
        #expect(names.count > 10, "too few writes before the kill to tell anything: \(names.count)")
        for name in names {
            let encoded = name.replacingOccurrences(of: "@", with: "%40")
            let (status, list) = try await hosts[1].send("GET", "/Users?filter=userName%20eq%20%22\(encoded)%22", token: Self.token)
            #expect(status == 200 && Self.json(list)["totalResults"] as? Int == 1, "acknowledged but not stored: \(name)")
        }
        #expect(try await hosts[2].send("POST", "/Users", token: Self.token, body: Self.user("after-the-kill@contoso.com")).0 == 201)
        #expect(try await hosts[1].send("GET", "/Users/\(id)", token: Self.token).0 == 200)
    }
}
