#if !Server
import ArgumentParser

// A build without the `Server` trait (the quick start's) has no SCIM host, no web services
// connector, no process connectors and no discovery. Its `serve`, `cert`, `webservice`, `connector`
// and `discover` say how to get them instead of being unknown commands.

/// A command this build leaves out: it takes any arguments and says how to build it.
protocol LeftOutOfThisBuild: AsyncParsableCommand {
    /// What the command brings, for the message: `the SCIM host`.
    static var brings: String { get }
    var arguments: [String] { get }
}

extension LeftOutOfThisBuild {
    static func leftOut(_ abstract: String, name: String? = nil) -> CommandConfiguration {
        CommandConfiguration(
            commandName: name, abstract: "\(abstract) (not in this build of attrmap).",
            discussion: "This attrmap was built without the Server trait, as the quick start builds it. \(serverBuildAdvice)")
    }

    func run() async throws {
        try await reportingFailures { throw CommandFailure("this attrmap was built without \(Self.brings). \(serverBuildAdvice)") }
    }
}

extension Attrmap {
    struct Serve: LeftOutOfThisBuild {
        static let configuration = leftOut("Run the SCIM host")
        static let brings = "the SCIM host"
        @Argument(parsing: .allUnrecognized) var arguments: [String] = []
    }

    struct WebService: LeftOutOfThisBuild {
        static let configuration = leftOut("Try a web service template against its application", name: "webservice")
        static let brings = "the web services connector"
        @Argument(parsing: .allUnrecognized) var arguments: [String] = []
    }

    struct Discover: LeftOutOfThisBuild {
        static let configuration = leftOut("Read an application's API description")
        static let brings = "discovery"
        @Argument(parsing: .allUnrecognized) var arguments: [String] = []
    }

    struct ConnectorCommand: LeftOutOfThisBuild {
        static let configuration = leftOut("Tools for the authors of process connectors", name: "connector")
        static let brings = "process connectors"
        @Argument(parsing: .allUnrecognized) var arguments: [String] = []
    }

    struct Cert: LeftOutOfThisBuild {
        static let configuration = leftOut("Create a self-signed certificate for attrmap serve")
        static let brings = "the SCIM host"
        @Argument(parsing: .allUnrecognized) var arguments: [String] = []
    }
}

private let serverBuildAdvice =
    "Build the whole tool with `swift build -c release --product attrmap` (the Server trait is on by default; the first build takes 10 to 20 minutes on 2 cores)."
#endif
