import Foundation
package import SQLConnector
import Spawning

/// A real PostgreSQL server from Debian's packages, started on loopback in a temporary folder for
/// the duration of a test (as the `postgres` user when the tests run as root, as CI does).
package final class PostgresServer: @unchecked Sendable {
    package let folder: String
    /// Chosen at start, then fixed.
    package private(set) var port: Int
    package let user = "attrmap"
    private let binaries: String

    package init() throws {
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
        // A random port may be taken (by an outgoing connection's ephemeral port, or another
        // server starting at the same moment): the server then stops at once; another port is tried.
        var attempt = 0
        while true {
            do {
                try run("pg_ctl", ["-D", folder + "/data", "-w", "-l", folder + "/log", "-o", "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
                break
            } catch {
                attempt += 1
                if attempt == 5 { throw error }
                port = Int.random(in: 30000...39999)
            }
        }
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs a PostgreSQL tool and waits for it, output to a file (a pipe would stay open as
    /// long as the server that pg_ctl leaves running). The server inherits no descriptor of this
    /// process: else it would keep copies of the sockets open at that moment, and a connection
    /// another test closed would stay open for its peer.
    private func run(_ tool: String, _ arguments: [String]) throws {
        let executable = getuid() == 0 ? "/usr/sbin/runuser" : "\(binaries)/\(tool)"
        let argv = (getuid() == 0 ? ["-u", "postgres", "--", "\(binaries)/\(tool)"] : []) + arguments
        let log = folder + "/\(tool).out"
        let termination: ChildProcess.Termination
        do {
            termination = try ChildProcess(executable, argv, output: .file(log), error: .standardOutput).wait()
        } catch {
            throw Failure("cannot start \(tool): \(error)")
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard termination == .exited(0) else { throw Failure("\(tool) failed (\(termination)): \(text)") }
    }

    /// Stops the server for good and removes its folder.
    package func stop() {
        try? run("pg_ctl", ["-D", folder + "/data", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Stops the server, keeping its data: the store goes away.
    package func pause() throws {
        try run("pg_ctl", ["-D", folder + "/data", "-m", "fast", "-w", "stop"])
    }

    /// Starts it again on the same port: the store comes back.
    package func resume() throws {
        try run("pg_ctl", ["-D", folder + "/data", "-w", "-l", folder + "/log", "-o", "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
    }

    package var endpoint: PostgresConnector.Endpoint {
        .init(host: "127.0.0.1", port: port, username: user, database: "postgres")
    }
}
