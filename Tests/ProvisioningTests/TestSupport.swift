import Foundation
import JSONValues
import MappingExpressions
import Provisioning
import SCIM
import Testing

enum Support {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A mapping set from YAML text; fails the test with the diagnostics when it has errors.
    static func mappingSet(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> MappingSet {
        let result = MappingSetLoader().load(text: yaml, name: "mapping.yaml")
        let set = try #require(
            result.mappingSet, "mapping set has errors: \(result.diagnostics.map(\.diagnostic.message))", sourceLocation: sourceLocation)
        return set
    }

    static func user(_ json: String) throws -> SourceUser {
        try SourceUser(json: JSON.parse(json))
    }

    static func targetState(_ json: String, for set: MappingSet) throws -> TargetState {
        try TargetState(json: JSON.parse(json), matchingPaths: set.matchingMappings.map(\.target))
    }

    static func provision(
        _ set: MappingSet, _ user: String, target: String? = nil, showSecrets: Bool = false
    ) throws -> Outcome {
        let state = try target.map { try targetState($0, for: set) }
        let provisioner = Provisioner(mappingSet: set, targetState: state, options: .init(showSecrets: showSecrets))
        return provisioner.provision(try Support.user(user))
    }

    /// The documented exchanges of the shared fixture file.
    static let exchanges: [String: JSON] = {
        let url = packageRoot.appendingPathComponent("Fixtures/scim-exchanges.json")
        guard let text = try? String(contentsOf: url, encoding: .utf8), case .array(let items) = try? JSON.parse(text) else { return [:] }
        var byID: [String: JSON] = [:]
        for item in items { if let id = item.member("id")?.stringValue { byID[id] = item } }
        return byID
    }()

    static func exchangeBody(_ id: String) throws -> JSON {
        try #require(exchanges[id]?.member("request_body"), "no exchange '\(id)' in Fixtures/scim-exchanges.json")
    }
}
