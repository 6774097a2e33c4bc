#if Server
import ConnectorHost
import ArgumentParser
import Connectors
import Foundation
import HostSetup
import Logging
import Metrics
import Prometheus
import SCIMHost
import SQLConnector
import ServiceLifecycle
import UnixSignals

extension SQLiteConnector.Synchronous: ExpressibleByArgument {}

extension Attrmap {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the SCIM host: the role of Microsoft's ECMA Connector Host, in front of your application's store.",
            discussion: """
                With no configuration, one connector named APP1 keeps users and groups in a SQLite database in the data folder, at the ECMA host's URL shape:
                  http://127.0.0.1:8585/ecma2host_APP1/scim
                Point Entra's on-premises provisioning (or any SCIM client) at it with the secret token as the bearer token.

                The secret token comes from --token or ATTRMAP_TOKEN (at least 12 characters, as the ECMA host requires). Without either, one is generated on the first start, stored in the data folder (APP1.token, readable only by you) and printed once.

                At start the host imports every object into its cache; until that is done, requests are answered 503 with Retry-After. A first import that fails (a store that is not reachable yet) is tried again after 5, 15, 30, then every 60 seconds. Stop it with Ctrl-C or SIGTERM: requests in flight finish first.

                With --config FILE the host serves several named connectors, each with its own token, deprovisioning flows and DN template, and its store: a SQLite or PostgreSQL database (sqlite:, postgres:, with tables or select, insert, update and delete statements with @Attribute placeholders), an application's REST or SOAP API (webservice: TEMPLATE), a program of its own in any language (process: {command: [...]}), or an LDAP directory (ldap: {host, bind, objectTypes}); see the README and Examples/. For example:
                  connectors:
                    - name: HR
                      token: ${HR_TOKEN}
                      sqlite: hr.sqlite
                      objectTypes: [{objectType: User, table: Employees, anchor: ContosoLogin}]
                      deprovisioning: {disable: {set: IsActive, value: false}, delete: delete}

                Example:
                  attrmap serve
                  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/scim+json' \\
                    -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}' \\
                    http://127.0.0.1:8585/ecma2host_APP1/scim/Users
                """)

        @Option(name: .long, help: "The address to listen on.")
        var host = "127.0.0.1"

        @Option(name: .shortAndLong, help: "The port to listen on (0: any free port).")
        var port = 8585

        @Option(name: .shortAndLong, help: ArgumentHelp("Serve the connectors of this configuration file instead of the embedded default.", valueName: "file"))
        var config: String?

        @Option(name: .long, help: ArgumentHelp("Where the embedded store and the generated token live.", valueName: "folder"))
        var data = "./attrmap-data"

        @Option(name: .long, help: ArgumentHelp(
            "Where the local copies of connectors that cannot answer queries (a web service) live (default: beside the configuration file).",
            valueName: "folder"))
        var cache: String?

        @Option(name: .long, help: ArgumentHelp("The secret token (default: ATTRMAP_TOKEN, else the stored or a generated one).", valueName: "token"))
        var token: String?

        @Option(name: .long, help: ArgumentHelp("Refresh the cache from the store every N minutes (0: never).", valueName: "minutes"))
        var autosync = 120

        @Option(name: .long, help: ArgumentHelp("Serve HTTPS with this certificate chain (PEM); see `attrmap cert`.", valueName: "file"))
        var cert: String?

        @Option(name: .long, help: ArgumentHelp("The certificate's private key (PEM).", valueName: "file"))
        var key: String?

        @Option(name: .long, help: ArgumentHelp("The largest request body accepted, in bytes.", valueName: "bytes"))
        var maxBodySize = 1 << 20

        @Option(name: .long, help: ArgumentHelp(
            "When the embedded store acknowledges a write: normal (in its write-ahead log; survives the process being killed) or full (synced to disk; survives a power cut, slower).",
            valueName: "normal|full"))
        var sync: SQLiteConnector.Synchronous = .normal

        @Flag(name: .long, help: "Read and check the configuration (every connector's settings, the templates they name, the variables they read), list its connectors, and exit without serving.")
        var check = false

        @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
        var logLevel = "info"

        func validate() throws {
            if let token, token.count < 12 { throw ValidationError("the secret token must have at least 12 characters") }
            if let level = ProcessInfo.processInfo.environment["ATTRMAP_TOKEN"], token == nil, level.count < 12 {
                throw ValidationError("ATTRMAP_TOKEN must have at least 12 characters")
            }
            if !(0...65535).contains(port) { throw ValidationError("--port must be between 0 and 65535") }
            if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("unknown log level '\(logLevel)'") }
            if (cert == nil) != (key == nil) { throw ValidationError("HTTPS needs both --cert and --key") }
        }

        /// Metrics through swift-metrics go to a Prometheus registry, which `/metrics` renders;
        /// durations in buckets from half a millisecond to ten seconds.
        static func bootstrapMetrics() -> PrometheusCollectorRegistry {
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.defaultDurationHistogramBuckets = [
                .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(10),
            ]
            MetricsSystem.bootstrap(factory)
            return registry
        }

        func run() async throws {
            try await reportingFailures {
                var logger = Logger(label: "attrmap.serve", metadataProvider: RequestContext.metadataProvider)
                logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
                let configuration: HostConfiguration
                if let config {
                    do {
                        configuration = try HostConfiguration.load(path: config, kinds: Attrmap.connectorKinds)
                    } catch let problem as HostConfiguration.Problem {
                        throw CommandFailure(problem.message, exitCode: .dataError)
                    }
                } else {
                    // No configuration: one connector, APP1, on the embedded SQLite store.
                    try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
                    let name = "APP1"
                    let store = SQLiteKind.Configuration(
                        path: (data as NSString).appendingPathComponent("\(name).sqlite"), synchronous: sync,
                        setUp: SQLConfiguration.embeddedDefaultTables, sql: .embeddedDefault)
                    configuration = HostConfiguration(connectors: [
                        .init(name: name, token: try resolveToken(connector: name), kind: SQLiteKind().name, connector: store, autosyncMinutes: autosync),
                    ])
                }
                if check {
                    for connector in configuration.connectors {
                        print("\(connector.name): \(connector.kind) connector, at /ecma2host_\(connector.name)/scim")
                    }
                    Terminal.writeError("attrmap: the configuration is valid (\(configuration.connectors.count) connector\(configuration.connectors.count == 1 ? "" : "s"))\n")
                    return
                }
                let services: [(service: HostedConnector, autosyncMinutes: Int)]
                do {
                    // A connector that cannot answer queries keeps its local copy in --cache, else beside the configuration.
                    let folder = cache ?? config.map { ($0 as NSString).deletingLastPathComponent } ?? data
                    if let cache { try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true) }
                    services = try configuration.services(logger: logger, cacheFolder: folder)
                } catch let problem as HostConfiguration.Problem {
                    throw CommandFailure(problem.message, exitCode: config == nil ? .failure : .dataError)
                }
                let names = services.map(\.service.name)
                let tls = cert.flatMap { certificate in key.map { Host.TLSFiles(certificate: certificate, privateKey: $0) } }
                let scheme = tls == nil ? "http" : "https"
                let (host, port) = (self.host, self.port)
                let application: any Service
                do {
                    let registry = Self.bootstrapMetrics()
                    application = try Host.application(
                        services: services.map(\.service), host: host, port: port, maxBodySize: maxBodySize, tls: tls,
                        metrics: { registry.emitToBuffer() }, logger: logger
                    ) { port in
                        for name in names {
                            Terminal.writeError("attrmap: serving connector \(name) at \(scheme)://\(host):\(port)/ecma2host_\(name)/scim\n")
                        }
                    }
                } catch {
                    throw CommandFailure("cannot start the server: \(error)")
                }
                // One service group: each connector's own work (pool, checkpoints), each cache,
                // then the server. SIGTERM or Ctrl-C shuts them down in the reverse order: the
                // server finishes the requests in flight, the caches stop, the connectors finish
                // their writes and close. A shutdown that takes longer than 8 seconds is cancelled.
                var group = ServiceGroupConfiguration(
                    services: services.map { .init(service: $0.service.connector, successTerminationBehavior: .gracefullyShutdownGroup) }
                        + services.map { entry in
                            .init(service: CacheMaintenance(entry.service, refresh: entry.autosyncMinutes > 0 ? .seconds(entry.autosyncMinutes * 60) : nil))
                        }
                        + [.init(service: RestartOnHangup(connectors: services.compactMap(\.service.connector.restartable), logger: logger), successTerminationBehavior: .ignore)]
                        + [.init(service: application)],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
                group.maximumGracefulShutdownDuration = .seconds(8)
                do {
                    try await ServiceGroup(configuration: group).run()
                } catch let error as CacheMaintenance.StartError {
                    throw CommandFailure(error.description, exitCode: .dataError)
                } catch {
                    throw CommandFailure("the server stopped: \(error)")
                }
                logger.info("stopped")
            }
        }

        /// --token, else ATTRMAP_TOKEN, else the stored token, else a new one (stored and printed once).
        func resolveToken(connector: String) throws -> String {
            if let token { return token }
            if let environment = ProcessInfo.processInfo.environment["ATTRMAP_TOKEN"], !environment.isEmpty { return environment }
            let path = (data as NSString).appendingPathComponent("\(connector).token")
            if let stored = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), stored.count >= 12 {
                Terminal.writeError("attrmap: using the secret token stored in \(path)\n")
                return stored
            }
            var generator = SystemRandomNumberGenerator()
            let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
            let generated = String((0..<32).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            guard FileManager.default.createFile(atPath: path, contents: Data((generated + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CommandFailure("cannot write the secret token to '\(path)'")
            }
            Terminal.writeError("attrmap: generated a secret token for \(connector), stored in \(path) (shown only now):\n\(generated)\n")
            return generated
        }
    }
}
/// SIGHUP restarts every process connector's program (after an update of its files, say): each
/// new process takes the calls once it has answered hello, and the old one finishes its own. With
/// no process connector, SIGHUP is logged and changes nothing (it does not stop the host).
struct RestartOnHangup: Service {
    let connectors: [any RestartableConnector]
    let logger: Logger

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                logger.info("SIGHUP: restarting the process connectors", metadata: ["connectors": "\(connectors.count)"])
                for connector in connectors { connector.restart() }
            }
        }
    }
}
#endif
