import AttrmapTesting
import Connectors
import Foundation
import JSONValues
import LocalCache
import Synchronization
import Testing
import WebServices

/// The web services connector against the sample HR application, really started on loopback
/// with its own SQLite storage, through the template users run.
@Suite struct HRConnectorTests {
    static func sample(_ anchor: String = "sample") -> ConnectorObject {
        ConnectorObject(objectType: "User", anchor: anchor, attributes: [
            "login": .string(anchor), "givenName": .string("Zoë"), "familyName": .string("Nuñez"), "displayName": .string("Zoë Nuñez"),
            "department": .string("Sales"), "active": .bool(true), "roles": .array([.string("Employee")]),
        ])
    }

    @Test func meetsTheConnectorContract() async throws {
        let hr = try HRApplication()
        let connector = try hr.connector()
        try await ConnectorConformance.check(ConnectorConformance.Subject(
            connector: connector, sample: Self.sample(), anchorAttribute: "login", textAttribute: "displayName", multiValuedAttribute: "roles",
            storedPassword: { login in
                // The application keeps a hash: a password is known by the one that logs in.
                let body = JSON.object([("login", .string(login)), ("password", .string("Pass@w0rd1-é"))]).serialized
                return try await hr.call("POST", "/login", body: body).status == 200 ? "Pass@w0rd1-é" : nil
            },
            reopen: { try hr.connector() },
            outage: (goAway: { hr.application.stop() }, comeBack: { try hr.application.start() })))
    }

    @Test func importsEveryPageAndStops() async throws {
        let hr = try HRApplication()
        let connector = try hr.connector()
        for index in 0..<450 {
            let status = try await hr.call("POST", "/employees", body: #"{"login": "user\#(String(format: "%04d", index))", "roles": ["r\#(index % 3)"]}"#).status
            #expect(status == 201)
        }
        let objects = try await connector.fullImport(objectType: "User")
        #expect(objects.count == 450)
        #expect(objects.map(\.anchor) == (0..<450).map { "user" + String(format: "%04d", $0) })
        #expect(objects[4].attributes["roles"] == .array([.string("r1")]))
        let lists = try hr.requests().filter { $0["method"] == .string("GET") && $0["path"] == .string("/api/v1/employees") }
        // 200 + 200 + 50: three pages, the second and third with the cursor the page before gave.
        #expect(lists.count == 3)
        #expect(lists.first?["query"]?["cursor"] == nil)
        #expect(lists.dropFirst().allSatisfy { $0["query"]?["cursor"] != nil })
    }

    @Test func anUpdateSendsOnlyWhatChangedAndRolesAsTheirOwnCalls() async throws {
        let hr = try HRApplication()
        let connector = try hr.connector()
        var object = Self.sample("ann")
        object.attributes["roles"] = .array([.string("Employee"), .string("Sales Lead")])
        try await connector.create(object)
        var changed = object
        changed.attributes["department"] = nil
        changed.attributes["jobTitle"] = .string("Manager")
        changed.attributes["roles"] = .array([.string("Employee"), .string("Approver")])
        try await connector.update(changed, from: object)
        #expect(try await connector.get(objectType: "User", anchor: "ann") == changed)

        let writes = try hr.requests().filter { $0["method"] != .string("GET") }.dropFirst()
        let patch = try #require(writes.first)
        #expect(patch["method"] == .string("PATCH"))
        // Only the two fields that changed; the one cleared is null.
        #expect(patch["body"] == .object([("department", .null), ("jobTitle", .string("Manager"))]))
        #expect(writes.dropFirst().map { "\($0["method"]!.stringValue!) \($0["path"]!.stringValue!)" } == [
            "PUT /api/v1/employees/ann/roles/Approver", "DELETE /api/v1/employees/ann/roles/Sales%20Lead",
        ])

