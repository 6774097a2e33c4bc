import MappingExpressions
import Provisioning
import SCIM
import Testing

/// The example of the Provisioning module's documentation (Provisioning.docc), run as written.
struct DocumentationExampleTests {
    @Test func aNewUserIsMatchedThenCreated() throws {
        let loaded = MappingSetLoader().load(text: """
            mappings:
              - target: userName
                source: '[userPrincipalName]'
                matchingPrecedence: 1
            """, name: "mappings.yaml")
        let mappingSet = try #require(loaded.mappingSet, "\(loaded.diagnostics)")

        let provisioner = Provisioner(mappingSet: mappingSet)
        let outcome = provisioner.provision(SourceUser(attributes: ["userPrincipalName": "alice@contoso.com"]))
        let lines = outcome.requests.map { "\($0.http.method) \($0.http.target)" }
        #expect(lines == [#"GET /Users?filter=userName eq "alice@contoso.com""#, "POST /Users"])
        #expect(outcome.action == .create)
    }
}
