package import ConnectorHost
package import Connectors
import Foundation
import JSONValues
import LocalCache
package import Logging
import SCIMHost
import Yams

/// `attrmap serve --config FILE`: several named connectors, each with its own token, store,
/// deprovisioning flows and distinguished-name template. The store is a connector kind, read by
/// the kind itself (``ConnectorKinds``): this file knows none of them.
///
/// ```yaml
/// connectors:
///   - name: HR
///     token: ${HR_TOKEN}              # or tokenFile: hr.token
///     KIND: …                         # the connector kind and its settings, read by the kind
///     deprovisioning: {disable: none, delete: delete}
///     distinguishedName: {attribute: dn, template: "CN={anchor},OBJECT=USER"}
///     autosyncMinutes: 120
///     cache: false                    # true: every object in memory, as the ECMA host keeps them
/// ```
package struct HostConfiguration: Sendable {
    package var connectors: [ConnectorSpecification]

    package struct ConnectorSpecification: Sendable {
        package var name: String
        package var token: String
        /// The connector kind's name, and what it read.
        package var kind: String
        package var connector: any ConnectorConfiguration
        package var deprovisioning: Deprovisioning
        package var distinguishedName: (attribute: String, template: String)?
        package var autosyncMinutes: Int
        /// Keep every object in memory, filled by a full import at start and refreshed by each
        /// autosync, even when the store answers queries (one whose queries are slow, a view over
        /// joins, say). Off: such a store is asked for every read.
        package var cachesObjects: Bool

        package init(
            name: String, token: String, kind: String, connector: any ConnectorConfiguration, deprovisioning: Deprovisioning = Deprovisioning(),
            distinguishedName: (attribute: String, template: String)? = nil, autosyncMinutes: Int = 120, cachesObjects: Bool = false
        ) {
            self.name = name
            self.token = token
            self.kind = kind
            self.connector = connector
            self.deprovisioning = deprovisioning
            self.distinguishedName = distinguishedName
            self.autosyncMinutes = autosyncMinutes
            self.cachesObjects = cachesObjects
        }
    }

    package init(connectors: [ConnectorSpecification]) {
        self.connectors = connectors
    }

    /// A configuration problem, with the place in the file when known.
    package struct Problem: Error, Sendable, CustomStringConvertible {
        package var message: String
        package var description: String { message }
    }

    /// Reads a configuration file, each connector's store through the kind it names.
    /// `${NAME}` in a token reads the environment variable NAME.
    package static func load(
        path: String, kinds: ConnectorKinds, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(Problem) -> HostConfiguration {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            do { text = try UTF8Text.decode(data) } catch { throw Problem(message: "\(path):\(error.line):\(error.column): \(error.message)") }
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(message: "cannot read the configuration '\(path)': \(error.localizedDescription)")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw Problem(message: "\(path): invalid YAML: \(error)") }
        let folder = (path as NSString).deletingLastPathComponent
        guard let connectors = root?["connectors"]?.sequence, !connectors.isEmpty else {
            throw Problem(message: "\(path): expected a list 'connectors' with at least one connector")
        }
        var specifications: [ConnectorSpecification] = []
        for (index, node) in connectors.enumerated() {
            let entry = ConnectorSettings(yaml: node, file: path, context: "connector \(index + 1)", folder: folder, environment: environment)
            func where_(_ key: String) -> String {
                let mark = node[key]?.mark ?? node.mark
                return "\(path):\(mark.map { "\($0.line):\($0.column)" } ?? "?") (connector \(index + 1), '\(key)')"
            }
            guard let name = node["name"]?.string, !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw Problem(message: "\(where_("name")): every connector needs a 'name' of letters, digits, '_' or '-'")
            }
            if specifications.contains(where: { $0.name == name }) { throw Problem(message: "\(where_("name")): the name '\(name)' is used twice") }
            var token: String?
            do { token = try entry["token"]?.expanded() } catch { throw Problem(message: error.message) }
            if token == nil, let file = node["tokenFile"]?.string {
                let resolved = file.hasPrefix("/") ? file : (folder as NSString).appendingPathComponent(file)
                token = (try? String(contentsOfFile: resolved, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                if token == nil { throw Problem(message: "\(where_("tokenFile")): cannot read '\(resolved)'") }
            }
            guard let secret = token, secret.count >= 12 else {
                throw Problem(message: "\(where_("token")): connector '\(name)' needs a secret token of at least 12 characters ('token', '${VARIABLE}' or 'tokenFile')")
            }
            let kind: any ConnectorKind
            let connector: any ConnectorConfiguration
            do {
                kind = try kinds.kind(for: entry)
                connector = try kind.configuration(from: entry)
            } catch {
                throw Problem(message: error.message)
            }
            var deprovisioning = Deprovisioning()
            if let flows = node["deprovisioning"] {
                deprovisioning.disableFlow = try flow(flows["disable"], default: .none, at: where_("deprovisioning"))
                deprovisioning.deleteFlow = try flow(flows["delete"], default: .delete, at: where_("deprovisioning"))
            }
            var distinguishedName: (String, String)?
            if let dn = node["distinguishedName"] {
                guard let attribute = dn["attribute"]?.string else { throw Problem(message: "\(where_("distinguishedName")): needs 'attribute'") }
                distinguishedName = (attribute, dn["template"]?.string ?? "CN={anchor},OBJECT=USER")
            }
            specifications.append(ConnectorSpecification(
                name: name, token: secret, kind: kind.name, connector: connector, deprovisioning: deprovisioning,
                distinguishedName: distinguishedName, autosyncMinutes: node["autosyncMinutes"]?.int ?? 120,
                cachesObjects: try cache(node["cache"], at: where_("cache"))))
        }
        return HostConfiguration(connectors: specifications)
    }

    /// `cache: true` or `false`; absent is false.
    static func cache(_ node: Node?, at place: String) throws(Problem) -> Bool {
        guard let node else { return false }
        guard let value = node.bool else { throw Problem(message: "\(place): 'cache' is true or false") }
        return value
    }

    static func flow(_ node: Node?, default value: Deprovisioning.Flow, at place: String) throws(Problem) -> Deprovisioning.Flow {
        guard let node else { return value }
        if let text = node.string {
            switch text.lowercased() {
            case "none": return .none
            case "delete": return .delete
            default: throw Problem(message: "\(place): a flow is 'none', 'delete' or {set: ATTRIBUTE, value: true|false}, not '\(text)'")
            }
        }
        guard let attribute = node["set"]?.string, let flag = node["value"]?.bool else {
            throw Problem(message: "\(place): a flow is 'none', 'delete' or {set: ATTRIBUTE, value: true|false}")
        }
        return .setAttribute(attribute, flag)
    }

    /// The hosted connectors, their stores opened, each with its autosync interval. Each
    /// connector's own background work (a connection pool) is its `run()`, for the service group.
    /// A connector whose store cannot answer queries is served from a local SQLite copy,
    /// `NAME.cache.sqlite` in `cacheFolder`, unless it asks for the memory cache (`cache: true`).
    package func services(logger: Logger, cacheFolder: String = ".") throws(Problem) -> [(service: HostedConnector, autosyncMinutes: Int)] {
        var result: [(HostedConnector, Int)] = []
        for specification in connectors {
            var connector: any Connector
            do {
                connector = try specification.connector.makeConnector(logger: logger)
                if !(connector is any QueryingConnector), !specification.cachesObjects {
                    let path = (cacheFolder as NSString).appendingPathComponent("\(specification.name).cache.sqlite")
                    connector = try LocallyCachedConnector(source: connector, path: path)
                }
            } catch {
                throw Problem(message: "connector '\(specification.name)': \(error.message)")
            }
            let service = HostedConnector(
                name: specification.name, token: specification.token, connector: connector, deprovisioning: specification.deprovisioning,
                distinguishedName: specification.distinguishedName, cachesObjects: specification.cachesObjects, logger: logger)
            result.append((service, specification.autosyncMinutes))
        }
        return result
    }
}