        // Nothing changed: nothing is sent.
        let before = try hr.requests().count
        try await connector.update(changed, from: changed)
        #expect(try hr.requests().count == before)
    }

    @Test func aFullReplaceSendsEveryFieldAndClearsTheAbsentOnes() async throws {
        let hr = try HRApplication()
        var template = try hr.template()
        template.objectTypes[0].operations.update?.sendsEverything = true
        let connector = try hr.connector(template)
        let object = Self.sample("fay")
        try await connector.create(object)
        var changed = object
        changed.attributes["department"] = nil
        try await connector.update(changed, from: object)
        // The application's log writes members in name order.
        let patch = try #require(try hr.requests().last)
        #expect(patch["body"] == .object([
            ("active", .bool(true)), ("department", .null), ("displayName", .string("Zoë Nuñez")), ("email", .null),
            ("familyName", .string("Nuñez")), ("givenName", .string("Zoë")), ("jobTitle", .null), ("manager", .null),
        ]))
        #expect(try await connector.get(objectType: "User", anchor: "fay") == changed)
    }

    @Test func theApplicationsRefusalsBecomeOutcomesWithItsReason() async throws {
        let hr = try HRApplication()
        let connector = try hr.connector()
        try await connector.create(Self.sample("bob"))
        await #expect(throws: ConnectorError(.alreadyExists, "User create: POST /employees answered 409: an employee with login 'bob' exists")) {
            try await connector.create(Self.sample("bob"))
        }
        var invalid = Self.sample("carol")
        invalid.attributes["active"] = .string("yes")
        await #expect(throws: ConnectorError(.invalidValue, "User create: POST /employees answered 422: active is true or false")) {
            try await connector.create(invalid)
        }
        do {
            try await connector.setPassword(objectType: "User", anchor: "bob", password: "short")
            Issue.record("a password the application refuses was accepted")
        } catch {
            #expect(error.kind == .invalidPassword)
            #expect(error.message.hasSuffix("a password has at least 8 characters"))
            #expect(!error.message.contains("short"))
        }
        #expect(try await connector.get(objectType: "User", anchor: "nobody") == nil)
        await #expect(throws: ConnectorError.self) { try await connector.delete(objectType: "User", anchor: "nobody") }

        // A wrong key: the application refuses, and the key is in no message.
        let wrong = try hr.connector(hr.template(variables: ["HR_API_KEY": "not-the-key-at-all"]))
        do {
            try await wrong.create(Self.sample("dave"))
            Issue.record("a wrong key was accepted")
        } catch {
            #expect(error.kind == .permissionDenied)
            #expect(!error.message.contains("not-the-key-at-all"))
        }
    }

    @Test func aSlowApplicationIsATimeoutAndOnlyIdempotentCallsAreTriedAgain() async throws {
        // Ten times the timeout, so that a loaded machine cannot blur the two.
        let hr = try HRApplication(extra: ["--delay", "3000"])
        var template = try hr.template()
        template.connection.requestTimeout = .milliseconds(300)
        template.connection.retry.attempts = 2
        template.connection.retry.initialDelay = .milliseconds(10)
        template.connection.retry.maxDelay = .milliseconds(50)
        let connector = try hr.connector(template)
        do {
            let started = ContinuousClock.now
            let found = try await connector.get(objectType: "User", anchor: "slow")
            Issue.record("a call with no answer in time succeeded: \(String(describing: found)) after \(ContinuousClock.now - started)")
        } catch {
            #expect(error.kind == .timedOut, "\(error)")
        }
        // GET is tried again; POST, which may have been done, is not.
        #expect(try hr.requests().filter { $0["method"] == .string("GET") }.count == 3)
        do {
            try await connector.create(Self.sample("slow"))
            Issue.record("a create with no answer in time succeeded")
        } catch {
            #expect(error.kind == .timedOut, "\(error)")
        }
        #expect(try hr.requests().filter { $0["method"] == .string("POST") }.count == 1)
    }

    @Test func serverErrorsAreFatalOrTransientAndTransientOnesAreTriedAgain() async throws {
        // Every second call answers 503 with Retry-After: a read is tried again and succeeds.
        let flaky = try HRApplication(extra: ["--fault", "503/2"])
        var template = try flaky.template()
        template.connection.retry.maxDelay = .milliseconds(100)
        let connector = try flaky.connector(template)
        try await connector.create(Self.sample("gil"))
        #expect(try await connector.get(objectType: "User", anchor: "gil")?.anchor == "gil")

        // Every call answers 500: fatal, with the application's reason, and not tried again.
        let broken = try HRApplication(extra: ["--fault", "500/1"])
        let failing = try broken.connector()
        do {
            try await failing.create(Self.sample("hal"))
            Issue.record("a create the application failed succeeded")
        } catch {
            #expect(error.kind == .applicationFailed)
            #expect(error.message == "User create: POST /employees answered 500: the application was asked to answer 500 to every 1")
        }
        #expect(try broken.requests().count == 1)
    }

    @Test func waitsWhenTheApplicationAsksAndGoesOn() async throws {
        let hr = try HRApplication(rate: 5)
        let connector = try hr.connector()
        // Twelve reads at a limit of 5 a second: some are answered 429 with Retry-After: 1, and
        // are tried again after it.
        try await connector.create(Self.sample("eve"))
        try await withThrowingTaskGroup(of: ConnectorObject?.self) { group in
            for _ in 0..<12 { group.addTask { try await connector.get(objectType: "User", anchor: "eve") } }
            for try await object in group { #expect(object?.anchor == "eve") }
        }
        #expect(try hr.requests().count > 13)
    }
}

