package import Connectors
import JSONValues
import Synchronization

/// The contract every connector kind meets, whatever its store: schema discovery, full import
/// of one object and of many, create, get, replace, delete, a password set as its own step,
/// uniqueness of the anchor, large and non-ASCII values, multi-valued attributes, concurrent
/// exports, and a store that goes away and comes back; and for a ``QueryingConnector``, the
/// queries the host asks instead of keeping a cache.
///
/// The suite has two front ends: the kinds' tests (AttrmapTesting records each failure as a test
/// issue) and `attrmap connector test`, which prints each check as pass or fail with its reasons.
/// Each check goes on past a failed expectation and reports all of them; an error it did not
/// expect ends that check, never the run.
package enum ConnectorConformance {
    /// A connector on an empty store, and what the contract needs to know of it.
    package struct Subject: Sendable {
        package var connector: any Connector
        /// An object the store accepts, of the type under test (`User` unless the sample says
        /// another). Its anchor and each attribute are replaced by the checks that need other values.
        package var sample: ConnectorObject
        /// The attribute that holds the anchor, when the anchor is also an attribute
        /// (`ContosoLogin`); nil when it is only the object's anchor.
        package var anchorAttribute: String?
        /// A single-valued text attribute that takes any text.
        package var textAttribute: String
        /// A multi-valued attribute, when the kind has them.
        package var multiValuedAttribute: String?
        /// Whether the connector takes passwords (``Connector/setPassword(objectType:anchor:password:)``).
        package var setsPasswords: Bool
        /// The password stored for an anchor, read past the connector; nil when it cannot be read.
        package var storedPassword: (@Sendable (String) async throws -> String?)?
        /// A new connector on the same store, as after a restart; nil for a store that does not
        /// outlive its connector (memory).
        package var reopen: (@Sendable () async throws -> any Connector)?
        /// Takes the store away, and brings it back; nil when the store cannot go away.
        package var outage: (goAway: @Sendable () async throws -> Void, comeBack: @Sendable () async throws -> Void)?
        /// The anchor the store is given for one the suite names, when the store allows only
        /// some (SAP: user names of at most twelve upper-case characters); else the name itself.
        package var anchorForm: @Sendable (String) -> String

        package init(
            connector: any Connector, sample: ConnectorObject, anchorAttribute: String? = nil, textAttribute: String,
            multiValuedAttribute: String? = nil, setsPasswords: Bool? = nil, storedPassword: (@Sendable (String) async throws -> String?)? = nil,
            reopen: (@Sendable () async throws -> any Connector)? = nil,
            outage: (goAway: @Sendable () async throws -> Void, comeBack: @Sendable () async throws -> Void)? = nil,
            anchorForm: @escaping @Sendable (String) -> String = { $0 }
        ) {
            self.connector = connector
            self.sample = sample
            self.anchorAttribute = anchorAttribute
            self.textAttribute = textAttribute
            self.multiValuedAttribute = multiValuedAttribute
            self.setsPasswords = setsPasswords ?? (storedPassword != nil)
            self.storedPassword = storedPassword
            self.reopen = reopen
            self.outage = outage
            self.anchorForm = anchorForm
        }

        /// The type under test.
        package var objectType: String { sample.objectType }

        /// The sample under another anchor.
        package func object(_ anchor: String) -> ConnectorObject {
            var object = sample
            object.anchor = anchorForm(anchor)
            if let anchorAttribute { object.attributes[anchorAttribute] = .string(object.anchor) }
            // A store may keep a document's `userName` unique: each object has its own.
            if case .object(var members)? = object.document, let at = members.firstIndex(where: { $0.0 == "userName" }) {
                members[at].1 = .string("\(object.anchor)@contoso.com")
                object.document = .object(members)
            }
            return object
        }
    }

    /// One clause of the contract.
    package struct Check: Sendable {
        /// A short name, as a report lists it.
        package var name: String
        /// Why it is skipped for a subject; nil when it runs.
        package var skip: @Sendable (Subject) -> String?
        package var body: @Sendable (Subject, Expectations) async throws -> Void

        package init(
            _ name: String, skip: @escaping @Sendable (Subject) -> String? = { _ in nil },
            _ body: @escaping @Sendable (Subject, Expectations) async throws -> Void
        ) {
            self.name = name
            self.skip = skip
            self.body = body
        }
    }

    /// What became of one check.
    package struct Outcome: Sendable {
        package enum Status: Sendable, Equatable {
            case passed, failed, skipped(String)
        }

        package var check: String
        package var status: Status
        /// Each failed expectation, and the error that ended the check if one did.
        package var failures: [String]
        package var duration: Duration
    }

    /// Collects the failed expectations of one check.
    package final class Expectations: Sendable {
        private let failures = Mutex<[String]>([])
        private let cleanups = Mutex<[@Sendable () async throws -> Void]>([])

        package init() {}

        package var recorded: [String] { failures.withLock { $0 } }

        /// Deletes `objects` if the check fails, so that the next one starts on an empty store
        /// whatever this one left behind (the errors of those deletes are not the check's).
        package func removeOnFailure(_ objects: [ConnectorObject], from connector: any Connector) {
            cleanups.withLock { cleanups in
                cleanups.append {
                    for object in objects { try? await connector.delete(objectType: object.objectType, anchor: object.anchor) }
                }
            }
        }

        func cleanUp() async {
            for cleanup in cleanups.withLock({ $0 }).reversed() { try? await cleanup() }
        }

        package func fail(_ message: String) {
            failures.withLock { $0.append(message) }
        }

        package func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition { fail(message()) }
        }

        /// `actual == expected`, or a failure that shows both (shortened).
        package func expect<Value: Equatable>(_ actual: Value, equals expected: Value, _ what: @autoclosure () -> String) {
            if actual != expected {
                fail("\(what()): expected \(Self.shown(expected)), got \(Self.shown(actual))")
            }
        }

        /// The value, or a failure that ends the check.
        package func require<Value>(_ value: Value?, _ message: @autoclosure () -> String) throws -> Value {
            guard let value else {
                let message = message()
                fail(message)
                throw Stop()
            }
            return value
        }

        /// That `action` fails with an error of `kind`.
        package func expectFailure(_ kind: ConnectorError.Kind, _ what: String, _ action: () async throws -> Void) async {
            do {
                try await action()
                fail("\(what) was accepted")
            } catch let error as ConnectorError {
                expect(error.kind == kind, "\(what): expected \(kind.rawValue), got \(Self.describe(error))")
            } catch {
                fail("\(what): expected \(kind.rawValue), got \(Self.describe(error))")
            }
        }

        struct Stop: Error {}

        package static func shown(_ value: some Any) -> String {
            let text = String(describing: value)
            return text.count > 240 ? String(text.prefix(240)) + "… (\(text.count) characters)" : text
        }

        package static func describe(_ error: any Error) -> String {
            if let error = error as? ConnectorError { return "\(error.kind.rawValue): \(error.message)" }
            return "\(error)"
        }
    }

    /// The checks of the contract, in the order they run on the one store.
    package static let checks: [Check] = [
        Check("discovers its schema", discoversItsSchema),
        Check("creates, reads, replaces and deletes", createsReadsReplacesAndDeletes),
        Check("imports many objects, in pages", importsManyObjects),
        Check("keeps values exactly", keepsValuesExactly),
        Check("sets passwords as their own step", skip: { $0.setsPasswords ? nil : "the connector takes no passwords" }, setsPasswordsAsTheirOwnStep),
        Check("exports concurrently", exportsConcurrently),
        Check("answers queries", skip: { $0.connector is any QueryingConnector ? nil : "the connector keeps no queries; the host caches" }, answersQueries),
        Check("survives an outage", skip: { $0.outage == nil ? "the store cannot be taken away" : nil }, survivesAnOutage),
    ]

    /// Runs `checks` against `subject`, in order, on the one store, handing each outcome to
    /// `report` as it is known. A check that has not finished after `timeout` is reported as
    /// failed and left behind; the next one starts.
    package static func run(
        _ subject: Subject, checks: [Check] = checks, named prefix: String = "", timeout: Duration? = nil,
        report: @Sendable (Outcome) -> Void = { _ in }
    ) async -> [Outcome] {
        var outcomes: [Outcome] = []
        for check in checks {
            let outcome: Outcome
            if let reason = check.skip(subject) {
                outcome = Outcome(check: prefix + check.name, status: .skipped(reason), failures: [], duration: .zero)
            } else {
                outcome = await perform(prefix + check.name, timeout: timeout) { expect in try await check.body(subject, expect) }
            }
            report(outcome)
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// Runs one check's `body`: every expectation it fails, and the error that ended it, if any.
    package static func perform(
        _ name: String, timeout: Duration? = nil, _ body: @escaping @Sendable (Expectations) async throws -> Void
    ) async -> Outcome {
        let started = ContinuousClock.now
        let expectations = Expectations()
        let ended = await finished(within: timeout) {
            do {
                try await body(expectations)
            } catch is Expectations.Stop {
            } catch {
                expectations.fail("unexpected error: \(Expectations.describe(error))")
            }
        }
        var failures = expectations.recorded
        if !ended, let timeout { failures.append("did not finish within \(timeout)") }
        if ended, !failures.isEmpty { await expectations.cleanUp() }
        return Outcome(check: name, status: failures.isEmpty ? .passed : .failed, failures: failures, duration: ContinuousClock.now - started)
    }

    /// Runs `body`; false when it was still running after `timeout` (it goes on, unawaited).
    private static func finished(within timeout: Duration?, _ body: @escaping @Sendable () async -> Void) async -> Bool {
        guard let timeout else {
            await body()
            return true
        }
        let first = AsyncStream<Bool>.makeStream()
        let work = Task {
            await body()
            first.continuation.yield(true)
        }
        let clock = Task {
            try? await Task.sleep(for: timeout)
            first.continuation.yield(false)
        }
        var iterator = first.stream.makeAsyncIterator()
        let result = await iterator.next() ?? false
        clock.cancel()
        if !result { work.cancel() }
        return result
    }

    // MARK: The checks

    static func discoversItsSchema(_ subject: Subject, _ expect: Expectations) async throws {
        try await subject.connector.testConnection()
        let schema = try await subject.connector.schema()
        let type = try expect.require(schema.objectType(subject.objectType), "the connector serves no \(subject.objectType) objects")
        expect.expect(!type.anchor.isEmpty, "the \(subject.objectType) type has no anchor")
        expect.expect(type.attribute(subject.textAttribute) != nil, "no attribute \(subject.textAttribute)")
        if let multi = subject.multiValuedAttribute {
            expect.expect(type.attribute(multi)?.multiValued == true, "\(multi) is not multi-valued")
        }
        let stored = try await subject.connector.fullImport(objectType: subject.objectType)
        expect.expect(stored.isEmpty, "the store is not empty: it holds \(stored.count) \(subject.objectType) objects (the suite needs an empty one)")
    }

    static func createsReadsReplacesAndDeletes(_ subject: Subject, _ expect: Expectations) async throws {
        let connector = subject.connector
        let type = subject.objectType
        let sample = subject.object("contract-1")
        expect.removeOnFailure([sample], from: connector)
        try await connector.create(sample)
        expect.expect(try await connector.get(objectType: type, anchor: sample.anchor), equals: sample, "get after create")
        expect.expect(try await connector.fullImport(objectType: type), equals: [sample], "full import after create")
        // Uniqueness: a second create of the anchor is refused, and changes nothing.
        var duplicate = sample
        duplicate.attributes[subject.textAttribute] = .string("duplicate")
        await expect.expectFailure(.alreadyExists, "a second create of one anchor") { try await connector.create(duplicate) }
        expect.expect(try await connector.get(objectType: type, anchor: sample.anchor), equals: sample, "get after the refused create")

        var changed = sample
        changed.attributes[subject.textAttribute] = .string("changed")
        if let multi = subject.multiValuedAttribute { changed.attributes[multi] = .array([.string("SMTP:new@contoso.com")]) }
        try await connector.replace(changed)
        let afterRestart = try await subject.reopen?() ?? connector
        expect.expect(try await afterRestart.fullImport(objectType: type), equals: [changed], subject.reopen == nil ? "full import after replace" : "full import after replace and a restart")

        try await afterRestart.delete(objectType: type, anchor: sample.anchor)
        expect.expect(try await afterRestart.get(objectType: type, anchor: sample.anchor), equals: nil, "get after delete")
        await expect.expectFailure(.notFound, "a delete of an object that is gone") { try await afterRestart.delete(objectType: type, anchor: sample.anchor) }
        await expect.expectFailure(.notFound, "a replace of an object that is gone") { try await afterRestart.replace(sample) }
    }

    /// More objects than a page holds, created concurrently, all imported once each and
    /// exactly; then deleted.
    static func importsManyObjects(_ subject: Subject, _ expect: Expectations) async throws {
        let connector = subject.connector
        let objects = (0..<250).map { index -> ConnectorObject in
            var object = subject.object("many-\(1000 + index)")
            object.attributes[subject.textAttribute] = .string("object \(index)")
            return object
        }
        expect.removeOnFailure(objects, from: connector)
        try await forEach(objects, concurrently: 8) { try await connector.create($0) }
        let imported = try await connector.fullImport(objectType: subject.objectType)
        let byAnchor = Dictionary(imported.map { ($0.anchor, $0) }, uniquingKeysWith: { first, _ in first })
        expect.expect(imported.count, equals: objects.count, "objects imported")
        expect.expect(byAnchor.count == imported.count, "the import has \(imported.count - byAnchor.count) objects twice")
        let wrong = objects.filter { byAnchor[$0.anchor] != $0 }
        expect.expect(wrong.isEmpty, "\(wrong.count) objects were imported otherwise than created, the first \(wrong.first?.anchor ?? ""): got \(Expectations.shown(wrong.first.flatMap { byAnchor[$0.anchor] }))")
        try await forEach(objects, concurrently: 8) { try await connector.delete(objectType: $0.objectType, anchor: $0.anchor) }
    }

    /// Large, non-ASCII and many-valued values come back exactly as they went in.
    static func keepsValuesExactly(_ subject: Subject, _ expect: Expectations) async throws {
        let connector = subject.connector
        let texts = [
            "Zoë Łukasz Nuñez 山田太郎 😀 e\u{301}", "O'Brien\"); DROP TABLE users; --", String(repeating: "Large value. ", count: 40_000),
        ]
        for (index, text) in texts.enumerated() {
            var object = subject.object("value-\(index)-ß")
            object.attributes[subject.textAttribute] = .string(text)
            if let multi = subject.multiValuedAttribute {
                object.attributes[multi] = .array((0..<50).map { .string("smtp:alias\($0)-ü@contoso.com") })
            }
            expect.removeOnFailure([object], from: connector)
            try await connector.create(object)
            let stored = try await connector.get(objectType: subject.objectType, anchor: object.anchor)
            expect.expect(stored?.attributes[subject.textAttribute], equals: .string(text), "value \(index) of \(subject.textAttribute)")
            if let multi = subject.multiValuedAttribute {
                expect.expect(stored?.attributes[multi], equals: object.attributes[multi], "the values of \(multi)")
            }
            try await connector.delete(objectType: subject.objectType, anchor: object.anchor)
        }
    }

    static func setsPasswordsAsTheirOwnStep(_ subject: Subject, _ expect: Expectations) async throws {
        let connector = subject.connector
        let object = subject.object("password-1")
        expect.removeOnFailure([object], from: connector)
        try await connector.create(object)
        try await connector.setPassword(objectType: object.objectType, anchor: object.anchor, password: "Pass@w0rd1-é")
        if let storedPassword = subject.storedPassword {
            expect.expect(try await storedPassword(object.anchor), equals: "Pass@w0rd1-é", "the password stored")
        }
        // A password is no attribute: it is never read back.
        let stored = try await connector.get(objectType: object.objectType, anchor: object.anchor)
        expect.expect(stored?.attributes.keys.contains { $0.lowercased().contains("password") } != true, "a password is read back as an attribute")
        expect.expect(stored, equals: object, "get after the password set")
        await expect.expectFailure(.notFound, "a password set for an object that does not exist") {
            try await connector.setPassword(objectType: object.objectType, anchor: subject.anchorForm("password-none"), password: "Pass@w0rd1")
        }
        try await connector.delete(objectType: object.objectType, anchor: object.anchor)
    }

    /// Forty concurrent creates, every third on one anchor: exactly one of those wins, all the
    /// others are written.
    static func exportsConcurrently(_ subject: Subject, _ expect: Expectations) async throws {
        let connector = subject.connector
        expect.removeOnFailure((0..<40).map { subject.object($0 % 3 == 0 ? "concurrent-shared" : "concurrent-\($0)") }, from: connector)
        // Each create: nil when it was written, else why not.
        let results = await withTaskGroup(of: (Int, String?).self) { group in
            for index in 0..<40 {
                let object = subject.object(index % 3 == 0 ? "concurrent-shared" : "concurrent-\(index)")
                group.addTask {
                    do {
                        try await connector.create(object)
                        return (index, nil)
                    } catch {
                        return (index, "\(object.anchor): \(Expectations.describe(error))")
                    }
                }
            }
            return await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
        }
        let succeeded = results.filter { $0.1 == nil }.count
        // A refusal of a shared anchor is expected (already exists); any other is a failure.
        let refusals = results.compactMap { index, refusal in
            refusal.flatMap { index % 3 == 0 && $0.contains(": alreadyExists: ") ? nil : $0 }
        }
        expect.expect(succeeded, equals: 27, "concurrent creates that succeeded")
        for refusal in refusals.prefix(3) { expect.fail("a concurrent create failed: \(refusal)") }
        let stored = try await connector.fullImport(objectType: subject.objectType)
        expect.expect(stored.count, equals: 27, "objects stored after the concurrent creates")
        for object in stored { try await connector.delete(objectType: object.objectType, anchor: object.anchor) }
    }

    /// A querying connector answers what the host asks instead of keeping a cache: by anchor, by
    /// an attribute (ignoring ASCII case), by a member of the document, by one value of a
    /// multi-valued attribute, `and` and `or` of them; pages in ascending anchor order, from an
    /// offset or after an anchor; and counts.
    static func answersQueries(_ subject: Subject, _ expect: Expectations) async throws {
        let connector = try expect.require(subject.connector as? any QueryingConnector, "not a querying connector")
        let type = subject.objectType
        let text = subject.textAttribute
        var created: [ConnectorObject] = []
        for index in 0..<7 {
            var object = subject.object("query-\(index)")
            object.attributes[text] = .string(index % 2 == 0 ? "Even Été" : "odd-\(index)")
            if let multi = subject.multiValuedAttribute {
                object.attributes[multi] = .array([.string("smtp:q\(index)@contoso.com"), .string("SMTP:shared@contoso.com")])
            }
            expect.removeOnFailure([object], from: connector)
            try await connector.create(object)
            created.append(object)
        }
        func anchors(_ query: ConnectorQuery?, after: String? = nil, offset: Int = 0, limit: Int = 100) async throws -> [String] {
            try await connector.search(objectType: type, ConnectorSearch(query: query, after: after, offset: offset, limit: limit)).map(\.anchor)
        }
        let all = created.map(\.anchor)
        expect.expect(try await anchors(nil), equals: all, "every object, in anchor order")
        expect.expect(try await connector.count(objectType: type, query: nil), equals: 7, "count of all")
        expect.expect(try await anchors(.anchor("query-3")), equals: ["query-3"], "by anchor")
        expect.expect(try await anchors(.anchor("query-none")), equals: [], "by an anchor no object has")
        let found = try await connector.search(objectType: type, ConnectorSearch(query: .anchor("query-3"), limit: 1))
        expect.expect(found, equals: [created[3]], "a search returns whole objects, as get does")

        // Text ignores ASCII case; non-ASCII letters match as written (SQLite folds ASCII only).
        expect.expect(try await anchors(.attribute(text, equals: "eVEN Été")), equals: ["query-0", "query-2", "query-4", "query-6"], "by text, in another case")
        expect.expect(try await anchors(.attribute(text, equals: "ODD-3")), equals: ["query-3"], "by text in upper case")
        expect.expect(try await connector.count(objectType: type, query: .attribute(text, equals: "Even Été")), equals: 4, "count by text")
        expect.expect(try await anchors(.attribute(text, equals: "nobody")), equals: [], "by a text no object has")
        expect.expect(try await anchors(.attribute("noSuchAttribute", equals: "x")), equals: [], "by an attribute that does not exist")
        if let anchorAttribute = subject.anchorAttribute {
            expect.expect(try await anchors(.attribute(anchorAttribute, equals: "query-5")), equals: ["query-5"], "by the anchor attribute")
        }
        if subject.sample.document?.objectValue?.contains(where: { $0.0 == "userName" }) == true, try await connector.schema().objectType(type)?.keepsDocument == true {
            expect.expect(try await anchors(.document("userName", equals: "QUERY-1@contoso.com")), equals: ["query-1"], "by a member of the document")
        }
        if let multi = subject.multiValuedAttribute {
            expect.expect(try await anchors(.attribute(multi, equals: "smtp:q5@contoso.com")), equals: ["query-5"], "by one value of \(multi)")
            expect.expect(try await anchors(.attribute(multi, equals: "smtp:shared@contoso.com")), equals: all, "by a value all have")
        }
        expect.expect(try await anchors(.and([.attribute(text, equals: "Even Été"), .anchor("query-2")])), equals: ["query-2"], "and")
        expect.expect(try await anchors(.or([.anchor("query-6"), .attribute(text, equals: "odd-1")])), equals: ["query-1", "query-6"], "or")

        // Pages: from an offset, and after an anchor (a scan that goes on where it stopped).
        expect.expect(try await anchors(nil, offset: 2, limit: 3), equals: ["query-2", "query-3", "query-4"], "a page from an offset")
        expect.expect(try await anchors(nil, after: "query-4", limit: 10), equals: ["query-5", "query-6"], "a page after an anchor")
        expect.expect(try await anchors(.attribute(text, equals: "Even Été"), after: "query-2", limit: 1), equals: ["query-4"], "a page of a query after an anchor")
        expect.expect(try await anchors(nil, offset: 10), equals: [], "a page past the end")
        for object in created { try await connector.delete(objectType: type, anchor: object.anchor) }
        expect.expect(try await connector.count(objectType: type, query: nil), equals: 0, "count after deleting all")
    }

    /// While the store is away, calls fail as unavailable (never as another error, never hang);
    /// once it is back the same connector works again and nothing written before is lost.
    static func survivesAnOutage(_ subject: Subject, _ expect: Expectations) async throws {
        let (goAway, comeBack) = try expect.require(subject.outage, "no outage")
        let connector = subject.connector
        let kept = subject.object("outage-kept")
        expect.removeOnFailure([kept, subject.object("outage-refused")], from: connector)
        try await connector.create(kept)
        try await goAway()
        await expect.expectFailure(.unavailable, "a create while the store was away") { try await connector.create(subject.object("outage-refused")) }
        try await comeBack()
        // Pools reconnect with a backoff of their own: give it up to a minute.
        var working = false
        let deadline = ContinuousClock.now + .seconds(60)
        while !working, ContinuousClock.now < deadline {
            working = (try? await connector.testConnection()) != nil
            if !working { try await Task.sleep(for: .milliseconds(200)) }
        }
        expect.expect(working, "the connector did not recover once the store was back")
        expect.expect(try await connector.get(objectType: subject.objectType, anchor: kept.anchor), equals: kept, "an object written before the outage")
        expect.expect(try await connector.get(objectType: subject.objectType, anchor: subject.object("outage-refused").anchor), equals: nil, "the object refused in the outage")
        try await connector.delete(objectType: subject.objectType, anchor: kept.anchor)
    }

    /// Runs `body` on each element, at most `width` at a time; the first error ends it.
    package static func forEach<Element: Sendable>(
        _ elements: [Element], concurrently width: Int, _ body: @escaping @Sendable (Element) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = elements.makeIterator()
            for _ in 0..<width {
                guard let element = next.next() else { break }
                group.addTask { try await body(element) }
            }
            while try await group.next() != nil {
                if let element = next.next() { group.addTask { try await body(element) } }
            }
        }
    }
}
