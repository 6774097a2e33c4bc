#if Server
import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HostSetup
import LDAPConnector
import Logging
import ServiceDiscovery

extension Attrmap {
    /// `attrmap discover`: read an application's API description.
    struct Discover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read an application's API description (and write a starter web service template), or a directory's schema.",
            subcommands: [Rest.self, Soap.self, Ldap.self])
    }
}

extension Attrmap.Discover {
    struct Rest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the tree of an OpenAPI 3.0, 3.1 or 3.2 document (JSON or YAML) and write a starter template.",
            discussion: """
                The tree shows the servers, the security schemes, and each resource's operations with their operationId, \
                parameters (* required), request body and responses with their attributes, and the paging each list seems to use.

                With --template FILE it also writes a starter template for the web services connector: each collection that \
                is listed by GET and has an item path (/employees and /employees/{login}) becomes an object type (the first \
                User, a group-like one Group), with its attributes, import (records and paging guessed), get, create, update \
                (PATCH sends what changed; sub-resources such as /employees/{login}/roles/{role} become add and remove calls), \
                delete and setPassword. Every guess is marked '# review'. Then try it: attrmap webservice call FILE OPERATION.

                Examples:
                  attrmap discover rest --openapi http://127.0.0.1:8089/openapi.json --template hr-app.yaml
                  attrmap discover rest --openapi Fixtures/openapi/directory.yaml
                """)

        @Option(name: .long, help: ArgumentHelp("The OpenAPI document: a file, or an http(s) URL.", valueName: "file-or-url"))
        var openapi: String

        @Option(name: .long, help: ArgumentHelp("Write a starter template to this file (it must not exist).", valueName: "file"))
        var template: String?

        func run() async throws {
            try await reportingFailures {
                let text = try await Self.read(openapi)
                let discovery: OpenAPIDiscovery
                do { discovery = try OpenAPIDiscovery(text: text, source: openapi) } catch let problem as OpenAPIDiscovery.Problem {
                    throw CommandFailure(problem.message, exitCode: .dataError)
                }
                Terminal.write(discovery.tree())
                if let template {
                    guard !FileManager.default.fileExists(atPath: template) else {
                        throw CommandFailure("'\(template)' exists; name a new file for the starter template")
                    }
                    do { try discovery.starterTemplate().write(toFile: template, atomically: true, encoding: .utf8) } catch {
                        throw CommandFailure("cannot write '\(template)': \(error.localizedDescription)")
                    }
                    Terminal.write("\nstarter template: \(template) (review the lines marked '# review')\n")
                }
            }
        }

        static func read(_ location: String) async throws -> String {
            String(decoding: try await Attrmap.Discover.fetch(location, what: "the OpenAPI document"), as: UTF8.self)
        }
    }

    struct Soap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the tree of a WSDL 1.1 document (services, ports, bindings, operations, XSD structures) and write a starter template.",
            discussion: """
                Reads the WSDL (a file or an http(s) URL) and follows its wsdl:import and its schemas' xsd:import and \
                xsd:include. Prints each service's ports (binding, SOAP 1.1 or 1.2, endpoint address), each binding's style and \
                operations with their SOAPAction, and each operation's input and output with the structure of their types \
                (? optional, [ ] repeated, ≤ a maximum length). WS-Policy and other extensions are passed over.

                With --template FILE it also writes a starter template for the web services connector, for one port (--port, \
                by default the first SOAP 1.1 one): its endpoint, SOAP version and namespace; one object type whose operations \
                are bound by their names (BAPI_USER_GETLIST or ListUsers imports, BAPI_USER_GET_DETAIL or GetUser reads, …, a \
                commit follows each write); each body built from the input's structure (a `…X` twin as change flags); the list's \
                records and paging guessed; SAP's RETURN rows as error rules. Every guess is marked '# review'. Then try it: \
                attrmap webservice call FILE OPERATION.

                Examples:
                  attrmap discover soap --wsdl 'http://127.0.0.1:8000/sap/bc/srt/rfc/sap/zusers/001/zusers/zusers_binding?wsdl' --template sap.yaml
                  attrmap discover soap --wsdl Fixtures/wsdl/directory/directory.wsdl
                """)

        @Option(name: .long, help: ArgumentHelp("The WSDL: a file, or an http(s) URL.", valueName: "file-or-url"))
        var wsdl: String

        @Option(name: .long, help: ArgumentHelp("Write a starter template to this file (it must not exist).", valueName: "file"))
        var template: String?

        @Option(name: .long, help: ArgumentHelp("The port the starter template calls (by default the first SOAP 1.1 port).", valueName: "name"))
        var port: String?

        func run() async throws {
            try await reportingFailures {
                let discovery: WSDLDiscovery
                do {
                    discovery = try await WSDLDiscovery.load(wsdl) { location in try await Attrmap.Discover.fetch(location, what: "the WSDL") }
                } catch let problem as WSDLDiscovery.Problem {
                    throw CommandFailure(problem.message, exitCode: .dataError)
                }
                Terminal.write(discovery.tree())
                if let template {
                    guard !FileManager.default.fileExists(atPath: template) else {
                        throw CommandFailure("'\(template)' exists; name a new file for the starter template")
                    }
                    let text: String
                    do { text = try discovery.starterTemplate(port: port) } catch { throw CommandFailure("\(error)", exitCode: .dataError) }
                    do { try text.write(toFile: template, atomically: true, encoding: .utf8) } catch {
                        throw CommandFailure("cannot write '\(template)': \(error.localizedDescription)")
                    }
                    Terminal.write("\nstarter template: \(template) (review the lines marked '# review')\n")
                }
            }
        }
    }
}

