import Foundation
import MappingExpressions
import Testing

/// The golden cases taken from Microsoft's published examples and rules, run through the same
/// code as `attrmap test`.
struct ConformanceTests {
    static let fixtureURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/entra-expressions.json")

    static let cases: [ExpressionTestCase] = {
        let text = (try? String(contentsOf: fixtureURL, encoding: .utf8)) ?? "[]"
        return (try? ExpressionTestCase.load(contentsOf: text, file: fixtureURL.lastPathComponent)) ?? []
    }()

    @Test func fixtureLoads() throws {
        let text = try String(contentsOf: Self.fixtureURL, encoding: .utf8)
        let cases = try ExpressionTestCase.load(contentsOf: text, file: "entra-expressions.json")
        #expect(cases.count == 235)
    }

    @Test(arguments: cases.map(\.id))
    func conformance(id: String) throws {
        let testCase = try #require(Self.cases.first { $0.id == id })
        let result = TestRunner.run(testCase)
        #expect(result.status != .fail, "\(testCase.expression)\n\(result.message ?? "")")
    }
}
