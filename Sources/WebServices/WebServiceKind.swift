package import Connectors
import Foundation
package import Logging

/// `webservice: TEMPLATE.yaml` in a connector's entry: the web services connector, calling the
/// application that the template describes.
///
/// ```yaml
/// webservice: hr-app.template.yaml   # relative to the configuration file
/// variables:                         # what ${NAME} in the template's connection means
///   HR_URL: http://127.0.0.1:8089/api/v1
///   HR_API_KEY: ${HR_API_KEY}        # from the environment; never written here
/// ```
///
/// A variable not given here is read from the environment.
package struct WebServiceKind: ConnectorKind {
    package init() {}

    package var name: String { "webservice" }

    package var keys: [String] { ["variables"] }

    package struct Configuration: ConnectorConfiguration {
        package var template: WebServiceTemplate

        package func makeConnector(logger: Logger) throws(ConnectorError) -> any Connector {
            let transport: HTTP1Transport
            do { transport = try HTTP1Transport(connection: template.connection) } catch {
                throw ConnectorError(.failed, "\(template.file): \(error)")
            }
            return WebServiceConnector(template: template, transport: transport, logger: logger)
        }
    }

    package func configuration(from entry: ConnectorSettings) throws(ConnectorSettings.Problem) -> any ConnectorConfiguration {
        guard let file = entry["webservice"], let path = file.resolvedPath() else {
            throw entry.problem("'webservice' names the template file (YAML)")
        }
        var variables: [String: String] = [:]
        if let given = entry["variables"] {
            guard let members = given.mapping else { throw given.problem("'variables' is a map of names to values") }
            for (name, value) in members {
                guard let text = try value.expanded() else { throw value.problem("the variable \(name) is a text") }
                variables[name] = text
            }
        }
        guard FileManager.default.fileExists(atPath: path) else { throw file.problem("the template '\(path)' does not exist") }
        return Configuration(template: try TemplateReader.read(file: path, variables: variables, environment: entry.environment))
    }
}
