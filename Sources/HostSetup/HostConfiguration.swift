public import ConnectorHost
import Connectors
import Foundation
import JSONValues
public import Logging
public import SCIMHost
public import SQLConnector
import Yams

/// `attrmap serve --config FILE`: several named connectors, each with its own token, store,
/// tables, deprovisioning flows and distinguished-name template.
///
/// ```yaml
/// connectors:
///   - name: HR
///     token: ${HR_TOKEN}              # or tokenFile: hr.token
///     sqlite: hr.sqlite               # relative to the configuration file
///     sync: normal                    # or full: each commit synced to disk before the answer
///     setUp: |                        # optional SQL run at start
///       CREATE TABLE IF NOT EXISTS Employees (ContosoLogin TEXT PRIMARY KEY, FirstName TEXT, …);
///     objectTypes:
///       - objectType: User
///         table: Employees
///         anchor: ContosoLogin
///         multiValued: [proxyAddresses]
///         statements:                 # optional, each in place of the generated one
///           select: SELECT * FROM EmployeesView
///           insert: INSERT INTO Employees (ContosoLogin, FirstName) VALUES (@ContosoLogin, @FirstName)
///           update: UPDATE Employees SET FirstName = @FirstName WHERE ContosoLogin = @ContosoLogin
///           delete: DELETE FROM Employees WHERE ContosoLogin = @ContosoLogin
///     deprovisioning: {disable: none, delete: delete}
///     distinguishedName: {attribute: dn, template: "CN={anchor},OBJECT=USER"}
///     autosyncMinutes: 120
/// ```
public struct HostConfiguration: Sendable {
    public var connectors: [ConnectorSpecification]

    public struct ConnectorSpecification: Sendable {
        public var name: String
        public var token: String
        public var store: Store
        public var setUp: String?
        public var sql: SQLConfiguration
        public var deprovisioning: Deprovisioning
        public var distinguishedName: (attribute: String, template: String)?
        public var autosyncMinutes: Int
    }

    /// Where a connector keeps its objects.
    public enum Store: Sendable {
        case sqlite(path: String, synchronous: SQLiteConnector.Synchronous)
        case postgres(PostgresConnector.Endpoint)
    }

