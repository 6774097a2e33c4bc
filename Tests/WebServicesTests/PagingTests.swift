import AttrmapTesting
import Connectors
import Foundation
import JSONValues
import Logging
import Testing
import WebServices

/// Every paging style, against the sample HR application's list endpoint, which pages by
/// cursor, by number or by offset and gives the next page as a cursor, a link in the body and
/// a `Link` header.
@Suite struct PagingTests {
    /// A template for the HR application with its import written as `importSteps`.
    static func template(_ hr: HRApplication, import importSteps: String) throws -> WebServiceTemplate {
        let yaml = """
            name: hr-paging
            connection:
              baseURL: \(hr.apiURL)
              authentication: {type: apiKey, header: X-API-Key, value: "${KEY}"}
            objectTypes:
              - name: User
                anchor: login
                attributes: [login]
                operations:
                  get: [{GET: "/employees/{[login]}"}]
                  create: [{POST: /employees, body: {login: "[login]"}}]
                  import:
            \(importSteps.split(separator: "\n").map { "          " + $0 }.joined(separator: "\n"))
            """
        let root = try ConnectorSettings.parse(yaml: yaml, file: "paging.yaml", context: "template", folder: "", environment: [:])
        return try TemplateReader.read(root, variables: ["KEY": HRApplication.apiKey])
    }

    static func application(employees: Int) async throws -> HRApplication {
        let hr = try HRApplication()
        for index in 0..<employees {
            _ = try await hr.call("POST", "/employees", body: #"{"login": "u\#(String(format: "%04d", index))"}"#)
        }
        return hr
    }

    static func listCalls(_ hr: HRApplication) throws -> [String] {
        try hr.requests().filter { $0["path"] == .string("/api/v1/employees") && $0["method"] == .string("GET") }.map { request in
            (request["query"]?.objectValue ?? []).sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1.stringValue ?? "")" }.joined(separator: "&")
        }
    }

    static let styles: [(String, String, [String])] = [
        (
            "page",
            """
            steps: [{GET: /employees, query: {page: "[page.number]", limit: "[page.size]"}}]
            records: /data
            paging: {style: page, size: 100}
            """,
            ["limit=100&page=1", "limit=100&page=2", "limit=100&page=3"]
        ),
        (
            "offset",
            """
            steps: [{GET: /employees, query: {offset: "[page.offset]", limit: "[page.size]"}}]
            records: /data
            paging: {style: offset, size: 100}
            """,
            ["limit=100&offset=0", "limit=100&offset=100", "limit=100&offset=200"]
        ),
        (
            "nextLink",
            """
            steps: [{GET: /employees, query: {page: 1, limit: 100}}]
            records: /data
            paging: {style: nextLink, next: /_links/next/href}
            """,
            ["limit=100&page=1", "limit=100&page=2", "limit=100&page=3"]
        ),
        (
            "linkHeader",
            """
            steps: [{GET: /employees, query: {offset: 0, limit: 100}}]
            records: /data
            paging: {style: linkHeader}
            """,
            ["limit=100&offset=0", "limit=100&offset=100", "limit=100&offset=200"]
        ),
    ]

    @Test(arguments: 0..<4) func importsEveryRecordOnce(style index: Int) async throws {
        let (name, steps, calls) = Self.styles[index]
        let hr = try await Self.application(employees: 250)
        let connector = try hr.connector(Self.template(hr, import: steps))
        let objects = try await connector.fullImport(objectType: "User")
        #expect(objects.map(\.anchor) == (0..<250).map { "u" + String(format: "%04d", $0) }, "\(name)")
        #expect(try Self.listCalls(hr) == calls, "\(name)")
    }

    @Test func aTotalStopsBeforeAnEmptyPage() async throws {
        let hr = try await Self.application(employees: 200)
        let connector = try hr.connector(Self.template(hr, import: """
            steps: [{GET: /employees, query: {page: "[page.number]", limit: "[page.size]"}}]
            records: /data
            paging: {style: page, size: 100, total: /total}
            """))
        #expect(try await connector.fullImport(objectType: "User").count == 200)
        #expect(try Self.listCalls(hr) == ["limit=100&page=1", "limit=100&page=2"])
    }

    @Test func aCursorGivenTwiceStopsTheImport() async throws {
        let hr = try await Self.application(employees: 5)
        // The template reads the cursor from the first record but never sends it: the same page
        // comes back, with the same "cursor".
        let connector = try hr.connector(Self.template(hr, import: """
            steps: [{GET: /employees, query: {limit: 2}}]
            records: /data
            paging: {style: cursor, cursor: /data/0/login}
            """))
        await #expect(throws: ConnectorError(
            .applicationFailed, "User import, page 2: the application gave the cursor 'u0000' a second time; the import stops rather than loop")) {
            try await connector.fullImport(objectType: "User")
        }
    }

    @Test func morePagesThanAllowedStopTheImport() async throws {
        let hr = try await Self.application(employees: 30)
        let connector = try hr.connector(Self.template(hr, import: """
            steps: [{GET: /employees, query: {page: "[page.number]", limit: "[page.size]"}}]
            records: /data
            paging: {style: page, size: 10, maxPages: 2}
            """))
        await #expect(throws: ConnectorError.self) { try await connector.fullImport(objectType: "User") }
        #expect(try Self.listCalls(hr).count == 2)
    }

    @Test func recordsNotAtThePointerAreAnError() async throws {
        let hr = try await Self.application(employees: 1)
        let connector = try hr.connector(Self.template(hr, import: """
            steps: [{GET: /employees}]
            records: /items
            """))
        await #expect(throws: ConnectorError(.applicationFailed, "User import, page 1: the response has no list of records at '/items'")) {
            try await connector.fullImport(objectType: "User")
        }
    }
}
