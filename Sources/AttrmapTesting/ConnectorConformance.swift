package import Connectors
import JSONValues
package import Testing

/// The contract every connector kind meets, whatever its store: schema discovery, full import,
/// create, get, replace, delete, a password set as its own step, uniqueness of the anchor, large
/// and non-ASCII values, multi-valued attributes, concurrent exports, and a store that goes away
/// and comes back. A kind's tests describe their store in a ``Subject`` and call ``check(_:)``;
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

        package init(
            connector: any Connector, sample: ConnectorObject, anchorAttribute: String? = nil, textAttribute: String,
            multiValuedAttribute: String? = nil, storedPassword: (@Sendable (String) async throws -> String?)? = nil,
            reopen: (@Sendable () async throws -> any Connector)? = nil,
            outage: (goAway: @Sendable () async throws -> Void, comeBack: @Sendable () async throws -> Void)? = nil
        ) {
            self.connector = connector
            self.sample = sample
            self.anchorAttribute = anchorAttribute
            self.textAttribute = textAttribute
            self.multiValuedAttribute = multiValuedAttribute
            self.storedPassword = storedPassword
            self.reopen = reopen
            self.outage = outage
        }

        /// The sample under another anchor.
        package func object(_ anchor: String) -> ConnectorObject {
            var object = sample
            object.anchor = anchor
            if let anchorAttribute { object.attributes[anchorAttribute] = .string(anchor) }
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
        #expect(try await connector.get(objectType: "User", anchor: "outage-refused") == nil, sourceLocation: location)
        try await connector.delete(objectType: "User", anchor: kept.anchor)
    }
}
