import AttrmapTesting
import Connectors
import ConnectorWire
import Crypto
import Foundation
import JSONValues
import Logging
import ProcessConnector
import Testing

/// The process connector against real programs: the Python example of Examples/process-connectors,
/// and a program that misbehaves on purpose.
@Suite struct ProcessConnectorTests {
    static let example = AttrmapBinary.packageRoot.appendingPathComponent("Examples/process-connectors/csv-users/connector.py").path

    /// A folder with a copy of the example, and a connector on it.
    static func csvConnector(in folder: TemporaryFolder, timeout: Duration = .seconds(30)) -> ProcessConnector {
        ProcessConnector(
            settings: .init(
                name: "CSV", command: ["python3", folder.path("connector.py")], workingDirectory: folder.url.path,
                settings: .object([("file", .string("users.csv"))]), timeout: timeout),
            logger: Logger(label: "test"))
    }

    static func sample() -> ConnectorObject {
        ConnectorObject(
            objectType: "User", anchor: "ann",
            attributes: ["login": .string("ann"), "displayName": .string("Ann Smith"), "city": .string("Lisbon"), "roles": .array([.string("hr")])])
    }

    /// The program goes away (killed, its file moved aside, so it cannot start again) and comes back.
    static func outage(
        of connector: ProcessConnector, program: String
    ) -> (goAway: @Sendable () async throws -> Void, comeBack: @Sendable () async throws -> Void) {
        (
            goAway: {
                try FileManager.default.moveItem(atPath: program, toPath: program + ".away")
                if let pid = connector.processIdentifier { kill(pid, SIGKILL) }
                for _ in 0..<100 where connector.processIdentifier != nil { try await Task.sleep(for: .milliseconds(20)) }
            },
            comeBack: { try FileManager.default.moveItem(atPath: program + ".away", toPath: program) }
        )
    }

    @Test func thePythonExampleMeetsTheConnectorContract() async throws {
        let folder = try TemporaryFolder("process-csv")
        defer { folder.remove() }
        try FileManager.default.copyItem(atPath: Self.example, toPath: folder.path("connector.py"))
        let connector = Self.csvConnector(in: folder)
        try await ConnectorConformance.check(ConnectorConformance.Subject(
            connector: connector, sample: Self.sample(), anchorAttribute: "login", textAttribute: "displayName", multiValuedAttribute: "roles",
            storedPassword: { login in
                // The example keeps a SHA-256 of the password: a password is known by its hash.
                let text = try String(contentsOfFile: folder.path("users.csv"), encoding: .utf8)
                let hash = SHA256.hash(data: Data("Pass@w0rd1-é".utf8)).map { String(format: "%02x", $0) }.joined()
                return text.split(separator: "\n").contains { $0.hasPrefix(login + ",") && $0.hasSuffix("," + hash) } ? "Pass@w0rd1-é" : nil
            },
            reopen: { Self.csvConnector(in: folder) },
            outage: Self.outage(of: connector, program: folder.path("connector.py"))))
        await connector.shutdown()
    }

    /// The Swift example on ConnectorKit: eight requests in flight, a journal that outlives it.
    @Test func theSwiftExampleMeetsTheConnectorContract() async throws {
        let folder = try TemporaryFolder("process-swift")
        defer { folder.remove() }
        try FileManager.default.copyItem(atPath: SampleApplication.url(of: "swift-users-connector").path, toPath: folder.path("connector"))
        @Sendable func connector() -> ProcessConnector {
            ProcessConnector(
                settings: .init(
                    name: "SWIFT", command: [folder.path("connector")], workingDirectory: folder.url.path,
                    settings: .object([("journal", .string("users.ndjson"))])),
                logger: Logger(label: "test"))
        }
        let first = connector()
        try await ConnectorConformance.check(ConnectorConformance.Subject(
            connector: first, sample: Self.sample(), anchorAttribute: "login", textAttribute: "displayName", multiValuedAttribute: "roles",
            reopen: { connector() },
            outage: Self.outage(of: first, program: folder.path("connector"))))
        await first.shutdown()
    }

