package import Connectors
import JSONValues
package import Testing

/// The contract every connector kind meets, whatever its store: schema discovery, full import,
/// create, get, replace, delete, a password set as its own step, uniqueness of the anchor, large
/// and non-ASCII values, multi-valued attributes, concurrent exports, and a store that goes away
/// and comes back; and for a ``QueryingConnector``, the queries the host asks instead of keeping
/// a cache. A kind's tests describe their store in a ``Subject`` and call ``check(_:)``;
/// each clause fails on its own, at the caller's line.
package enum ConnectorConformance {
    /// A connector on an empty store, and what the contract needs to know of it.
    package struct Subject: Sendable {
        package var connector: any Connector
        /// An object of type `User` the store accepts. Its anchor and each attribute are replaced
        /// by the clauses that need other values.
        package var sample: ConnectorObject
        /// The attribute that holds the anchor, when the anchor is also an attribute
        /// (`ContosoLogin`); nil when it is only the object's anchor.
        package var anchorAttribute: String?
        /// A single-valued text attribute that takes any text.
        package var textAttribute: String
        /// A multi-valued attribute, when the kind has them.
        package var multiValuedAttribute: String?
        /// The password stored for an anchor, read past the connector; nil when the kind keeps none.
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
            multiValuedAttribute: String? = nil, storedPassword: (@Sendable (String) async throws -> String?)? = nil,
            reopen: (@Sendable () async throws -> any Connector)? = nil,
            outage: (goAway: @Sendable () async throws -> Void, comeBack: @Sendable () async throws -> Void)? = nil,
            anchorForm: @escaping @Sendable (String) -> String = { $0 }
        ) {
            self.connector = connector
            self.sample = sample
            self.anchorAttribute = anchorAttribute
            self.textAttribute = textAttribute
            self.multiValuedAttribute = multiValuedAttribute
            self.storedPassword = storedPassword
            self.reopen = reopen
            self.outage = outage
            self.anchorForm = anchorForm
        }

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

    /// Runs every clause against `subject`, in order, on the one store.
    package static func check(_ subject: Subject, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await discoversItsSchema(subject, sourceLocation)
        try await createsReadsReplacesAndDeletes(subject, sourceLocation)
        try await keepsValuesExactly(subject, sourceLocation)
        try await setsPasswordsAsTheirOwnStep(subject, sourceLocation)
        try await exportsConcurrently(subject, sourceLocation)
        if subject.connector is any QueryingConnector { try await answersQueries(subject, sourceLocation) }
        try await survivesAnOutage(subject, sourceLocation)
    }

    static func discoversItsSchema(_ subject: Subject, _ location: SourceLocation) async throws {
        try await subject.connector.testConnection()
        let schema = try await subject.connector.schema()
        let user = try #require(schema.objectType("User"), "the connector serves no User objects", sourceLocation: location)
        #expect(!user.anchor.isEmpty, "the User type has no anchor", sourceLocation: location)
        #expect(user.attribute(subject.textAttribute) != nil, "no attribute \(subject.textAttribute)", sourceLocation: location)
        if let multi = subject.multiValuedAttribute {
            #expect(user.attribute(multi)?.multiValued == true, "\(multi) is not multi-valued", sourceLocation: location)
        }
        #expect(try await subject.connector.fullImport(objectType: "User").isEmpty, "the store is not empty", sourceLocation: location)
    }

    static func createsReadsReplacesAndDeletes(_ subject: Subject, _ location: SourceLocation) async throws {
        let connector = subject.connector
        let sample = subject.object("contract-1")
        try await connector.create(sample)
        #expect(try await connector.get(objectType: "User", anchor: sample.anchor) == sample, sourceLocation: location)
        #expect(try await connector.fullImport(objectType: "User") == [sample], sourceLocation: location)
        // Uniqueness: a second create of the anchor is refused, and changes nothing.
        var duplicate = sample
        duplicate.attributes[subject.textAttribute] = .string("duplicate")
        do {
            try await connector.create(duplicate)
            Issue.record("a second create of one anchor was accepted", sourceLocation: location)
        } catch {
            #expect(error.kind == .alreadyExists, "\(error)", sourceLocation: location)
        }
        #expect(try await connector.get(objectType: "User", anchor: sample.anchor) == sample, sourceLocation: location)

        var changed = sample
        changed.attributes[subject.textAttribute] = .string("changed")
        if let multi = subject.multiValuedAttribute { changed.attributes[multi] = .array([.string("SMTP:new@contoso.com")]) }
        try await connector.replace(changed)
        let afterRestart = try await subject.reopen?() ?? connector
        #expect(try await afterRestart.fullImport(objectType: "User") == [changed], sourceLocation: location)

        try await afterRestart.delete(objectType: "User", anchor: sample.anchor)
        #expect(try await afterRestart.get(objectType: "User", anchor: sample.anchor) == nil, sourceLocation: location)
        for (what, action) in [
            ("delete", { try await afterRestart.delete(objectType: "User", anchor: sample.anchor) }),
            ("replace", { try await afterRestart.replace(sample) }),
        ] as [(String, () async throws -> Void)] {
            do {
                try await action()
                Issue.record("a \(what) of an object that is gone was accepted", sourceLocation: location)
            } catch let error as ConnectorError {
                #expect(error.kind == .notFound, "\(what): \(error)", sourceLocation: location)
            }
        }
    }

    /// Large, non-ASCII and many-valued values come back exactly as they went in.
    static func keepsValuesExactly(_ subject: Subject, _ location: SourceLocation) async throws {
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
            try await connector.create(object)
            let stored = try await connector.get(objectType: "User", anchor: object.anchor)
            #expect(stored?.attributes[subject.textAttribute] == .string(text), "value \(index) changed on the way", sourceLocation: location)
            if let multi = subject.multiValuedAttribute {
                #expect(stored?.attributes[multi] == object.attributes[multi], "the values of \(multi) changed", sourceLocation: location)
            }
            try await connector.delete(objectType: "User", anchor: object.anchor)
        }
    }

    static func setsPasswordsAsTheirOwnStep(_ subject: Subject, _ location: SourceLocation) async throws {
        guard let storedPassword = subject.storedPassword else { return }
        let object = subject.object("password-1")
        try await subject.connector.create(object)
        try await subject.connector.setPassword(objectType: "User", anchor: object.anchor, password: "Pass@w0rd1-é")
        #expect(try await storedPassword(object.anchor) == "Pass@w0rd1-é", sourceLocation: location)
        // A password is no attribute: it is never read back.
        #expect(try await subject.connector.get(objectType: "User", anchor: object.anchor)?.attributes["password"] == nil, sourceLocation: location)
        try await subject.connector.delete(objectType: "User", anchor: object.anchor)
    }

    /// Forty concurrent creates, every third on one anchor: exactly one of those wins, all the
    /// others are written.
    static func exportsConcurrently(_ subject: Subject, _ location: SourceLocation) async throws {
        let connector = subject.connector
        let succeeded = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                let object = subject.object(index % 3 == 0 ? "concurrent-shared" : "concurrent-\(index)")
                group.addTask {
                    do {
                        try await connector.create(object)
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(succeeded == 27, sourceLocation: location)
        let stored = try await connector.fullImport(objectType: "User")
        #expect(stored.count == 27, sourceLocation: location)
        for object in stored { try await connector.delete(objectType: "User", anchor: object.anchor) }
    }

    /// A querying connector answers what the host asks instead of keeping a cache: by anchor, by
    /// an attribute (ignoring ASCII case), by a member of the document, by one value of a
    /// multi-valued attribute, `and` and `or` of them; pages in ascending anchor order, from an
    /// offset or after an anchor; and counts.
    static func answersQueries(_ subject: Subject, _ location: SourceLocation) async throws {
        let connector = try #require(subject.connector as? any QueryingConnector, sourceLocation: location)
        let text = subject.textAttribute
        var created: [ConnectorObject] = []
        for index in 0..<7 {
            var object = subject.object("query-\(index)")
            object.attributes[text] = .string(index % 2 == 0 ? "Even Été" : "odd-\(index)")
            if let multi = subject.multiValuedAttribute {
                object.attributes[multi] = .array([.string("smtp:q\(index)@contoso.com"), .string("SMTP:shared@contoso.com")])
            }
            try await connector.create(object)
            created.append(object)
        }
        func anchors(_ query: ConnectorQuery?, after: String? = nil, offset: Int = 0, limit: Int = 100) async throws -> [String] {
            try await connector.search(objectType: "User", ConnectorSearch(query: query, after: after, offset: offset, limit: limit)).map(\.anchor)
        }
        let all = created.map(\.anchor)
        #expect(try await anchors(nil) == all, "every object, in anchor order", sourceLocation: location)
        #expect(try await connector.count(objectType: "User", query: nil) == 7, sourceLocation: location)
        #expect(try await anchors(.anchor("query-3")) == ["query-3"], sourceLocation: location)
        #expect(try await anchors(.anchor("query-none")) == [], sourceLocation: location)
        let found = try await connector.search(objectType: "User", ConnectorSearch(query: .anchor("query-3"), limit: 1))
        #expect(found == [created[3]], "a search returns whole objects, as get does", sourceLocation: location)

        // Text ignores ASCII case; non-ASCII letters match as written (SQLite folds ASCII only).
        #expect(try await anchors(.attribute(text, equals: "eVEN Été")) == ["query-0", "query-2", "query-4", "query-6"], sourceLocation: location)
        #expect(try await anchors(.attribute(text, equals: "ODD-3")) == ["query-3"], sourceLocation: location)
        #expect(try await connector.count(objectType: "User", query: .attribute(text, equals: "Even Été")) == 4, sourceLocation: location)
        #expect(try await anchors(.attribute(text, equals: "nobody")) == [], sourceLocation: location)
        #expect(try await anchors(.attribute("noSuchAttribute", equals: "x")) == [], sourceLocation: location)
        if let anchorAttribute = subject.anchorAttribute {
            #expect(try await anchors(.attribute(anchorAttribute, equals: "query-5")) == ["query-5"], sourceLocation: location)
        }
        if subject.sample.document?.objectValue?.contains(where: { $0.0 == "userName" }) == true, try await connector.schema().objectType("User")?.keepsDocument == true {
            #expect(try await anchors(.document("userName", equals: "QUERY-1@contoso.com")) == ["query-1"], sourceLocation: location)
        }
        if let multi = subject.multiValuedAttribute {
            #expect(try await anchors(.attribute(multi, equals: "smtp:q5@contoso.com")) == ["query-5"], sourceLocation: location)
            #expect(try await anchors(.attribute(multi, equals: "smtp:shared@contoso.com")) == all, sourceLocation: location)
        }
        #expect(try await anchors(.and([.attribute(text, equals: "Even Été"), .anchor("query-2")])) == ["query-2"], sourceLocation: location)
        #expect(try await anchors(.or([.anchor("query-6"), .attribute(text, equals: "odd-1")])) == ["query-1", "query-6"], sourceLocation: location)

        // Pages: from an offset, and after an anchor (a scan that goes on where it stopped).
        #expect(try await anchors(nil, offset: 2, limit: 3) == ["query-2", "query-3", "query-4"], sourceLocation: location)
        #expect(try await anchors(nil, after: "query-4", limit: 10) == ["query-5", "query-6"], sourceLocation: location)
        #expect(try await anchors(.attribute(text, equals: "Even Été"), after: "query-2", limit: 1) == ["query-4"], sourceLocation: location)
        #expect(try await anchors(nil, offset: 10) == [], sourceLocation: location)
        for object in created { try await connector.delete(objectType: "User", anchor: object.anchor) }
        #expect(try await connector.count(objectType: "User", query: nil) == 0, sourceLocation: location)
    }

    /// While the store is away, calls fail as unavailable (never as another error, never hang);
    /// once it is back the same connector works again and nothing written before is lost.
    static func survivesAnOutage(_ subject: Subject, _ location: SourceLocation) async throws {
        guard let (goAway, comeBack) = subject.outage else { return }
        let connector = subject.connector
        let kept = subject.object("outage-kept")
        try await connector.create(kept)
        try await goAway()
        do {
            try await connector.create(subject.object("outage-refused"))
            Issue.record("a create succeeded while the store was away", sourceLocation: location)
        } catch {
            #expect(error.kind == .unavailable, "\(error)", sourceLocation: location)
        }
        try await comeBack()
        // Pools reconnect with a backoff of their own: give it up to a minute.
        var working = false
        let deadline = ContinuousClock.now + .seconds(60)
        while !working, ContinuousClock.now < deadline {
            working = (try? await connector.testConnection()) != nil
            if !working { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(working, "the connector did not recover once the store was back", sourceLocation: location)
        #expect(try await connector.get(objectType: "User", anchor: kept.anchor) == kept, sourceLocation: location)
        #expect(try await connector.get(objectType: "User", anchor: subject.object("outage-refused").anchor) == nil, sourceLocation: location)
        try await connector.delete(objectType: "User", anchor: kept.anchor)
    }
}
