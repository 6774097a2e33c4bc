import ConnectorWire
import Foundation
import JSONValues
import Testing

/// The protocol's messages as its document shows them, and every way a line can be wrong.
@Suite struct MessagesTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Documentation/process-connector-protocol.md")

    /// The messages of the document's JSON examples: one a line, or one over several lines.
    static func examples() throws -> [String] {
        let text = try String(contentsOf: document, encoding: .utf8)
        var messages: [String] = []
        var inBlock = false
        var pending = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inBlock = line == "```json"
                pending = ""
                continue
            }
            guard inBlock else { continue }
            pending += (pending.isEmpty ? "" : " ") + line.trimmingCharacters(in: .whitespaces)
            if (try? JSON.parse(pending)) != nil {
                messages.append(pending)
                pending = ""
            }
        }
        return messages
    }

    /// Objects with their members sorted and null members left out (the protocol reads a null
    /// member as an absent one), so that two encodings compare as JSON.
    static func canonical(_ value: JSON) -> JSON {
        switch value {
        case .object(let members): .object(members.filter { $0.1 != .null }.map { ($0.0, canonical($0.1)) }.sorted { $0.0 < $1.0 })
        case .array(let values): .array(values.map(canonical))
        default: value
        }
    }

    @Test func everyExampleOfTheDocumentIsAMessageAndEncodesBackToItself() throws {
        let examples = try Self.examples()
        var operations: Set<String> = []
        var bodies: Set<String> = []
        for example in examples {
            let bytes = Array(example.utf8)
            let encoded: Data
            if example.contains(#""op":"#) {
                let request = try WireLines.request(bytes)
                operations.insert(request.operation.name)
                encoded = try WireLines.encode(request)
            } else {
                let response = try WireLines.response(bytes)
                switch response.body {
                case .ok: bodies.insert("ok")
                case .page: bodies.insert("page")
                case .error: bodies.insert("error")
                }
                encoded = try WireLines.encode(response)
            }
            #expect(encoded.last == 0x0A)
            #expect(!encoded.dropLast().contains(0x0A), "a message is one line")
            let original = Self.canonical(try JSON.parse(example))
            let again = Self.canonical(try JSON.parse(Array(encoded.dropLast())))
            #expect(again == original, "\(example)")
        }
        #expect(operations == [
            "hello", "test", "schema", "import", "watermark", "deltaImport", "get", "create", "replace", "update", "delete", "setPassword", "shutdown",
        ])
        #expect(bodies == ["ok", "page", "error"])
    }

    @Test func everyOperationGoesAndComesBack() throws {
        let object = WireObject(objectType: "User", anchor: "ann", attributes: ["login": .string("ann"), "age": .number("42"), "roles": .array([.string("hr")])])
        let operations: [WireRequest.Operation] = [
            .hello(protocols: [1], host: "attrmap", connector: "HR", settings: .object([("file", .string("users.csv"))])),
            .test, .schema, .importObjects(objectType: "User"), .watermark(objectType: "User"), .deltaImport(objectType: "User", watermark: "17"),
            .get(objectType: "User", anchor: "ann"), .create(object, password: nil), .create(object, password: "s3cret!"), .replace(object),
            .update(objectType: "User", anchor: "ann", changes: [WireChange(attribute: "roles", add: [.string("it")], remove: [.string("hr")])]),
            .delete(objectType: "User", anchor: "ann"), .setPassword(objectType: "User", anchor: "ann", password: "s3cret!"), .shutdown,
        ]
        for (index, operation) in operations.enumerated() {
            let request = WireRequest(id: index, operation)
            #expect(try WireLines.request(WireLines.encode(request).dropLast()) == request)
        }
        let responses: [WireResponse] = [
            WireResponse(id: 1, .ok(.init(protocol: 1, name: "csv", capabilities: WireCapabilities(operations: ["test"], concurrency: 4)))),
            WireResponse(id: 2, .ok(.init(object: object))), WireResponse(id: 3, .ok(.init())),
            WireResponse(id: 4, .page([object, WireObject(anchor: "bob", deleted: true)])),
            WireResponse(id: 5, .error(WireError(code: "unavailable", message: "the database is down", retryAfter: 30))),
        ]
        for response in responses {
            #expect(try WireLines.response(WireLines.encode(response).dropLast()) == response)
        }
    }

    @Test func aWrongLineIsAProblemThatNamesWhyAndShowsOnlyItsStart() {
        func problem(_ line: [UInt8]) -> String {
            do {
                _ = try WireLines.response(line)
                return "no problem"
            } catch {
                return error.description
            }
        }
        #expect(problem([0x7B, 0xFF, 0x7D]) == #"the line is not UTF-8: {\xFF}"#)
        #expect(problem(Array("not json".utf8)).hasPrefix("the line is not JSON"))
        #expect(problem(Array(#"{"id": 3}"#.utf8)).hasPrefix("a response needs 'ok', 'page' or 'error'"))
        #expect(problem(Array(#"{"ok": {}}"#.utf8)).hasPrefix("'id' is missing"))
        #expect(WireProblem("x", line: Array(repeating: UInt8(ascii: "a"), count: 100)).excerpt == String(repeating: "a", count: 60) + "…")
        do {
            _ = try WireLines.request(Array(#"{"id": 1, "op": "explode"}"#.utf8))
            Issue.record("an unknown op was taken")
        } catch {
            #expect(error.message.contains("unknown op 'explode'"), "\(error)")
        }
        #expect(WireLines.id(of: Array(#"{"id": 12, "ok": 5}"#.utf8)) == 12)
    }

    @Test func linesAreReadWholeAndATooLongOneIsSkippedToItsEnd() throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        let writer = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
        defer { close(ends[0]) }
        let long = String(repeating: "x", count: 300)
        let input = "{\"id\":1}\n\(long)\nshort\n\nlast"
        let thread = Thread {
            // In small writes, so that lines arrive in pieces.
            for piece in Array(input.utf8).chunked(by: 7) { writer.write(Data(piece)) }
            try? writer.close()
        }
        thread.start()
        var reader = WireLineReader(descriptor: ends[0], limit: 100)
        var items: [String] = []
        while let item = reader.next() {
            switch item {
            case .line(let bytes): items.append(String(decoding: bytes, as: UTF8.self))
            case .tooLong(let problem): items.append("too long: \(problem.excerpt.prefix(5))")
            }
        }
        #expect(items == [#"{"id":1}"#, "too long: xxxxx", "short", "", "last"])
    }
}

extension Array {
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
