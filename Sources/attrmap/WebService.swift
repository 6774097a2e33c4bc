#if Server
import ArgumentParser
import Connectors
import Foundation
import JSONValues
import Logging
import WebServices

extension Attrmap {
    /// `attrmap webservice`: work with web service templates.
    struct WebService: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "webservice",
            abstract: "Try a web service template against its application, one operation at a time.",
            discussion: """
                A template (YAML) says how the web services connector calls an application's REST or SOAP API: see Examples/web-services.
                """,
            subcommands: [Call.self])
    }
}

extension Attrmap.WebService {
    struct Call: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one operation of a template for one object and show each HTTP request (and, with --send, each response).",
            discussion: """
                Without --send nothing is sent: each request is printed as it would go, secrets as [Redact]; a step that needs \
                an earlier step's response cannot be shown until it is sent. With --send the requests are sent and each response \
                is printed, then what the connector read from them.

                OPERATION is \(operations.dropLast().joined(separator: ", ")) or \(operations.last!). The object is a JSON file of the \
                connector's attributes ({"login": "ann", "givenName": "Ann", "roles": ["Employee"]}); an update also takes the \
                object as it was (--previous). A password is read from standard input (--password-stdin), never from the command line: \
                for setPassword, and for a create (sent with it when the create reads [password], else set right after). \
                deltaImport without --since asks where changes would start from (the application's current delta token, or \
                now); with --since WATERMARK it reads the changes since then and shows the watermark to give next time.

                ${NAME} in the template's connection reads --variable NAME=VALUE, else the environment; secrets belong in the environment. \
                Without --send, a variable that is not set is shown as ${NAME}.

                Examples:
                  attrmap webservice call Examples/web-services/templates/hr-app.yaml create --object Examples/web-services/ann.json
                  HR_API_KEY=… attrmap webservice call Examples/web-services/templates/hr-app.yaml get --anchor ann --send
                  attrmap webservice call Examples/web-services/templates/sap-app.yaml create --object Examples/web-services/sap-ann.json --password-stdin < password.txt
                  HR_API_KEY=… attrmap webservice call Examples/web-services/templates/hr-app.yaml deltaImport --since 2026-12-01T08:00:00.000Z --send
                """)

        @Argument(help: ArgumentHelp("The template file (YAML).", valueName: "template"))
        var template: String

        @Argument(help: ArgumentHelp("One of \(operations.joined(separator: ", ")).", valueName: "operation"))
        var operation: String

        @Option(name: .long, help: ArgumentHelp("The object type (the template's first by default).", valueName: "type"))
        var type: String?

        @Option(name: .long, help: ArgumentHelp("The object: a JSON file of its attributes.", valueName: "file"))
        var object: String?

        @Option(name: .long, help: ArgumentHelp("For update: the object as it was, a JSON file of its attributes.", valueName: "file"))
        var previous: String?

        @Option(name: .long, help: ArgumentHelp("The anchor, for get, delete and setPassword (or when the object file has none).", valueName: "anchor"))
        var anchor: String?

        @Option(name: .long, help: ArgumentHelp("For deltaImport: the watermark to read changes since (a time, or the application's delta token).", valueName: "watermark"))
        var since: String?

        @Flag(name: .long, help: "For setPassword and create: read the password from standard input.")
        var passwordStdin = false

        @Option(name: .customLong("variable"), help: ArgumentHelp("A template variable, NAME=VALUE (repeatable).", valueName: "NAME=VALUE"))
        var variables: [String] = []

        @Flag(name: .long, help: "Send the requests and show the responses.")
        var send = false

        static let operations = ["test", "import", "deltaImport", "get", "create", "update", "delete", "setPassword"]

        func validate() throws {
            guard Self.operations.contains(operation) else {
                throw ValidationError("unknown operation '\(operation)'; the operations are \(Self.operations.joined(separator: ", "))")
            }
            for variable in variables where !variable.contains("=") { throw ValidationError("--variable takes NAME=VALUE, not '\(variable)'") }
            if operation == "update", object == nil || previous == nil { throw ValidationError("update needs --object and --previous") }
            if operation == "create", object == nil { throw ValidationError("create needs --object") }
            if since != nil, operation != "deltaImport" { throw ValidationError("--since is for deltaImport") }
            if operation == "setPassword", !passwordStdin { throw ValidationError("setPassword reads the password from standard input: --password-stdin") }
        }

        func run() async throws {
            try await reportingFailures {
                var given: [String: String] = [:]
                for variable in variables {
                    let parts = variable.split(separator: "=", maxSplits: 1)
                    given[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
                }
                let template: WebServiceTemplate
                do { template = try TemplateReader.read(file: self.template, variables: given, keepingUnsetVariables: !send) } catch let problem as ConnectorSettings.Problem {
                    throw CommandFailure(problem.message, exitCode: .dataError)
                }
                guard let type = type.map({ template.objectType($0) }) ?? template.objectTypes.first else {
                    throw CommandFailure("the template has no object type '\(type ?? "")'; it has \(template.objectTypes.map(\.name).joined(separator: ", "))")
                }
                var real: (any HTTPTransport)?
                if send {
                    do { real = try HTTP1Transport(connection: template.connection) } catch let failure as TransportFailure {
                        throw CommandFailure(failure.description)
                    }
                }
                let transport = TracingTransport(sending: real) { Terminal.write($0 + "\n") }
                let connector = WebServiceConnector(template: template, transport: transport, logger: Logger(label: "attrmap"))
                let current = try object.map { try Self.object($0, type: type, anchor: anchor) }
                let before = try previous.map { try Self.object($0, type: type, anchor: anchor ?? current?.anchor) }
                let failure = await perform(connector, type: type, object: current, previous: before, anchor: anchor ?? current?.anchor)
                await transport.shutdown()
                if let failure {
                    if !transport.sends, transport.requests > 0 {
                        Terminal.write("── not sent: what comes next depends on the application's answers (\(failure.message)); --send sends the requests\n")
                        return
                    }
                    throw CommandFailure(failure.message)
                }
                if transport.requests == 0 { Terminal.write("── nothing to send (nothing changed, or every step's condition was false)\n") }
                if transport.sends { Terminal.write("── \(operation) succeeded\n") }
            }
        }

        /// Runs the operation; the connector's error when it failed.
        func perform(
            _ connector: WebServiceConnector, type: WebServiceTemplate.ObjectType, object: ConnectorObject?, previous: ConnectorObject?,
            anchor: String?
        ) async -> ConnectorError? {
            let transport = connector.client.transport as? TracingTransport
            let sends = transport?.sends == true
            do throws(ConnectorError) {
                switch operation {
                case "test":
                    try await connector.testConnection()
                case "import":
                    let objects = try await connector.fullImport(objectType: type.name)
                    if sends {
                        for object in objects { Terminal.write(Self.text(object) + "\n") }
                        Terminal.write("── \(objects.count) objects in \(transport?.requests ?? 0) requests\n")
                    }
                case "deltaImport":
                    guard connector.importsChanges(objectType: type.name) else { return ConnectorError(.invalidValue, "the template has no deltaImport for \(type.name)") }
                    guard let since else {
                        let watermark = try await connector.watermark(objectType: type.name)
                        Terminal.write("── changes start from: \(watermark) (give it as --since to a later deltaImport)\n")
                        return nil
                    }
                    let delta = try await connector.deltaImport(objectType: type.name, since: since)
                    if sends {
                        for object in delta.changed { Terminal.write(Self.text(object) + "\n") }
                        for anchor in delta.deleted { Terminal.write("deleted: \(anchor)\n") }
                        Terminal.write("── \(delta.changed.count) changed, \(delta.deleted.count) deleted in \(transport?.requests ?? 0) requests; the next deltaImport is --since \(delta.watermark)\n")
                    }
                case "get":
                    guard let anchor else { return ConnectorError(.invalidValue, "get needs --anchor (or --object with the anchor attribute)") }
                    let found = try await connector.get(objectType: type.name, anchor: anchor)
                    if sends { Terminal.write("── read: \(found.map(Self.text) ?? "no such object")\n") }
                case "create":
                    try await connector.create(object!, password: passwordStdin ? try Self.password() : nil)
                case "update":
                    try await connector.update(object!, from: previous!)
                case "delete":
                    guard let anchor else { return ConnectorError(.invalidValue, "delete needs --anchor") }
                    try await connector.delete(objectType: type.name, anchor: anchor)
                default:
                    guard let anchor else { return ConnectorError(.invalidValue, "setPassword needs --anchor") }
                    try await connector.setPassword(objectType: type.name, anchor: anchor, password: try Self.password())
                }
                return nil
            } catch {
                return error
            }
        }

        /// The password on standard input, without its final newline.
        static func password() throws(ConnectorError) -> String {
            let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            let password = input.hasSuffix("\n") ? String(input.dropLast()) : input
            guard !password.isEmpty else { throw ConnectorError(.invalidValue, "no password on standard input") }
            return password
        }

        /// An object from a JSON file of its attributes.
        static func object(_ path: String, type: WebServiceTemplate.ObjectType, anchor: String?) throws -> ConnectorObject {
            let text = try readInput(path, what: "the object file")
            let members: [(String, JSON)]
            switch Result(catching: { () throws(JSON.ParseError) -> JSON in try JSON.parse(text) }) {
            case .failure(let error):
                throw CommandFailure("\(path):\(error.line):\(error.column): \(error.message)", exitCode: .dataError)
            case .success(.object(let found)):
                members = found
            case .success:
                throw CommandFailure("\(path): expected a JSON object of attributes", exitCode: .dataError)
            }
            var attributes: [String: JSON] = [:]
            for (name, value) in members {
                if type.attribute(name) == nil {
                    let names = type.attributes.map(\.name).joined(separator: ", ")
                    throw CommandFailure("\(path): '\(name)' is not an attribute of \(type.name); its attributes are \(names)", exitCode: .dataError)
                }
                if value != .null { attributes[name] = value }
            }
            var found = anchor
            if found == nil, let value = attributes[type.anchor] { found = value.stringValue ?? value.serialized }
            guard let found else {
                throw CommandFailure("\(path): the object has no anchor '\(type.anchor)'; give it or --anchor", exitCode: .dataError)
            }
            return ConnectorObject(objectType: type.name, anchor: found, attributes: attributes)
        }

        static func text(_ object: ConnectorObject) -> String {
            JSON.object(object.attributes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }).serialized
        }
    }
}
#endif
