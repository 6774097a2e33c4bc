import AttrmapTesting
import Foundation
import Testing

/// `attrmap import ecma`: the three exports of Examples/ecma-import (a generic SQL, a web services
/// and a custom DLL connector, written in the documented export format) become configurations
/// that `attrmap serve --check` accepts, with no secret written and every setting left behind
/// reported at its place in the export.
@Suite struct ImportECMATests {
    static func export(_ name: String) -> String {
        AttrmapBinary.packageRoot.appendingPathComponent("Examples/ecma-import/\(name).xml").path
    }

    /// The placeholder values of the exports' encrypted parameters and tokens: none is ever written.
    static func encryptedValues(_ name: String) throws -> [String] {
        let text = try String(contentsOfFile: export(name), encoding: .utf8)
        return text.components(separatedBy: "AQAAANCMnd8").dropFirst().map { "AQAAANCMnd8" + $0.prefix { $0 != "<" && $0 != "\"" } }
    }

    /// Converts `name` into a folder, checks it with serve --check, and returns the configuration,
    /// the report and the folder's files.
    static func convert(_ name: String, environment: [String: String]) throws -> (configuration: String, report: String, files: [String: String]) {
        let folder = try TemporaryFolder("import-\(name)")
        defer { folder.remove() }
        let output = folder.path("serve.yaml")
        let run = try AttrmapBinary.run(["import", "ecma", export(name), "--output", output])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.isEmpty, "the configuration went to --output")
        var files: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.url.path) {
            files[file] = try String(contentsOfFile: folder.path(file), encoding: .utf8)
        }
        for secret in try encryptedValues(name) {
            #expect(!files.values.contains { $0.contains(secret) } && !run.stderr.contains(secret), "an encrypted value was written: \(secret)")
        }
        let check = try AttrmapBinary.run(["serve", "--config", output, "--check"], environment: environment)
        #expect(check.status == 0, "serve --check: \(check.stderr)")
        #expect(check.stderr.contains("the configuration is valid"), "\(check.stderr)")
        // Without the variables the configuration reads, serve names the one missing.
        let missing = try AttrmapBinary.run(["serve", "--config", output, "--check"])
        #expect(missing.status == 65, "\(missing.stderr)")
        #expect(missing.stderr.contains("ATTRMAP_"), "\(missing.stderr)")
        return (files["serve.yaml"] ?? "", run.stderr, files)
    }

    @Test func aGenericSQLExportBecomesAnSQLConnector() throws {
        let (configuration, report, _) = try Self.convert(
            "generic-sql", environment: ["ATTRMAP_HR_TOKEN": "hr-token-0123456789", "ATTRMAP_HR_DB_PASSWORD": "database-password"])
        #expect(configuration.contains("  - name: HR\n    token: \"${ATTRMAP_HR_TOKEN}\""), "\(configuration)")
        #expect(configuration.contains(#"postgres: {host: db.contoso.lab, port: 5432, database: contoso, user: provisioning, password: "${ATTRMAP_HR_DB_PASSWORD}"}"#), "\(configuration)")
        #expect(configuration.contains("table: Employees\n        anchor: ContosoLogin"), "\(configuration)")
        // The generic SQL connector's statements, one a line, become a list.
        #expect(configuration.contains(#"insert: ["INSERT INTO Employees (ContosoLogin, FirstName, LastName, Email, AzureID) VALUES (@ContosoLogin, @FirstName, @LastName, @Email, @AzureID)", "INSERT INTO Audit (login, action) VALUES (@ContosoLogin, 'add')"]"#), "\(configuration)")
        #expect(configuration.contains(#"distinguishedName: {attribute: AzureID, template: "CN={anchor},OBJECT=USER"}"#), "\(configuration)")
        #expect(configuration.contains("deprovisioning: {disable: delete, delete: delete}"), "\(configuration)")
        #expect(configuration.contains("autosyncMinutes: 120"), "\(configuration)")
        // Each note at its place in the export.
        let export = Self.export("generic-sql")
        #expect(report.contains("\(export):149:9: note: HR: the certificate 3F9A6C2B… is one of the Windows certificate store"), "\(report)")
        #expect(report.contains("\(export):141:9: note: HR: the secret token is encrypted in the export and not carried over: set ATTRMAP_HR_TOKEN"), "\(report)")
        #expect(report.contains("\(export):60:11: note: HR: delta strategy 'None'"), "\(report)")
        #expect(report.contains("2 variables to set: ATTRMAP_HR_TOKEN, ATTRMAP_HR_DB_PASSWORD"), "\(report)")
    }

    @Test func aWebServicesExportBecomesAWebServiceEntryAndAStarterTemplate() throws {
        let (configuration, report, files) = try Self.convert(
            "web-services", environment: ["ATTRMAP_CRM_TOKEN": "crm-token-0123456789", "ATTRMAP_CRM_PASSWORD": "application-password"])
        #expect(configuration.contains("webservice: crm.yaml"), "\(configuration)")
        let template = try #require(files["crm.yaml"], "no template beside the configuration: \(files.keys)")
        #expect(template.contains(#"baseURL: "https://crm.contoso.lab:8443""#), "\(template)")
        #expect(template.contains(#"authentication: {type: basic, username: svc-provisioning, password: "${ATTRMAP_CRM_PASSWORD}"}"#), "\(template)")
        #expect(template.contains("- {name: userName, required: true}") && template.contains("- {name: roles, multiValued: true}"), "\(template)")
        #expect(template.contains(#"setPassword: [{PUT: "/users/{[userName]}/password""#), "SupportPassword: \(template)")
        #expect(report.contains("\(Self.export("web-services")):10:11: note: CRM: the workflows of 'Contoso.CRM.wsconfig'"), "\(report)")
        #expect(report.contains("the parameter 'Page Size' = \"100\" is not carried over"), "\(report)")
    }

    @Test func aCustomDLLExportBecomesAProcessConnectorPerPartition() throws {
        let (configuration, report, _) = try Self.convert(
            "custom-dll",
            environment: [
                "ATTRMAP_PAYROLL_EMEA_TOKEN": "emea-token-0123456789", "ATTRMAP_PAYROLL_AMER_TOKEN": "amer-token-0123456789",
                "ATTRMAP_PAYROLL_API_KEY": "api-key",
            ])
        #expect(configuration.contains("  - name: PAYROLL_EMEA\n") && configuration.contains("  - name: PAYROLL_AMER\n"), "\(configuration)")
        #expect(configuration.contains(#"command: ["./payroll-connector"]"#), "\(configuration)")
        #expect(configuration.contains(#"environment: {API_KEY: "${ATTRMAP_PAYROLL_API_KEY}"}"#), "\(configuration)")
        #expect(configuration.contains(#"settings: {Server: payroll.contoso.lab, "Company Code": "1000", "Use TLS": true, partition: EMEA}"#), "\(configuration)")
        #expect(configuration.contains("deprovisioning: {disable: {set: Active, value: false}, delete: delete}"), "\(configuration)")
        #expect(report.contains("\(Self.export("custom-dll")):63:9: note: PAYROLL: Contoso.Payroll.EcmaConnector is an ECMA2 DLL"), "\(report)")
        #expect(report.contains("ExportPasswordInFirstPass"), "\(report)")
    }

    @Test func aFileThatIsNotAnExportIsALocatedError() throws {
        let folder = try TemporaryFolder("import-bad")
        defer { folder.remove() }
        try "<Configuration>\n  <Connectors>\n    <Connector>\n  </Connectors>\n".write(toFile: folder.path("broken.xml"), atomically: true, encoding: .utf8)
        let broken = try AttrmapBinary.run(["import", "ecma", folder.path("broken.xml")])
        #expect(broken.status == 65, "\(broken.stderr)")
        #expect(broken.stderr.contains("broken.xml:4:"), "\(broken.stderr)")
        try "<Workflow/>".write(toFile: folder.path("other.xml"), atomically: true, encoding: .utf8)
        let other = try AttrmapBinary.run(["import", "ecma", folder.path("other.xml")])
        #expect(other.status == 65, "\(other.stderr)")
        #expect(other.stderr.contains("<Workflow> is not an exported connector configuration"), "\(other.stderr)")
        // An existing file is kept unless --force.
        try "kept".write(toFile: folder.path("serve.yaml"), atomically: true, encoding: .utf8)
        let kept = try AttrmapBinary.run(["import", "ecma", Self.export("generic-sql"), "--output", folder.path("serve.yaml")])
        #expect(kept.status == 1, "\(kept.stderr)")
        #expect(try String(contentsOfFile: folder.path("serve.yaml"), encoding: .utf8) == "kept")
        let forced = try AttrmapBinary.run(["import", "ecma", Self.export("generic-sql"), "--output", folder.path("serve.yaml"), "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
    }
}
