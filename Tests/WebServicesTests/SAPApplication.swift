import AttrmapTesting
import Connectors
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import WebServices

/// The sample SAP user service, started for a test, and the connector on it through the
/// template in Examples/web-services/templates.
final class SAPApplication: Sendable {
    static let user = "RFC_USER"
    static let password = "sap-test-password-0123"
    static let templatePath = AttrmapBinary.packageRoot.appendingPathComponent("Examples/web-services/templates/sap-app.yaml").path

    let application: SampleApplication

    init(seed: Int = 0) throws {
        application = try SampleApplication(
            executable: "sample-sap-app", arguments: ["--database", "sap.sqlite", "--seed", String(seed)],
            environment: ["SAP_USER": Self.user, "SAP_PASSWORD": Self.password])
    }

    var endpoint: String { application.baseURL + "/sap/bc/srt/rfc/sap/zusers/001/zusers/zusers_binding" }

    var variables: [String: String] { ["SAP_URL": endpoint, "SAP_USER": Self.user, "SAP_PASSWORD": Self.password] }

    func template(editing edit: (String) -> String = { $0 }, variables extra: [String: String] = [:]) throws -> WebServiceTemplate {
        let text = edit(try String(contentsOfFile: Self.templatePath, encoding: .utf8))
        let root = try ConnectorSettings.parse(yaml: text, file: "sap-app.yaml", context: "template", folder: "", environment: [:])
        return try TemplateReader.read(root, variables: variables.merging(extra) { $1 })
    }

    func connector(_ template: WebServiceTemplate? = nil) throws -> WebServiceConnector {
        let template = try template ?? self.template()
        return WebServiceConnector(template: template, transport: try HTTP1Transport(connection: template.connection), logger: Logger(label: "test"))
    }

    /// Calls a function module as another client would, a hand-written SOAP 1.1 envelope with
    /// HTTP Basic: the response's text.
    func call(_ function: String, _ parameters: String) async throws -> String {
        var request = URLRequest(url: URL(string: endpoint)!)
        request.httpMethod = "POST"
        request.setValue("text/xml; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue("Basic " + Data("\(Self.user):\(Self.password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.httpBody = Data("""
            <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>\
            <f:\(function) xmlns:f="urn:sap-com:document:sap:rfc:functions">\(parameters)</f:\(function)></e:Body></e:Envelope>
            """.utf8)
        let (data, _) = try await URLSession.shared.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }
}
