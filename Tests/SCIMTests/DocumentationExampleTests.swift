import SCIM
import Testing

/// The example of the SCIM module's documentation (SCIM.docc), run as written.
struct DocumentationExampleTests {
    @Test func searchEncodesAndDecodesBack() throws {
        let filter = try Filter.parse(#"userName eq "alice@contoso.com""#)
        let request = SCIMRequest.search(.user, filter: filter)
        #expect(request.http.method == "GET")
        #expect(request.http.target == #"/Users?filter=userName eq "alice@contoso.com""#)
        #expect(request.http.encodedTarget == "/Users?filter=userName%20eq%20%22alice@contoso.com%22")

        let decoded = try SCIMRequest(
            method: "GET", path: "/Users", query: "filter=userName%20eq%20%22alice%40contoso.com%22", body: nil)
        #expect(decoded == request)
    }
}
