import AttrmapTesting
import Connectors
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSONValues
import Logging
import WebServices

/// The sample HR application, started for a test, and the connector on it through the
/// template in Examples/web-services/templates.
final class HRApplication: Sendable {
    static let apiKey = "hr-test-key-0123456789"
    static let templatePath = AttrmapBinary.packageRoot.appendingPathComponent("Examples/web-services/templates/hr-app.yaml").path

    let application: SampleApplication
    let requestLog: URL

    init(
        rate: Int? = nil, oauth: (id: String, secret: String, lifetime: Int)? = nil, digest: (user: String, password: String)? = nil, extra: [String] = []
    ) throws {
        var arguments = ["--database", "hr.sqlite", "--request-log", "requests.ndjson"] + extra
        if let rate { arguments += ["--rate", String(rate)] }
        var environment = ["HR_API_KEY": Self.apiKey]
        if let oauth {
            environment["HR_CLIENT_ID"] = oauth.id
            environment["HR_CLIENT_SECRET"] = oauth.secret
            arguments += ["--token-lifetime", String(oauth.lifetime)]
        }
        if let digest {
            environment["HR_DIGEST_USER"] = digest.user
            environment["HR_DIGEST_PASSWORD"] = digest.password
        }
        application = try SampleApplication(executable: "sample-hr-app", arguments: arguments, environment: environment)
        requestLog = application.folder.appendingPathComponent("requests.ndjson")
    }

    var apiURL: String { application.baseURL + "/api/v1" }

    func template(variables: [String: String] = [:]) throws -> WebServiceTemplate {
        try TemplateReader.read(
            file: Self.templatePath, variables: ["HR_URL": apiURL, "HR_API_KEY": Self.apiKey].merging(variables) { $1 }, environment: [:])
    }

    /// The template with its text edited first.
    func template(editing edit: (String) -> String) throws -> WebServiceTemplate {
        let text = edit(try String(contentsOfFile: Self.templatePath, encoding: .utf8))
        let root = try ConnectorSettings.parse(yaml: text, file: "hr-app.yaml", context: "template", folder: "", environment: [:])
        return try TemplateReader.read(root, variables: ["HR_URL": apiURL, "HR_API_KEY": Self.apiKey])
    }

    func connector(_ template: WebServiceTemplate? = nil) throws -> WebServiceConnector {
        let template = try template ?? self.template()
        return WebServiceConnector(template: template, transport: try HTTP1Transport(connection: template.connection), logger: Logger(label: "test"))
    }

    /// The requests the application received, in order.
    func requests() throws -> [JSON] {
        guard let data = FileManager.default.contents(atPath: requestLog.path) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { try JSON.parse(String($0)) }
    }

    /// Calls the application's own API, as another client would.
    func call(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, body: JSON?) {
        var request = URLRequest(url: URL(string: apiURL + path)!)
        request.httpMethod = method
        request.setValue(Self.apiKey, forHTTPHeaderField: "X-API-Key")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let body { request.httpBody = Data(body.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, data.isEmpty ? nil : try? JSON.parse(Array(data)))
    }
}