    /// A new version of the program, copied over the old one while creates go on: the next call
    /// after it starts it, and no create is lost or fails.
    @Test func aReplacedProgramIsPickedUpWithoutLosingACall() async throws {
        let folder = try TemporaryFolder("process-replace")
        defer { folder.remove() }
        try FileManager.default.copyItem(atPath: Self.example, toPath: folder.path("connector.py"))
        let connector = Self.csvConnector(in: folder)
        try await connector.testConnection()
        #expect(connector.programVersion == "1.0")
        let first = try #require(connector.processIdentifier)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<60 {
                group.addTask {
                    if index == 20 {
                        // As a deployment does it: the new file written beside, then moved over.
                        let newer = try String(contentsOfFile: Self.example, encoding: .utf8).replacingOccurrences(of: #""version": "1.0""#, with: #""version": "2.0""#)
                        try newer.write(toFile: folder.path("connector.new"), atomically: false, encoding: .utf8)
                        _ = rename(folder.path("connector.new"), folder.path("connector.py"))
                    }
                    try await Task.sleep(for: .milliseconds(40 * index))
                    var user = Self.sample()
                    user.anchor = "user\(index)"
                    user.attributes["login"] = .string(user.anchor)
                    try await connector.create(user)
                    return true
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 60)
        #expect(try await connector.fullImport(objectType: "User").count == 60)
        #expect(connector.programVersion == "2.0")
        #expect(connector.processIdentifier != first)
        // The old process finished and exited.
        for _ in 0..<100 where kill(first, 0) == 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(kill(first, 0) != 0, "the old program still runs")
        await connector.shutdown()
    }

    @Test func attributeLevelUpdatesSendOnlyWhatChanged() async throws {
        let folder = try TemporaryFolder("process-csv-update")
        defer { folder.remove() }
        try FileManager.default.copyItem(atPath: Self.example, toPath: folder.path("connector.py"))
        let connector = Self.csvConnector(in: folder)
        let ann = Self.sample()
        try await connector.create(ann)
        var changed = ann
        changed.attributes["city"] = nil
        changed.attributes["roles"] = .array([.string("hr"), .string("finance")])
        try await connector.update(changed, from: ann)
        #expect(try await connector.get(objectType: "User", anchor: "ann") == changed)
        #expect(
            ProcessConnector.changes(from: ann.attributes, to: changed.attributes) == [
                .init(attribute: "city", delete: true), .init(attribute: "roles", add: [.string("finance")]),
            ])
        await connector.shutdown()
    }

