package import ConnectorHost
package import Connectors
import Foundation
import JSONValues
import LocalCache
package import Logging
import SCIMHost

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

    /// The keys of a connector's entry the host reads itself; the kind reads its own.
    static let hostKeys = ["name", "token", "tokenFile", "kind", "deprovisioning", "distinguishedName", "autosyncMinutes", "cache"]

    /// Reads a configuration file, each connector's store through the kind it names, strictly:
    /// a key the host or the kind does not read, a key written twice, `yes` for `true`, each is
    /// an error at its line and column. `${NAME}` in a token reads the environment variable NAME.
    package static func load(
        path: String, kinds: ConnectorKinds, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(Problem) -> HostConfiguration {
        do {
            return try read(ConnectorSettings.load(file: path, context: "configuration", environment: environment), kinds: kinds)
        } catch {
            throw Problem(message: error.message)
        }
    }

    static func read(_ root: ConnectorSettings, kinds: ConnectorKinds) throws(ConnectorSettings.Problem) -> HostConfiguration {
        try root.checkKeys(["connectors"], what: "the configuration")
        guard let connectors = root["connectors"]?.sequence, !connectors.isEmpty else {
            throw root.problem("expected a list 'connectors' with at least one connector")
        }
        var specifications: [ConnectorSpecification] = []
        for (index, item) in connectors.enumerated() {
            var entry = item
            entry.context = "connector \(index + 1)"
            guard let name = entry["name"]?.string, !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw (entry["name"] ?? entry).problem("every connector needs a 'name' of letters, digits, '_' or '-'")
            }
            if specifications.contains(where: { $0.name == name }) { throw entry["name"]!.problem("the name '\(name)' is used twice") }
            var token = try entry["token"]?.expanded()
            if token == nil, let file = entry["tokenFile"], let resolved = file.resolvedPath() {
                token = (try? String(contentsOfFile: resolved, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                if token == nil { throw file.problem("cannot read '\(resolved)'") }
            }
            guard let secret = token, secret.count >= 12 else {
                throw (entry["token"] ?? entry).problem("connector '\(name)' needs a secret token of at least 12 characters ('token', '${VARIABLE}' or 'tokenFile')")
            }
            let kind = try kinds.kind(for: entry)
            let connector = try kind.configuration(from: entry)
            try entry.checkKeys(hostKeys + [kind.name] + kind.keys, what: "a connector of kind '\(kind.name)'")
            var deprovisioning = Deprovisioning()
            if let flows = entry["deprovisioning"] {
                try flows.checkKeys(["disable", "delete"], what: "'deprovisioning'")
                deprovisioning.disableFlow = try flow(flows["disable"], default: .none)
                deprovisioning.deleteFlow = try flow(flows["delete"], default: .delete)
            }
            var distinguishedName: (String, String)?
            if let dn = entry["distinguishedName"] {
                try dn.checkKeys(["attribute", "template"], what: "'distinguishedName'")
                guard let attribute = dn["attribute"]?.string else { throw dn.problem("needs 'attribute'") }
                distinguishedName = (attribute, dn["template"]?.string ?? "CN={anchor},OBJECT=USER")
            }
            var autosync = 120
            if let minutes = entry["autosyncMinutes"] {
                guard let number = minutes.int, number >= 1 else { throw minutes.problem("'autosyncMinutes' is a whole number of minutes, at least 1") }
                autosync = number
            }
            var caches = false
            if let cache = entry["cache"] {
                guard let flag = cache.bool else { throw cache.problem("'cache' is true or false") }
                caches = flag
            }
            specifications.append(ConnectorSpecification(
                name: name, token: secret, kind: kind.name, connector: connector, deprovisioning: deprovisioning,
                distinguishedName: distinguishedName, autosyncMinutes: autosync, cachesObjects: caches))
        }
        return HostConfiguration(connectors: specifications)
    }

    static func flow(_ node: ConnectorSettings?, default value: Deprovisioning.Flow) throws(ConnectorSettings.Problem) -> Deprovisioning.Flow {
        guard let node else { return value }
        if let text = node.string {
            switch text.lowercased() {
            case "none": return .none
            case "delete": return .delete
            default: throw node.problem("a flow is 'none', 'delete' or {set: ATTRIBUTE, value: true|false}, not '\(text)'")
            }
        }
        try node.checkKeys(["set", "value"], what: "a flow")
        guard let attribute = node["set"]?.string, let flag = node["value"]?.bool else {
            throw node.problem("a flow is 'none', 'delete' or {set: ATTRIBUTE, value: true|false}")
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
