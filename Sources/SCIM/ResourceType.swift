/// A SCIM resource type and the endpoint that serves it: `User` at `/Users`, `Group` at
/// `/Groups` (RFC 7643 §6).
public struct ResourceType: Hashable, Sendable, CustomStringConvertible {
    /// `User`, `Group`.
    public var name: String
    /// `/Users`, `/Groups`.
    public var endpoint: String

    /// A resource type by its name (`User`) and its endpoint (`/Users`).
    public init(name: String, endpoint: String) {
        self.name = name
        self.endpoint = endpoint
    }

    public static let user = ResourceType(name: "User", endpoint: "/Users")
    public static let group = ResourceType(name: "Group", endpoint: "/Groups")

    /// The resource types a SCIM host of Entra's serves.
    public static let all: [ResourceType] = [.user, .group]

    /// The type whose endpoint is `component` (`Users`, `users`): endpoints compare without case.
    public init?(endpoint component: some StringProtocol) {
        let text = String(component)
        guard let type = Self.all.first(where: { String($0.endpoint.dropFirst()).equalsIgnoringCase(text) }) else { return nil }
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
