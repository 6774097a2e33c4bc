import AttrmapTesting
import Connectors
import JSONValues
import Testing

/// The in-memory connector, which the host's tests stand on, meets the shared contract too.
struct InMemoryConnectorTests {
    @Test func meetsTheConnectorContract() async throws {
        let schema = ConnectorSchema(objectTypes: [
            .init(name: "User", anchor: "id", attributes: [.init(name: "city"), .init(name: "proxyAddresses", multiValued: true)], keepsDocument: true),
        ])
        let sample = ConnectorObject(
            objectType: "User", anchor: "x", attributes: ["city": .string("Oslo"), "proxyAddresses": .array([.string("SMTP:a@contoso.com")])],
            document: .object([("userName", .string("ljacobson@contoso.com"))]))
        try await ConnectorConformance.check(.init(
            connector: InMemoryConnector(schema: schema), sample: sample, textAttribute: "city", multiValuedAttribute: "proxyAddresses"))
    }
}
