/// A SCIM resource type and the endpoint that serves it: `User` at `/Users`, `Group` at
/// `/Groups`, and any other type a connector declares at its plural (`Device` at `/Devices`)
/// (RFC 7643 §6).
public struct ResourceType: Hashable, Sendable, CustomStringConvertible {
    /// `User`, `Group`, `Device`.
    public var name: String
    /// `/Users`, `/Groups`, `/Devices`.
    public var endpoint: String

    /// A resource type by its name (`User`) and its endpoint (`/Users`).
    public init(name: String, endpoint: String) {
        self.name = name
        self.endpoint = endpoint
    }

    public static let user = ResourceType(name: "User", endpoint: "/Users")
    public static let group = ResourceType(name: "Group", endpoint: "/Groups")

    /// The resource types Entra's SCIM client provisions.
    public static let all: [ResourceType] = [.user, .group]

    /// The resource type of a connector's object type named `name`: `User` and `Group` (in any
    /// case) as SCIM defines them, any other name at its English plural: `Device` at `/Devices`,
    /// `Address` at `/Addresses`, `Policy` at `/Policies`.
    public static func named(_ name: String) -> ResourceType {
        if let known = ResourceType(name: name) { return known }
        return ResourceType(name: name, endpoint: "/" + plural(name))
    }

    static func plural(_ name: String) -> String {
        let lower = name.lowercased()
        if ["s", "x", "z", "ch", "sh"].contains(where: { lower.hasSuffix($0) }) { return name + "es" }
        if lower.hasSuffix("y"), let before = lower.dropLast().last, !"aeiou".contains(before) { return name.dropLast() + "ies" }
        return name + "s"
    }

    /// The type whose endpoint is `component` (`Users`, `users`) among `types`: endpoints compare
    /// without case.
    public init?(endpoint component: some StringProtocol, among types: [ResourceType] = Self.all) {
        let text = String(component)
        guard let type = types.first(where: { String($0.endpoint.dropFirst()).equalsIgnoringCase(text) }) else { return nil }
        self = type
    }

    /// The type named `name` (`User`, `user`).
    public init?(name: some StringProtocol) {
        let text = String(name)
        guard let type = Self.all.first(where: { $0.name.equalsIgnoringCase(text) }) else { return nil }
        self = type
    }

    public var description: String { name }
}
