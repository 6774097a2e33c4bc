import Foundation
import JSONValues

/// The SCIM host load benchmark: the same bounded load against `attrmap serve` (the embedded
/// SQLite connector) and against the peer `scim2-server`, in the same run, on loopback. Phases:
/// POST users, GET by `userName eq`, an Entra-shaped PATCH, DELETE; with N concurrent clients.
///
///     ./Scripts/load-benchmark.sh            # builds, installs the peer, runs this
///     attrmap-benchmark scim-load --attrmap .build/release/attrmap --peer PATH/scim2-server [--users 2000] [--clients 8] [--sync normal|full]
enum LoadBenchmark {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    struct Target {
        var name: String
        var base: String
        var token: String
        var process: Process
    }

    struct PhaseResult {
        var name: String
        var requests: Int
        var errors: Int
        var seconds: Double
        var latencies: [Double]

        var rate: Double { Double(requests) / seconds }
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }

    static func main(_ arguments: [String]) async {
        let usage = "usage: attrmap-benchmark scim-load --attrmap PATH --peer PATH/scim2-server [--users 2000] [--clients 8] [--sync normal|full]"
        let options = benchmarkOptions(arguments, defaults: ["users": "2000", "clients": "8"], usage: usage)
        guard let attrmap = options["attrmap"], let peer = options["peer"],
            let users = Int(options["users"]!), let clients = Int(options["clients"]!)
        else {
            fail(usage)
        }
        let token = "load-benchmark-token-\(UInt32.random(in: 0...UInt32.max))"
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-load-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: data) }

        say("SCIM host load benchmark — \(users) users per phase, \(clients) concurrent clients, loopback, attrmap with --sync \(options["sync"] ?? "normal")\n")
        var results: [String: [PhaseResult]] = [:]
        let only = options["only"]
        for which in ["attrmap", "scim2-server"] where only == nil || only == which {
            let target: Target
            do {
                if which == "attrmap", let url = options["url"] {
                    // An attrmap host already running (for profiling it on its own).
                    let process = Process()
                    target = Target(name: which, base: url, token: options["token"] ?? token, process: process)
                } else {
                    target = which == "attrmap"
                        ? try startAttrmap(attrmap, data: data, token: token, sync: options["sync"] ?? "normal")
                        : try startPeer(peer, token: token)
                }
            } catch {
                fail("cannot start \(which): \(error)")
            }
            FileHandle.standardError.write(Data("\(which) at \(target.base)\n".utf8))
            do {
                results[which] = try run(target, users: users, clients: clients)
            } catch {
                target.process.terminate()
                fail("\(which): \(error)")
            }
            // scim2-server keeps running on SIGTERM; it holds nothing worth a graceful stop.
            if target.process.processIdentifier != 0 {
                if which == "attrmap" { target.process.terminate() } else { kill(target.process.processIdentifier, SIGKILL) }
                target.process.waitUntilExit()
            }
        }

        say(pad("phase", 8, left: true) + pad("server", 14, left: true) + pad("req/s", 10) + pad("p50 ms", 9) + pad("p99 ms", 9) + pad("errors", 8))
        let ours = results["attrmap"] ?? [], theirs = results["scim2-server"] ?? []
        if only != nil {
            for result in ours + theirs {
                say(pad(result.name, 8, left: true) + pad(only!, 14, left: true) + pad(String(format: "%.0f", result.rate), 10)
                    + pad(String(format: "%.2f", result.percentile(0.5) * 1000), 9) + pad(String(format: "%.2f", result.percentile(0.99) * 1000), 9)
                    + pad(String(result.errors), 8))
            }
        }
        for (mine, peer) in zip(ours, theirs) {
            for (label, result) in [("attrmap", mine), ("scim2-server", peer)] {
                say(pad(result.name, 8, left: true) + pad(label, 14, left: true) + pad(String(format: "%.0f", result.rate), 10)
                    + pad(String(format: "%.2f", result.percentile(0.5) * 1000), 9) + pad(String(format: "%.2f", result.percentile(0.99) * 1000), 9)
                    + pad(String(result.errors), 8))
            }
            say(pad("", 8, left: true) + "ratio: \(String(format: "%.1f", mine.rate / max(peer.rate, 0.001)))× the peer's throughput\n")
        }
        if ours.contains(where: { $0.errors > 0 }) { fail("attrmap answered some requests with an error status") }
    }

    static func startAttrmap(_ binary: String, data: String, token: String, sync: String) throws -> Target {
        try startAttrmap(binary, arguments: ["--data", data, "--token", token, "--sync", sync], token: token)
    }

    /// `attrmap serve` with `arguments` (a store and a token), on a port of the kernel's choosing.
    static func startAttrmap(_ binary: String, arguments: [String], token: String) throws -> Target {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0", "--log-level", "error"] + arguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { throw NSError(domain: "attrmap", code: 1, userInfo: [NSLocalizedDescriptionKey: seen]) }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: #"http://127\.0\.0\.1:\d+/ecma2host_APP1/scim"#, options: .regularExpression) {
                return Target(name: "attrmap", base: String(seen[range]), token: token, process: process)
            }
        }
    }

    static func startPeer(_ binary: String, token: String) throws -> Target {
        let port = freePort() ?? Int.random(in: 20000...40000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--hostname", "127.0.0.1", "--port", String(port), "--bearer-token", token]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return Target(name: "scim2-server", base: "http://127.0.0.1:\(port)", token: token, process: process)
    }

    /// A loopback port nothing listens on now: the kernel's pick for a socket bound to port 0.
    static func freePort() -> Int? {
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { return nil }
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(probe, $0, length) == 0 && getsockname(probe, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// Sends one request on `connection`; the status and the body.
    static func send(_ connection: HTTPConnection, _ target: Target, _ method: String, _ path: String, body: String? = nil) throws -> (Int, [UInt8]) {
        let prefix = URLComponents(string: target.base)?.path ?? ""
        var headers = [("Authorization", "Bearer \(target.token)")]
        if body != nil { headers.append(("Content-Type", "application/scim+json")) }
        return try connection.send(method, prefix + path, headers: headers, body: body)
    }

    static func run(_ target: Target, users: Int, clients: Int) throws -> [PhaseResult] {
        // Wait until the server answers (and, for attrmap, has imported).
        let probe = try HTTPConnection(url: target.base)
        var ready = false
        for _ in 0..<300 {
            if let (status, _) = try? send(probe, target, "GET", "/ServiceProviderConfig"), status == 200,
                let (list, _) = try? send(probe, target, "GET", "/Users?count=1"), list == 200
            {
                ready = true
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        guard ready else { throw NSError(domain: target.name, code: 2, userInfo: [NSLocalizedDescriptionKey: "\(target.name) did not become ready"]) }

        // One keep-alive connection per client, for every phase.
        let connections = try (0..<clients).map { _ in try HTTPConnection(url: target.base) }
        let run = UInt32.random(in: 0...UInt32.max)
        @Sendable func userName(_ i: Int) -> String { "load-\(run)-\(i)@contoso.com" }
        let ids = IDs(count: users)
        var results: [PhaseResult] = []
        results.append(phase("POST", users, connections) { connection, i in
            let body = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"\#(userName(i))","externalId":"ext-\#(i)","active":true,"displayName":"Load User \#(i)","name":{"givenName":"Load","familyName":"User \#(i)"},"emails":[{"primary":true,"type":"work","value":"\#(userName(i))"}]}"#
            let (status, bytes) = try send(connection, target, "POST", "/Users", body: body)
            if status == 201, let id = (try? JSON.parse(bytes))?["id"]?.stringValue { ids.set(i, id) }
            return status == 201
        })
        results.append(phase("GET", users, connections) { connection, i in
            let filter = "userName%20eq%20%22\(userName(i))%22"
            let (status, bytes) = try send(connection, target, "GET", "/Users?filter=\(filter)")
            return status == 200 && String(decoding: bytes, as: UTF8.self).contains(userName(i))
        })
        results.append(phase("PATCH", users, connections) { connection, i in
            guard let id = ids.get(i) else { return false }
            let body = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Renamed \#(i)"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"renamed-\#(userName(i))"},{"op":"Replace","path":"active","value":"False"}]}"#
            let (status, _) = try send(connection, target, "PATCH", "/Users/\(id)", body: body)
            return status == 200 || status == 204
        })
        results.append(phase("DELETE", users, connections) { connection, i in
            guard let id = ids.get(i) else { return false }
            let (status, _) = try send(connection, target, "DELETE", "/Users/\(id)")
            return status == 204
        })
        return results
    }

    /// Runs `count` requests with one thread per connection; latency per request.
    static func phase(_ name: String, _ count: Int, _ connections: [HTTPConnection], _ request: @escaping @Sendable (HTTPConnection, Int) throws -> Bool) -> PhaseResult {
        let next = Counter()
        FileHandle.standardError.write(Data("  \(name)…\n".utf8))
        let clock = ContinuousClock()
        let start = clock.now
        let collected = Collected()
        let done = DispatchGroup()
        for connection in connections {
            done.enter()
            let worker = Thread { [unchecked = UncheckedConnection(connection)] in
                var latencies: [Double] = []
                var errors = 0
                while let i = next.take(below: count) {
                    let begin = clock.now
                    let ok = (try? request(unchecked.connection, i)) ?? false
                    let elapsed = begin.duration(to: clock.now)
                    latencies.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                    if !ok { errors += 1 }
                }
                collected.add(latencies, errors)
                done.leave()
            }
            worker.start()
        }
        done.wait()
        let elapsed = start.duration(to: clock.now)
        let (latencies, errors) = collected.result
        return PhaseResult(name: name, requests: count, errors: errors, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, latencies: latencies)
    }

    /// A connection handed to the one thread that uses it.
    struct UncheckedConnection: @unchecked Sendable {
        var connection: HTTPConnection
        init(_ connection: HTTPConnection) { self.connection = connection }
    }

    final class Collected: @unchecked Sendable {
        private var latencies: [Double] = []
        private var errors = 0
        private let lock = NSLock()
        func add(_ more: [Double], _ moreErrors: Int) { lock.lock(); latencies += more; errors += moreErrors; lock.unlock() }
        var result: ([Double], Int) { lock.lock(); defer { lock.unlock() }; return (latencies, errors) }
    }

    final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func take(below limit: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard value < limit else { return nil }
            value += 1
            return value - 1
        }
    }

    final class IDs: @unchecked Sendable {
        private var values: [String?]
        private let lock = NSLock()
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ id: String) { lock.lock(); values[i] = id; lock.unlock() }
        func get(_ i: Int) -> String? { lock.lock(); defer { lock.unlock() }; return values[i] }
    }
}

/// Prints a line at once, even to a pipe.
func say(_ line: String = "") {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
