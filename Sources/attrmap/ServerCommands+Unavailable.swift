#if !Server
import ArgumentParser

// A build without the `Server` trait (the quick start's) has no SCIM host. Its `serve` and
// `cert` say how to get one instead of being unknown commands.
extension Attrmap {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the SCIM host (not in this build of attrmap).",
            discussion: "This attrmap was built without the Server trait, as the quick start builds it. \(serverBuildAdvice)")

        @Argument(parsing: .allUnrecognized) var arguments: [String] = []

        func run() async throws {
            try await reportingFailures { throw CommandFailure("this attrmap was built without the SCIM host. \(serverBuildAdvice)") }
        }
    }

    struct WebService: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "webservice",
            abstract: "Try a web service template against its application (not in this build of attrmap).",
            discussion: "This attrmap was built without the Server trait, as the quick start builds it. \(serverBuildAdvice)")

        @Argument(parsing: .allUnrecognized) var arguments: [String] = []

        func run() async throws {
            try await reportingFailures { throw CommandFailure("this attrmap was built without the web services connector. \(serverBuildAdvice)") }
        }
    }

    struct Discover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read an application's API description (not in this build of attrmap).",
            discussion: "This attrmap was built without the Server trait, as the quick start builds it. \(serverBuildAdvice)")

        @Argument(parsing: .allUnrecognized) var arguments: [String] = []

        func run() async throws {
            try await reportingFailures { throw CommandFailure("this attrmap was built without discovery. \(serverBuildAdvice)") }
        }
    }

    struct Cert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a self-signed certificate for attrmap serve (not in this build of attrmap).",
            discussion: "This attrmap was built without the Server trait, as the quick start builds it. \(serverBuildAdvice)")

        @Argument(parsing: .allUnrecognized) var arguments: [String] = []

        func run() async throws {
            try await reportingFailures { throw CommandFailure("this attrmap was built without the SCIM host. \(serverBuildAdvice)") }
        }
    }
}

private let serverBuildAdvice =
    "Build the whole tool with `swift build -c release --product attrmap` (the Server trait is on by default; the first build takes 10 to 20 minutes on 2 cores)."
#endif
