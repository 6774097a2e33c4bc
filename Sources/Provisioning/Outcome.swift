public import JSONValues
public import SCIM

/// What Entra would do for one source user: the action, the SCIM requests in order, a trace of
/// the steps in the spirit of provision-on-demand, and any errors.
public struct Outcome: Sendable {
    /// What Entra does for the user.
    public enum Action: String, Sendable {
        case create, update, disable, skip, error
    }

    public var action: Action
    /// The requests in the order Entra sends them; `SCIMRequest.json` is how the transform writes each.
    public var requests: [SCIMRequest] = []
    public var steps: [JSON] = []
    public var errors: [Problem] = []
    /// Why the user was skipped or not changed, in a sentence.
    public var reason: String?

    /// An outcome with no request yet.
    public init(action: Action) {
        self.action = action
    }

    /// An error for this user: its message, the target attribute concerned, and where in the
    /// input or the mapping file it comes from.
    public struct Problem: Sendable, Hashable {
        public var message: String
        public var target: String?
        public var location: String?

        /// An error with the target attribute concerned and where it comes from, when known.
        public init(message: String, target: String? = nil, location: String? = nil) {
            self.message = message
            self.target = target
            self.location = location
        }

        public var json: JSON {
            var members: [(String, JSON)] = [("message", .string(message))]
            if let target { members.append(("target", .string(target))) }
            if let location { members.append(("location", .string(location))) }
            return .object(members)
        }
    }
}
