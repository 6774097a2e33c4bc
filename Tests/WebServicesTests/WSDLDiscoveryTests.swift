import AttrmapTesting
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Connectors
import JSONValues
import ServiceDiscovery
import Testing
import WebServices

/// `attrmap discover soap`: the tree of a WSDL, its imports followed, on a fixture spread over
/// four documents and on the sample SAP service's own WSDL, served; and the starter template
/// written from it.
@Suite struct WSDLDiscoveryTests {
    static let fixture = AttrmapBinary.packageRoot.appendingPathComponent("Fixtures/wsdl/directory/directory.wsdl").path

    static func file(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func aWSDLOverFourDocumentsShowsItsTree() async throws {
        let tree = try await WSDLDiscovery.load(Self.fixture, fetch: Self.file).tree()
        for line in [
            "WSDL urn:contoso:directory (\(Self.fixture) and 3 imported)",
            "    port DirectorySoap12: SOAP 1.2, binding DirectorySoap12, https://directory.contoso.example/soap12",
            "    port AdminRpc: SOAP 1.1, binding AdminRpc, https://directory.contoso.example/admin",
            "  AdminRpc: SOAP 1.1, rpc, port type Admin",
            "    ResetPassword — SOAPAction urn:contoso:admin#ResetPassword",
            // rpc: the parts by type; the named simple type is shown as what it restricts.
            "      in:  userId string, temporary boolean",
            // complexContent extension merged with its base from the included schema; an
            // enumeration, a maximum length, a repeated element, an attribute.
            "      in:  CreateUser {user User {id string, created? dateTime, userName string≤64, displayName? string, [email string], status string (active|disabled), @version}}",
            "      fault: Fault {code int, reason string}",
            "      out: GetUserResponse {Fault? {code int, reason string}, user? User {id string, created? dateTime, userName string≤64, displayName? string, [email string], status string (active|disabled), @version}}",
        ] {
            #expect(tree.contains(line + "\n"), "\(line)")
        }
    }

    @Test func theSampleSAPServicesWSDLWithTwoBindingsAndPolicies() async throws {
        let sap = try SampleApplication(
            executable: "sample-sap-app", arguments: ["--database", "sap.sqlite"], environment: ["SAP_USER": "RFC", "SAP_PASSWORD": "wsdl-check-123"])
        let url = sap.baseURL + "/sap/bc/srt/rfc/sap/zusers/001/zusers/zusers_binding?wsdl"
        let tree = try await WSDLDiscovery.load(url) { location in
            Array(try await URLSession.shared.data(from: URL(string: location)!).0)
        }.tree()
        #expect(tree.contains("    port zusers_binding: SOAP 1.1, binding zusers_binding, \(sap.baseURL)/sap/bc/srt/rfc/sap/zusers/001/zusers/zusers_binding\n"))
        #expect(tree.contains("  zusers_binding_soap12: SOAP 1.2, document, port type ZUSERS\n"))
        #expect(tree.contains("    BAPI_USER_CHANGE — SOAPAction urn:sap-com:document:sap:rfc:functions:ZUSERS:BAPI_USER_CHANGERequest\n"))
        #expect(tree.contains("      out: BAPI_USER_CREATE1Response {GENERATED_PASSWORD? string≤40, RETURN TABLE_OF_BAPIRET2 {[item BAPIRET2 {TYPE? string≤1, ID? string≤20, NUMBER? string≤3, MESSAGE? string≤220,"))
    }

    @Test func theStarterTemplateFromTheSampleSAPServiceMeetsTheConnectorContract() async throws {
        let sap = try SAPApplication()
        let url = sap.endpoint + "?wsdl"
        let text = try await WSDLDiscovery.load(url) { location in
            Array(try await URLSession.shared.data(from: URL(string: location)!).0)
        }.starterTemplate()
        #expect(text.contains("records: \"tns:BAPI_USER_GETLISTResponse/USERLIST/item\"\n"))
        #expect(text.contains("paging: {style: keyset, key: /USERNAME, size: 200}   # review"))
        let root = try ConnectorSettings.parse(yaml: text, file: "starter.yaml", context: "template", folder: "", environment: [:])
        let template = try TemplateReader.read(root, variables: ["APP_URL": sap.endpoint, "APP_USER": SAPApplication.user, "APP_PASSWORD": SAPApplication.password])
        let sample = ConnectorObject(objectType: "User", anchor: "SAMPLE", attributes: [
            "USERNAME": .string("SAMPLE"), "FIRSTNAME": .string("Zoë"), "LASTNAME": .string("Nuñez"), "FULLNAME": .string("Zoë Nuñez"), "CITY": .string("Lisboa"),
        ])
        try await ConnectorConformance.check(ConnectorConformance.Subject(
            connector: try sap.connector(template), sample: sample, anchorAttribute: "USERNAME", textAttribute: "FULLNAME",
            storedPassword: { username in
                let answer = try await sap.call("SUSR_LOGIN_CHECK_RFC", "<BNAME>\(username)</BNAME><PASSWORD>Pass@w0rd1-é</PASSWORD>")
                return answer.contains("<RETURN/>") ? "Pass@w0rd1-é" : nil
            },
            anchorForm: SAPConnectorTests.sapName))
    }

    @Test(arguments: [
        ("<definitions xmlns='http://schemas.xmlsoap.org/wsdl/'><message name='m'>", "bad.wsdl:1:"),
        ("<schema/>", "bad.wsdl:1:1: not a WSDL 1.1 document (the root is schema, not {http://schemas.xmlsoap.org/wsdl/}definitions)"),
        ("<!DOCTYPE x [<!ENTITY e 'e'>]><definitions/>", "bad.wsdl:1:1: a document type declaration (<!DOCTYPE>) is not read"),
    ] as [(String, String)])
    func aDocumentThatCannotBeReadIsALocatedError(text: String, message: String) async {
        do {
            _ = try await WSDLDiscovery.load("bad.wsdl") { _ in Array(text.utf8) }
            Issue.record("read")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }

    @Test func anImportThatCannotBeReadIsNamed() async {
        let text = "<definitions xmlns='http://schemas.xmlsoap.org/wsdl/'><import location='missing.wsdl'/></definitions>"
        do {
            _ = try await WSDLDiscovery.load("/tmp/main.wsdl") { location in
                guard location == "/tmp/main.wsdl" else { throw CocoaError(.fileNoSuchFile) }
                return Array(text.utf8)
            }
            Issue.record("read")
        } catch {
            #expect(error.message.hasPrefix("cannot read /tmp/missing.wsdl"), "\(error.message)")
        }
    }
}
