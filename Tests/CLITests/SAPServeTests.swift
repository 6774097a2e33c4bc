import AttrmapTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JSONValues
import Testing

/// `attrmap serve` with the web services connector into the sample SAP service over SOAP, both
/// really started: Entra's cycle through the SAP template, the password in the create's first pass.
@Suite struct SAPServeTests {
    static let ext = "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User"
    static let token = "sap-host-token-0123456789"
    static let servicePassword = "sap-service-password-0123"

    /// A function module called as another client would: the response's text.
    static func call(_ app: SampleApplication, _ function: String, _ parameters: String) async throws -> String {
        var request = URLRequest(url: URL(string: app.baseURL + "/sap/bc/srt/rfc/sap/zusers/001/zusers/zusers_binding")!)
        request.httpMethod = "POST"
        request.setValue("text/xml; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue("Basic " + Data("RFC_USER:\(servicePassword)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.httpBody = Data("""
            <e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>\
            <f:\(function) xmlns:f="urn:sap-com:document:sap:rfc:functions">\(parameters)</f:\(function)></e:Body></e:Envelope>
            """.utf8)
        return String(decoding: try await URLSession.shared.data(for: request).0, as: UTF8.self)
    }

    static func patch(_ operations: String) -> String {
        #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[\#(operations)]}"#
    }

    static func user(_ name: String, lastName: String? = "Lee") -> String {
        """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\(ext)"],"userName":"\(name.lowercased())@contoso.com","password":"Initial-Pass-1",
         "\(ext)":{"userName":"\(name)","firstName":"Ann",\(lastName.map { #""lastName":"\#($0)","# } ?? "")"department":"Sales","roles":["Z_EMPLOYEE"]}}
        """
    }

    @Test func provisionsThroughTheHostIntoSAP() async throws {
        let app = try SampleApplication(
            executable: "sample-sap-app", arguments: ["--database", "sap.sqlite", "--seed", "250"],
            environment: ["SAP_USER": "RFC_USER", "SAP_PASSWORD": Self.servicePassword])
        let folder = app.folder.appendingPathComponent("host")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let template = AttrmapBinary.packageRoot.appendingPathComponent("Examples/web-services/templates/sap-app.yaml").path
        try """
            connectors:
              - name: sap
                token: ${SAP_HOST_TOKEN}
                webservice: \(template)
                variables: {SAP_URL: "\(app.baseURL)/sap/bc/srt/rfc/sap/zusers/001/zusers/zusers_binding", SAP_USER: RFC_USER}
            """.write(to: folder.appendingPathComponent("serve.yaml"), atomically: true, encoding: .utf8)
        let server = try ServeCommandTests.Server(
            data: "", token: nil, connector: "sap", arguments: ["--config", folder.appendingPathComponent("serve.yaml").path],
            environment: ["SAP_PASSWORD": Self.servicePassword, "SAP_HOST_TOKEN": Self.token])
        defer { server.stop() }

        // The first import: two pages by key, a detail call per user.
        let (listed, list) = try await server.send("GET", "/Users?count=1", token: Self.token)
        #expect(listed == 200)
        #expect(try JSON.parse(list)["totalResults"] == .number("250"))

        // A create, its password in the same call: the user logs in with it.
        let (created, body) = try await server.send("POST", "/Users", token: Self.token, body: Self.user("ANN"))
        #expect(created == 201, "\(body)")
        let detail = try await Self.call(app, "BAPI_USER_GET_DETAIL", "<USERNAME>ANN</USERNAME><ACTIVITYGROUPS/><RETURN/>")
        #expect(detail.contains("<LASTNAME>Lee</LASTNAME>") && detail.contains("<AGR_NAME>Z_EMPLOYEE</AGR_NAME>"), "\(detail)")
        #expect(try await Self.call(app, "SUSR_LOGIN_CHECK_RFC", "<BNAME>ANN</BNAME><PASSWORD>Initial-Pass-1</PASSWORD>").contains("<RETURN/>"))

        // An update changes the flagged field; the expiration date disables, as Entra maps it.
        let (updated, _) = try await server.send("PATCH", "/Users/ANN", token: Self.token, body: Self.patch("""
            {"op":"replace","path":"\(Self.ext):department","value":"Finance"},{"op":"replace","path":"\(Self.ext):expirationTime","value":"1990-01-01"}
            """))
        #expect(updated == 200)
        let changed = try await Self.call(app, "BAPI_USER_GET_DETAIL", "<USERNAME>ANN</USERNAME><RETURN/>")
        #expect(changed.contains("<DEPARTMENT>Finance</DEPARTMENT>") && changed.contains("<GLTGB>1990-01-01</GLTGB>"), "\(changed)")
        #expect(changed.contains("<FIRSTNAME>Ann</FIRSTNAME>"))

        // A user the first import read is known: 409 before SAP is asked.
        let (conflict, why) = try await server.send("POST", "/Users", token: Self.token, body: Self.user("U0000007"))
        #expect(conflict == 409)
        #expect(why.contains("'U0000007' already exists"), "\(why)")
        // SAP refuses: its RETURN row becomes a SCIM error with SAP's message.
        let (refused, reason) = try await server.send("POST", "/Users", token: Self.token, body: Self.user("BEA", lastName: nil))
        #expect(refused == 400)
        #expect(reason.contains("Enter a last name for user BEA"), "\(reason)")

        // Deleted, and committed.
        #expect(try await server.send("DELETE", "/Users/ANN", token: Self.token).0 == 204)
        #expect(try await Self.call(app, "BAPI_USER_GET_DETAIL", "<USERNAME>ANN</USERNAME><RETURN/>").contains("User ANN does not exist"))

        // Nothing the host logged holds the service password, a token or a user's password.
        let log = server.stopAndReadLog()
        for secret in [Self.servicePassword, Self.token, "Initial-Pass-1"] { #expect(!log.contains(secret)) }
    }
}