/// The delta import: an autosync asks the application only for what changed since the last one.
@Suite struct DeltaImportTests {
    @Test func aRefreshReadsOnlyWhatChangedAndAFullImportSeesDeletions() async throws {
        let hr = try HRApplication()
        for index in 0..<300 {
            #expect(try await hr.call("POST", "/employees", body: #"{"login": "d\#(String(format: "%03d", index))", "department": "Sales"}"#).status == 201)
        }
        try await Task.sleep(for: .milliseconds(20))
        // No overlap, so that the 300 just made are not asked for again.
        let template = try hr.template(editing: { $0.replacingOccurrences(of: "overlap: 5s", with: "overlap: 0s") })
        let folder = try TemporaryFolder("attrmap-delta")
        defer { folder.remove() }
        let cache = try LocallyCachedConnector(source: hr.connector(template), path: folder.path("hr.cache.sqlite"))
        _ = try await cache.schema()
        #expect(try await cache.count(objectType: "User", query: nil) == 300)

        #expect(try await hr.call("PATCH", "/employees/d007", body: #"{"department": "Finance"}"#).status == 200)
        #expect(try await hr.call("POST", "/employees", body: #"{"login": "d300"}"#).status == 201)
        #expect(try await hr.call("DELETE", "/employees/d008").status == 204)
        let before = try hr.requests().count
        _ = try await cache.schema()
        let lists = try hr.requests().dropFirst(before).filter { $0["path"] == .string("/api/v1/employees") }
        #expect(lists.count == 1, "one page of changes, not two pages of everything")
        #expect(lists.first?["query"]?["updatedSince"] != nil)
        #expect(try await cache.get(objectType: "User", anchor: "d007")?.attributes["department"] == .string("Finance"))
        #expect(try await cache.get(objectType: "User", anchor: "d300") != nil)
        #expect(try await cache.get(objectType: "User", anchor: "d008") != nil, "the application does not report deletions")

        // After twelve deltas, a full import: the deletion is seen.
        for _ in 1..<LocallyCachedConnector.deltasBetweenFullImports { _ = try await cache.schema() }
        #expect(try await cache.get(objectType: "User", anchor: "d008") != nil)
        _ = try await cache.schema()
        #expect(try await cache.get(objectType: "User", anchor: "d008") == nil)
        #expect(try await cache.count(objectType: "User", query: nil) == 300)
    }

    /// The application's delta import as Graph's and many others': a call without a token gives
    /// the current one; with one, each object changed since, once, deletions marked, paged, and
    /// on the last page the token the next delta starts from.
    static let tokenDelta = """
              deltaImport:
                steps:
                  - GET: /changes
                    query: {token: "[delta.token]", limit: "[page.size]", cursor: "[page.cursor]"}
                records: /changes
                paging: {style: cursor, cursor: /next_cursor, size: 200}
                token: /token
                deleted: {at: /deleted, equals: true}
        """

