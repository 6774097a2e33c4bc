package import Foundation
import Spawning
import Synchronization

/// One of the sample applications of `Examples/web-services`, really started: its own built
/// executable, its own storage in a temporary folder, on a free loopback port. It can be
/// stopped and started again on the same port and storage, as an application that goes away
/// and comes back.
package final class SampleApplication: Sendable {
    package let executable: String
    package let folder: URL
    package let environment: [String: String]
    let arguments: [String]
    private let state = Mutex<(process: ChildProcess?, port: Int)>((nil, 0))

    /// Starts `executable` (a product of the package, next to the test bundle) with `arguments`
    /// and `--port 0`, and waits for the line that says where it listens.
    package init(executable: String, arguments: [String] = [], environment: [String: String] = [:]) throws {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-\(executable)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try start(port: 0)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The port it listens on.
    package var port: Int { state.withLock { $0.port } }

    /// `http://127.0.0.1:PORT`, or https when it was started with `--cert`.
    package var baseURL: String { "\(arguments.contains("--cert") ? "https" : "http")://127.0.0.1:\(port)" }

    /// The executable next to the test bundle (`swift test` builds every product).
    package static func url(of executable: String) -> URL {
        AttrmapBinary.url.deletingLastPathComponent().appendingPathComponent(executable)
    }

    /// Starts it (again): on `port`, 0 for a free one.
    package func start(port: Int? = nil) throws {
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in self.environment { environment[name] = value }
        let process = try ChildProcess(
            Self.url(of: executable).path, arguments + ["--port", String(port ?? self.port)], environment: environment, directory: folder.path,
            output: .pipe)
        // Read to its end, so that the application never blocks on a full pipe.
        let output = ChildProcess.Collected()
        output.reading(process.standardOutput!)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = output.text
            if let range = text.range(of: "listening on http://127.0.0.1:") ?? text.range(of: "listening on https://127.0.0.1:"),
                let port = Int(text[range.upperBound...].prefix { $0.isNumber })
            {
                state.withLock { $0 = (process, port) }
                return
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.stop()
        throw SampleFailure(message: "\(executable) did not start: \(output.text)")
    }

    /// Stops it (SIGTERM, then SIGKILL after 5 seconds) and waits until it has exited.
    package func stop() {
        guard let process = state.withLock({ state -> ChildProcess? in
            defer { state.process = nil }
            return state.process
        }) else { return }
        process.stop(grace: 5)
    }

    package struct SampleFailure: Error, CustomStringConvertible {
        package var message: String
        package var description: String { message }

        package init(message: String) {
            self.message = message
        }
    }
}