    /// A configuration problem, with the place in the file when known.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Reads a configuration file. `${NAME}` in a token reads the environment variable NAME.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Problem) -> HostConfiguration {
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
            func where_(_ key: String) -> String {
                let mark = node[key]?.mark ?? node.mark
                return "\(path):\(mark.map { "\($0.line):\($0.column)" } ?? "?") (connector \(index + 1), '\(key)')"
            }
            guard let name = node["name"]?.string, !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw Problem(message: "\(where_("name")): every connector needs a 'name' of letters, digits, '_' or '-'")
            }
            if specifications.contains(where: { $0.name == name }) { throw Problem(message: "\(where_("name")): the name '\(name)' is used twice") }
            var token = node["token"]?.string
            if let value = token, value.hasPrefix("${"), value.hasSuffix("}") {
                let variable = String(value.dropFirst(2).dropLast())
                token = environment[variable]
                if token == nil { throw Problem(message: "\(where_("token")): the environment variable \(variable) is not set") }
            }
            if token == nil, let file = node["tokenFile"]?.string {
                let resolved = file.hasPrefix("/") ? file : (folder as NSString).appendingPathComponent(file)
                token = (try? String(contentsOfFile: resolved, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                if token == nil { throw Problem(message: "\(where_("tokenFile")): cannot read '\(resolved)'") }
            }
            guard let secret = token, secret.count >= 12 else {
                throw Problem(message: "\(where_("token")): connector '\(name)' needs a secret token of at least 12 characters ('token', '${VARIABLE}' or 'tokenFile')")
            }
            func expand(_ text: String?) throws(Problem) -> String? {
                guard let text, text.hasPrefix("${"), text.hasSuffix("}") else { return text }
                let variable = String(text.dropFirst(2).dropLast())
                guard let value = environment[variable] else { throw Problem(message: "\(where_("postgres")): the environment variable \(variable) is not set") }
                return value
            }
            let store: Store
            if let database = node["sqlite"]?.string {
                let sync = node["sync"]?.string ?? SQLiteConnector.Synchronous.normal.rawValue
                guard let synchronous = SQLiteConnector.Synchronous(rawValue: sync) else {
                    throw Problem(message: "\(where_("sync")): 'sync' is 'normal' or 'full', not '\(sync)'")
                }
                store = .sqlite(path: database.hasPrefix("/") ? database : (folder as NSString).appendingPathComponent(database), synchronous: synchronous)
            } else if node["sync"] != nil {
                throw Problem(message: "\(where_("sync")): 'sync' applies to a 'sqlite' store; PostgreSQL's durability is the server's own setting")
            } else if let postgres = node["postgres"], let user = try expand(postgres["user"]?.string), let database = try expand(postgres["database"]?.string) {
                store = .postgres(.init(
                    host: try expand(postgres["host"]?.string) ?? "127.0.0.1", port: postgres["port"]?.int ?? 5432, username: user,
                    password: try expand(postgres["password"]?.string), database: database))
            } else {
                throw Problem(message: "\(where_("sqlite")): connector '\(name)' needs a store: 'sqlite: FILE' or 'postgres: {host, port, user, password, database}'")
            }
            var objectTypes: [SQLConfiguration.ObjectTypeMapping] = []
            for typeNode in node["objectTypes"]?.sequence ?? [] {
                guard let table = typeNode["table"]?.string, let anchor = typeNode["anchor"]?.string else {
                    throw Problem(message: "\(where_("objectTypes")): each object type needs 'table' and 'anchor'")
                }
                var columns: [String: String] = [:]
                for (key, value) in typeNode["columns"]?.mapping ?? [:] {
                    if let attribute = key.string, let column = value.string { columns[attribute] = column }
                }
                objectTypes.append(.init(
                    objectType: typeNode["objectType"]?.string ?? "User", table: table, anchorColumn: anchor,
                    generatesAnchor: typeNode["generateAnchor"]?.bool ?? false, columns: columns,
                    multiValued: typeNode["multiValued"]?.sequence?.compactMap(\.string) ?? [],
                    documentColumn: typeNode["document"]?.string, passwordColumn: typeNode["password"]?.string,
                    statements: try statements(typeNode["statements"], path: path, connector: index + 1)))
            }
            let sql = objectTypes.isEmpty ? SQLConfiguration.embeddedDefault : SQLConfiguration(objectTypes: objectTypes)
            let setUp = node["setUp"]?.string ?? (objectTypes.isEmpty ? SQLConfiguration.embeddedDefaultTables : nil)
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
                name: name, token: secret, store: store, setUp: setUp, sql: sql, deprovisioning: deprovisioning,
                distinguishedName: distinguishedName, autosyncMinutes: node["autosyncMinutes"]?.int ?? 120))
        }
        return HostConfiguration(connectors: specifications)
    }

    /// The `statements` of an object type: `select` (plain SQL), and `insert`, `update`, `delete`,
    /// `setPassword` with `@Attribute` placeholders, each a string (statements separated by `;`)
    /// or a list of statements.
    static func statements(_ node: Node?, path: String, connector: Int) throws(Problem) -> SQLStatements {
        guard let node else { return SQLStatements() }
        guard let mapping = node.mapping else {
            throw Problem(message: "\(path):\(node.mark.map { "\($0.line):\($0.column)" } ?? "?") (connector \(connector), 'statements'): expected a map of select, insert, update, delete, setPassword")
        }
        var result = SQLStatements()
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let place = "\(path):\(value.mark.map { "\($0.line):\($0.column)" } ?? "?") (connector \(connector), 'statements.\(key)')"
            let text: String
            if let list = value.sequence {
                text = list.compactMap(\.string).joined(separator: ";\n")
            } else if let single = value.string {
                text = single
            } else {
                throw Problem(message: "\(place): expected SQL text or a list of statements")
            }
            func template() throws(Problem) -> SQLTemplate {
                do { return try SQLTemplate(text) } catch {
                    // A one-line plain scalar: point at the character itself.
                    if let mark = value.mark, value.scalar?.style == .plain, !text.contains("\n") {
                        throw Problem(message: "\(path):\(mark.line):\(mark.column + error.offset) (connector \(connector), 'statements.\(key)'): \(error.message)")
                    }
                    throw Problem(message: "\(place): \(error.message)")
                }
            }
            switch key {
            case "select": result.select = text
            case "insert": result.insert = try template()
            case "update": result.update = try template()
            case "delete": result.delete = try template()
            case "setPassword": result.setPassword = try template()
            default: throw Problem(message: "\(place): unknown statement '\(key)'; expected select, insert, update, delete or setPassword")
            }
        }
        return result
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
    public func services(logger: Logger) async throws(Problem) -> [(service: HostedConnector, autosyncMinutes: Int)] {
        var result: [(HostedConnector, Int)] = []
        for specification in connectors {
            let connector: any Connector
            switch specification.store {
            case .sqlite(let path, let synchronous):
                do {
                    connector = try SQLiteConnector(path: path, configuration: specification.sql, setUp: specification.setUp, synchronous: synchronous)
                } catch {
                    throw Problem(message: "connector '\(specification.name)': \(error.message)")
                }
            case .postgres(let endpoint):
                connector = PostgresConnector(endpoint: endpoint, configuration: specification.sql, setUp: specification.setUp, logger: logger)
            }
            let service = HostedConnector(
                name: specification.name, token: specification.token, connector: connector, deprovisioning: specification.deprovisioning,
                distinguishedName: specification.distinguishedName, logger: logger)
            result.append((service, specification.autosyncMinutes))
        }
        return result
    }
}