    /// The HR template with its delta import by token.
    static func tokenTemplate(_ hr: HRApplication) throws -> WebServiceTemplate {
        try hr.template(editing: { text in
            let start = text.range(of: "      deltaImport:\n")!.lowerBound
            let end = text.range(of: "      get: ")!.lowerBound
            return text.replacingCharacters(in: start..<end, with: tokenDelta + "\n")
        })
    }

    @Test func aDeltaTokenBringsEachChangeOnceDeletionsIncluded() async throws {
        let hr = try HRApplication()
        for index in 0..<300 {
            #expect(try await hr.call("POST", "/employees", body: #"{"login": "t\#(String(format: "%03d", index))", "department": "Sales"}"#).status == 201)
        }
        let template = try Self.tokenTemplate(hr)
        let folder = try TemporaryFolder("attrmap-delta")
        defer { folder.remove() }
        let cache = try LocallyCachedConnector(source: hr.connector(template), path: folder.path("hr.cache.sqlite"))
        _ = try await cache.schema()
        #expect(try await cache.count(objectType: "User", query: nil) == 300)
        // The starting token was asked for before the full import, without a token.
        let first = try hr.requests().filter { $0["path"] == .string("/api/v1/changes") }
        #expect(first.count == 1)
        #expect(first.first?["query"]?["token"] == nil)

        // 250 new, one changed twice, one deleted, one given a role: 253 changes, two pages.
        for index in 300..<550 {
            #expect(try await hr.call("POST", "/employees", body: #"{"login": "t\#(String(format: "%03d", index))"}"#).status == 201)
        }
        #expect(try await hr.call("PATCH", "/employees/t007", body: #"{"department": "Legal"}"#).status == 200)
        #expect(try await hr.call("PATCH", "/employees/t007", body: #"{"department": "Finance"}"#).status == 200)
        #expect(try await hr.call("DELETE", "/employees/t008").status == 204)
        #expect(try await hr.call("PUT", "/employees/t009/roles/Approver").status == 204)
        let before = try hr.requests().count
        _ = try await cache.schema()
        let pages = try hr.requests().dropFirst(before)
        #expect(pages.allSatisfy { $0["path"] == .string("/api/v1/changes") }, "a delta, not a full import")
        #expect(pages.count == 2)
        #expect(pages.allSatisfy { $0["query"]?["token"] != nil })
        #expect(try await cache.get(objectType: "User", anchor: "t007")?.attributes["department"] == .string("Finance"))
        #expect(try await cache.get(objectType: "User", anchor: "t008") == nil, "the application reports the deletion")
        #expect(try await cache.get(objectType: "User", anchor: "t009")?.attributes["roles"] == .array([.string("Approver")]))
        #expect(try await cache.count(objectType: "User", query: nil) == 549)

        // Nothing changed since: one call, with the token the last page gave, and nothing to do.
        let token = try #require(try await hr.call("GET", "/changes").body?["token"]?.stringValue)
        let quiet = try hr.requests().count
        _ = try await cache.schema()
        let again = try hr.requests().dropFirst(quiet).filter { $0["path"] == .string("/api/v1/changes") }
        #expect(again.count == 1)
        #expect(again.first?["query"]?["token"] == .string(token), "the token of the last delta's last page")
        #expect(try await cache.count(objectType: "User", query: nil) == 549)
    }

    @Test func aTokenTheApplicationRefusesIsItsReason() async throws {
        let hr = try HRApplication()
        let template = try Self.tokenTemplate(hr)
        let connector = try hr.connector(template)
        #expect(try await connector.watermark(objectType: "User").isEmpty == false)
        do {
            _ = try await connector.deltaImport(objectType: "User", since: "not-a-token")
            Issue.record("a token the application never gave was taken")
        } catch {
            #expect(error.message.contains("is not one this application gave"), "\(error)")
        }
    }
}
