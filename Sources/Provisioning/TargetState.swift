public import JSONValues
public import SCIM

/// The objects already in the target application (`--target-state`): SCIM resources, indexed by
/// the values of the matching attributes so that each matching query is a lookup.
public struct TargetState: Sendable {
    public let resources: [JSON]
    /// Per matching path (canonical, lowercased): the positions of the resources by value.
    private let indexes: [String: EqualityIndex<Int>]

    /// Reads a JSON array of SCIM resources, or a ListResponse with `Resources`.
    public init(json: JSON, matchingPaths: [AttributePath]) throws(TargetStateError) {
        let resources: [JSON]
        if case .array(let array) = json {
            resources = array
        } else if let list = json.member("Resources")?.arrayValue {
            resources = list
        } else {
            throw TargetStateError(message: "expected a JSON array of SCIM resources (or a ListResponse with 'Resources')")
        }
        for (index, resource) in resources.enumerated() {
            guard case .object = resource else {
                throw TargetStateError(message: "element \(index) of the target state is not a SCIM resource object")
            }
        }
        self.resources = resources
        var indexes: [String: EqualityIndex<Int>] = [:]
        for path in matchingPaths where indexes[Self.key(path)] == nil {
            indexes[Self.key(path)] = EqualityIndex(path: path, resources: resources.enumerated().lazy.map { ($0.offset, $0.element) })
        }
        self.indexes = indexes
    }

    static func key(_ path: AttributePath) -> String { path.withoutCoreSchema.description.lowercased() }

    /// The resources whose attribute at `path` equals `value` (without case, SCIM's default).
    public func find(_ path: AttributePath, equalTo value: String) -> [JSON] {
        if let index = indexes[Self.key(path)] {
            return index.ids(equalTo: value).sorted().map { resources[$0] }
        }
        return resources.filter { resource in
            Resource.values(at: path, in: resource).contains { $0.comparableText?.lowercased() == value.lowercased() }
        }
    }
}

/// A target-state file that cannot be used.
public struct TargetStateError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