extension Attrmap.Discover {
    /// A file's or a URL's bytes.
    static func fetch(_ location: String, what: String) async throws -> [UInt8] {
        guard location.hasPrefix("http://") || location.hasPrefix("https://") else {
            return Array(try readInput(location, what: what).utf8)
        }
        guard let url = URL(string: location) else { throw CommandFailure("'\(location)' is not a URL", exitCode: .dataError) }
        let (data, response): (Data, URLResponse)
        do { (data, response) = try await URLSession.shared.data(from: url) } catch {
            throw CommandFailure("cannot read \(location): \(error.localizedDescription)")
        }
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw CommandFailure("\(location) answered \(http.statusCode)")
        }
        return Array(data)
    }
}

extension Attrmap.Discover {
    struct Ldap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print what an LDAP connector of a configuration finds in its directory, as the ECMA wizard's pages show it.",
            discussion: """
                Connects as the configuration's ldap: entry says (TLS, bind), reads the root DSE and the subschema entry, and \
                prints what the server offers (paged results, Password Modify, SASL mechanisms), then each object type's \
                classes and the attributes it serves: their type from the syntax, MUST (*), single-valued, treated as single, \
                written but never read. --object-class lists any class's MUST and MAY attributes, the wizard's choices.

                Examples:
                  attrmap discover ldap --config Examples/ldap/serve.yaml
                  attrmap discover ldap --config serve.yaml --connector LDAP --object-class posixAccount --object-class groupOfNames
                """)

        @Option(name: .long, help: ArgumentHelp("The host configuration (attrmap serve --config).", valueName: "file"))
        var config: String

        @Option(name: .long, help: ArgumentHelp("The connector to read, when the configuration has several ldap: entries.", valueName: "name"))
        var connector: String?

        @Option(name: .customLong("object-class"), help: ArgumentHelp("An object class whose MUST and MAY attributes to list (repeatable).", valueName: "name"))
        var objectClasses: [String] = []

        func run() async throws {
            try await reportingFailures {
                let configuration: HostConfiguration
                do {
                    configuration = try HostConfiguration.load(path: config, kinds: Attrmap.connectorKinds)
                } catch let problem as HostConfiguration.Problem {
                    throw CommandFailure(problem.message, exitCode: .dataError)
                }
                let entries = configuration.connectors.filter { $0.connector is LDAPKind.Configuration }
                let names = entries.map(\.name).joined(separator: ", ")
                guard let entry = connector.map({ name in entries.first { $0.name == name } }) ?? (entries.count == 1 ? entries.first : nil),
                    let ldap = entry.connector as? LDAPKind.Configuration
                else {
                    throw CommandFailure(
                        entries.isEmpty ? "'\(config)' has no ldap: connector"
                            : connector == nil ? "'\(config)' has several ldap: connectors (\(names)): name one with --connector"
                            : "'\(config)' has no ldap: connector named '\(connector!)'; its ldap: connectors are \(names)",
                        exitCode: ExitCode(64))
                }
                let directory = LDAPConnector(settings: ldap.settings, logger: Logger(label: "attrmap.discover"))
                do {
                    Terminal.write(try await directory.describe(objectClasses: objectClasses))
                } catch {
                    await directory.close()
                    throw CommandFailure("\(entry.name): \(error)")
                }
                await directory.close()
            }
        }
    }
}
#endif

