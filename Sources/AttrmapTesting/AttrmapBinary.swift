package import Foundation
import Spawning

/// The built `attrmap` binary, run as users run it: for the CLI tests of every target.
package enum AttrmapBinary {
    /// The package's root folder, where the tests run the binary (the examples' paths are relative to it).
    package static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary next to the test bundle (`swift test` builds it), else the debug build's.
    package static let url: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        for directory in candidates {
            let url = directory.appendingPathComponent("attrmap")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return packageRoot.appendingPathComponent(".build/debug/attrmap")
    }()

    /// What a finished run printed, and its exit status.
    package struct Output: Sendable {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    /// Runs `attrmap ARGUMENTS` in the package root with `input` on standard input (closed after
    /// it), colour off, and waits for it.
    package static func run(_ arguments: [String], input: [UInt8]? = nil, environment extra: [String: String] = [:]) throws -> Output {
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for (name, value) in extra { environment[name] = value }
        let (termination, out, err) = try ChildProcess.run(url.path, arguments, environment: environment, directory: packageRoot.path, input: input ?? [])
        return Output(status: termination.status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// ``run(_:input:environment:)`` on a thread of its own, for a long run that must not hold
    /// one of the few cooperative threads the other tests share.
    package static func runInBackground(_ arguments: [String], environment: [String: String] = [:]) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(arguments, environment: environment) })
            }
        }
    }
}
