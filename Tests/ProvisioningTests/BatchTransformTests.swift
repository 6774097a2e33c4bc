import Foundation
import JSONValues
import MappingExpressions
import Provisioning
import SCIM
import Testing

struct BatchTransformTests {
    static func write(_ text: String, name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    static func records(_ text: String, name: String = "users.json") throws -> [UserReader.Record] {
        var reader = try UserReader(path: write(text, name: name))
        var records: [UserReader.Record] = []
        while let record = reader.next() { records.append(record) }
        return records
    }

    @Test func readsArraysSingleObjectsAndNDJSON() throws {
        let array = try Self.records("[\n  {\"a\": 1},\n  {\"a\": \"x,]}\"}, {\"b\": [1, {\"c\": 2}]}\n]\n")
        #expect(array.map { String(decoding: $0.bytes, as: UTF8.self) } == [#"{"a": 1}"#, #"{"a": "x,]}"}"#, #"{"b": [1, {"c": 2}]}"#])
        #expect(array.map(\.index) == [0, 1, 2])
        #expect(array.map(\.line) == [2, 3, 3])
        #expect(array.map(\.column) == [3, 3, 18])
        let single = try Self.records("{\n  \"a\": 1\n}\n")
        #expect(single.count == 1)
        let lines = try Self.records("{\"a\": 1}\n\n{\"a\": 2}\r\n{\"a\": \n", name: "users.ndjson")
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == [#"{"a": 1}"#, #"{"a": 2}"#, #"{"a":"#])
        #expect(lines.map(\.line) == [1, 3, 4])
        #expect(try Self.records("\u{FEFF}[{\"a\": 1}]").count == 1)
        #expect(try Self.records("\u{FEFF}{\"a\": 1}\n", name: "u.ndjson").map(\.bytes) == [Array(#"{"a": 1}"#.utf8)])
        #expect(try Self.records("[]").isEmpty)
        #expect(try Self.records("").isEmpty)
    }

    @Test func reportsStructuralProblemsOfTheFile() throws {
        #expect(try Self.records("[{\"a\": 1}").last?.readError?.contains("not closed") == true)
        #expect(try Self.records("[{\"a\": 1}] trailing").last?.readError?.contains("after the closing ']'") == true)
        #expect(try Self.records("[{\"a\": \"open").last?.readError?.contains("unterminated string") == true)
    }

    static let mappingSet: MappingSet = {
        let yaml = """
            mappings:
              - source: "[userPrincipalName]"
                target: userName
                matchingPrecedence: 1
              - source: FormatDateTime([hireDate], , "yyyy-MM-dd", "yyyyMMdd")
                target: urn:ietf:params:scim:schemas:extension:contoso:1.0:User:probationEnd
            """
        return MappingSetLoader().load(text: yaml, name: "m.yaml").mappingSet!
    }()

    @Test func oneBadUserIsReportedAndTheOthersAreProcessedInOrder() throws {
        var users = (0..<1000).map { #"{"objectId": "u\#($0)", "userPrincipalName": "user\#($0)@contoso.com"}"# }
        users[10] = #"{"objectId": "broken", "userPrincipalName": }"#
        users[500] = #"{"objectId": "u500", "userPrincipalName": "u500@contoso.com", "hireDate": "not a date"}"#
        users[700] = #"["not", "an", "object"]"#
        let path = try Self.write("[\n" + users.joined(separator: ",\n") + "\n]\n", name: "users.json")
        var transform = BatchTransform(provisioner: Provisioner(mappingSet: Self.mappingSet), workers: 2)
        transform.batchSize = 64
        var lines: [String] = []
        let summary = try transform.run(files: [path], write: { lines.append(String(decoding: $0, as: UTF8.self)) })
        #expect(summary.users == 1000)
        #expect(summary.failed == 3)
        #expect(summary.counts[.create] == 997)
        let results = try lines.map { try JSON.parse($0) }
        #expect(results.map { Int($0.member("source")?.member("index")?.comparableText ?? "") } == (0..<1000).map { $0 })
        let broken = results[10]
        #expect(broken.member("action") == .string("error"))
        #expect(broken.member("errors")?.arrayValue?.first?.member("location") == .string("\(path):12:45"))
        #expect(broken.member("errors")?.arrayValue?.first?.member("message")?.stringValue?.hasPrefix("invalid JSON") == true)
        #expect(results[500].member("errors")?.arrayValue?.first?.member("location") == .string("m.yaml:5:13"))
        #expect(results[700].member("errors")?.arrayValue?.first?.member("message") == .string("expected a user object ({…}), not an array"))
        #expect(results[999].member("source")?.member("id") == .string("u999"))
    }
}