    /// A program that hangs, crashes, or writes what is not a message: each call fails with its
    /// reason, and the next is served by a new process.
    @Test func aHungCrashedOrBabblingProgramFailsItsCallAndIsStartedAgain() async throws {
        let folder = try TemporaryFolder("process-broken")
        defer { folder.remove() }
        try """
            import json, os, sys, time
            for line in sys.stdin:
                request = json.loads(line)
                op, anchor = request["op"], request.get("anchor")
                def answer(ok): print(json.dumps({"id": request["id"], "ok": ok}), flush=True)
                if op == "hello":
                    answer({"protocol": 1, "capabilities": {"operations": ["test", "get", "delete"]}})
                elif op == "get" and anchor == "hang":
                    time.sleep(60)
                elif op == "get" and anchor == "crash":
                    os._exit(3)
                elif op == "get" and anchor == "babble":
                    print("this is not JSON", flush=True)
                elif op == "get":
                    answer({"object": {"anchor": anchor, "attributes": {"pid": str(os.getpid())}}})
                else:
                    answer({})
            """.write(toFile: folder.path("broken.py"), atomically: true, encoding: .utf8)
        let connector = ProcessConnector(
            settings: .init(name: "BROKEN", command: ["python3", folder.path("broken.py")], workingDirectory: folder.url.path, timeout: .seconds(1)),
            logger: Logger(label: "test"))
        func pid() async throws -> String? {
            try await connector.get(objectType: "User", anchor: "fine")?.attributes["pid"]?.stringValue
        }
        var last = try await pid()
        for (anchor, kind, reason) in [
            ("hang", ConnectorError.Kind.timedOut, "did not answer within"), ("crash", .unavailable, "ended (exit status 3)"),
            ("babble", .failed, "the line is not JSON"),
        ] {
            do {
                _ = try await connector.get(objectType: "User", anchor: anchor)
                Issue.record("\(anchor) answered")
            } catch {
                #expect(error.kind == kind, "\(anchor): \(error)")
                #expect(error.message.contains(reason), "\(anchor): \(error)")
            }
            // The next call is served, by a new process after a hang or a crash (a restart
            // waits out its backoff first).
            var served: String?
            for _ in 0..<50 where served == nil {
                served = try? await pid()
                if served == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(served != nil, "\(anchor): nothing served after it")
            if anchor != "babble" { #expect(served != last, "\(anchor): the same process served on") }
            last = served
        }
        // An operation the program does not offer is refused without asking it.
        await #expect(throws: ConnectorError.self) { try await connector.setPassword(objectType: "User", anchor: "x", password: "y") }
        await connector.shutdown()
        #expect(connector.processIdentifier == nil)
    }

    /// A connector that exports attribute by attribute and keeps documents: a changed document
    /// has no attribute-level form, so it goes whole, as a replace; without replace it is refused
    /// with the reason rather than dropped.
    @Test(arguments: [true, false])
    func aChangedDocumentGoesWholeToAnAttributeLevelConnector(offersReplace: Bool) async throws {
        let folder = try TemporaryFolder("process-document")
        defer { folder.remove() }
        try """
            import json, sys
            objects, log = {}, open("operations.log", "a")
            operations = ["test", "schema", "import", "get", "create", "update", "delete"] + (["replace"] if sys.argv[1] == "yes" else [])
            for line in sys.stdin:
                request = json.loads(line)
                op = request["op"]
                log.write(op + "\\n"); log.flush()
                def answer(ok): print(json.dumps({"id": request["id"], "ok": ok}), flush=True)
                if op == "hello":
                    answer({"protocol": 1, "capabilities": {"operations": operations, "export": "update"}})
                elif op == "schema":
                    answer({"objectTypes": [{"name": "Group", "anchor": "id", "keepsDocument": True, "attributes": [{"name": "displayName"}]}]})
                elif op in ("create", "replace"):
                    objects[request["object"]["anchor"]] = request["object"]; answer({})
                elif op == "get":
                    answer({"object": objects.get(request["anchor"])})
                else:
                    answer({})
            """.write(toFile: folder.path("documents.py"), atomically: true, encoding: .utf8)
        let connector = ProcessConnector(
            settings: .init(name: "DOCS", command: ["python3", folder.path("documents.py"), offersReplace ? "yes" : "no"], workingDirectory: folder.url.path),
            logger: Logger(label: "test"))
        let group = ConnectorObject(
            objectType: "Group", anchor: "g1", attributes: ["displayName": .string("Finance")], document: .object([("externalId", .string("fin-1"))]))
        try await connector.create(group)
        var changed = group
        changed.document = .object([("externalId", .string("fin-2"))])
        if offersReplace {
            try await connector.update(changed, from: group)
            #expect(try await connector.get(objectType: "Group", anchor: "g1")?.document == changed.document)
        } else {
            do {
                try await connector.update(changed, from: group)
                Issue.record("a changed document was dropped")
            } catch {
                #expect("\(error)".contains("offers no replace"), "\(error)")
            }
        }
        let operations = try String(contentsOfFile: folder.path("operations.log"), encoding: .utf8).split(separator: "\n")
        #expect(!operations.contains("update"), "an update would have dropped the document: \(operations)")
        #expect(operations.contains("replace") == offersReplace, "\(operations)")
        await connector.shutdown()
    }
}
