package import Foundation
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
    private let state = Mutex<(process: Process?, port: Int)>((nil, 0))

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
        let process = Process()
        process.executableURL = Self.url(of: executable)
        process.arguments = arguments + ["--port", String(port ?? self.port)]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        for (name, value) in self.environment { environment[name] = value }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let listening = Mutex<(text: String, port: Int?)>(("", nil))
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            listening.withLock { state in
                state.text += String(decoding: data, as: UTF8.self)
                if state.port == nil, let range = state.text.range(of: "listening on http://127.0.0.1:") ?? state.text.range(of: "listening on https://127.0.0.1:") {
                    let digits = state.text[range.upperBound...].prefix { $0.isNumber }
                    state.port = Int(digits)
                }
            }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let port = listening.withLock({ $0.port }) {
                state.withLock { $0 = (process, port) }
                return
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.terminate()
        throw SampleFailure(message: "\(executable) did not start: \(listening.withLock { $0.text })")
    }

    /// Stops it (SIGTERM, then SIGKILL after 5 seconds) and waits until it has exited.
    package func stop() {
        guard let process = state.withLock({ state -> Process? in
            defer { state.process = nil }
            return state.process
        }) else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    package struct SampleFailure: Error, CustomStringConvertible {
        package var message: String
        package var description: String { message }

        package init(message: String) {
            self.message = message
        }
    }
}
