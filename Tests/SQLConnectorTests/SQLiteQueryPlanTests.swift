import Connectors
import SQLConnector
import Testing

/// The queries the host sends for Entra's matching are answered from the embedded default's
/// indexes, never by reading every row: what keeps a million-user store fast.
struct SQLiteQueryPlanTests {
    @Test(arguments: [
        (ConnectorQuery.document("userName", equals: "a@contoso.com"), "users_document_userName"),
        (.document("externalId", equals: "42"), "users_document_externalId"),
        (.document("displayName", equals: "Ann"), "users_document_displayName"),
        (.attribute("userName", equals: "ann"), "users_userName"),
        (.attribute("email", equals: "a@contoso.com"), "users_email"),
        (.attribute("proxyAddresses", equals: "smtp:a@contoso.com"), "users_values_value"),
        (.anchor("0f1e2d3c"), "sqlite_autoindex_users_1"),
    ])
    func matchingQueriesUseAnIndex(query: ConnectorQuery, index: String) async throws {
        let path = SQLiteConnectorTests.temporaryPath("plans.sqlite")
        let connector = try SQLiteConnector(path: path, configuration: .embeddedDefault, setUp: SQLConfiguration.embeddedDefaultTables)
        let plan = try await connector.plan(objectType: "User", ConnectorSearch(query: query, limit: 10))
        #expect(plan.contains { $0.contains("USING") && $0.contains(index) }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN users") || $0.hasPrefix("SCAN attrmap_source") }, "\(plan)")
    }

    /// A filter with no index behind it reads every row: the plan says so, which is what
    /// `matchingQueriesUseAnIndex` would report if an index went missing.
    @Test func aColumnWithoutAnIndexIsAScan() async throws {
        let path = SQLiteConnectorTests.temporaryPath("plans-scan.sqlite")
        let connector = try SQLiteConnector(path: path, configuration: .embeddedDefault, setUp: SQLConfiguration.embeddedDefaultTables)
        let plan = try await connector.plan(objectType: "User", ConnectorSearch(query: .attribute("city", equals: "Oslo"), limit: 10))
        #expect(plan.contains { $0.hasPrefix("SCAN users") }, "\(plan)")
    }
}
