public import JSONValues
import Foundation
public import MappingExpressions

/// A source user as Entra reads it: its attributes, with Entra's adjustments.
public struct SourceUser: Sendable {
    public var attributes: [String: Value]

    /// The user's attributes from a JSON object (`{"userPrincipalName": "…", "accountEnabled": true}`).
    /// A B2B guest's `userPrincipalName` (`alias_theirdomain#EXT#@yourdomain`) is read as
    /// `alias@theirdomain`, as Entra does; `originalUserPrincipalName` keeps the full value.
    ///
    /// With `spelling`, a name that differs from a name read only in case is read as that name
    /// (`UserPrincipalName` as `userPrincipalName`), for exports of Microsoft Graph PowerShell.
    public init(json: JSON, respelling spelling: AttributeSpelling? = nil) throws(SourceUserError) {
        guard case .object(let members) = json else {
            throw SourceUserError(message: "expected a user object ({…}), not \(json.kindName)")
        }
        var attributes: [String: Value] = [:]
        attributes.reserveCapacity(members.count + 2)
        for (name, value) in members { attributes[name] = Value(json: value) }
        self.init(attributes: spelling?.respelled(attributes) ?? attributes)
    }

    /// A user with these attributes, and Entra's one adjustment: a B2B guest's `#EXT#`
    /// `userPrincipalName` is read as the guest's own address, the original kept in
    /// `originalUserPrincipalName`.
    public init(attributes: [String: Value]) {
        self.attributes = attributes
        if case .string(let upn) = attributes["userPrincipalName"], let guest = Self.b2bPrincipalName(upn) {
            if self.attributes["originalUserPrincipalName"] == nil {
                self.attributes["originalUserPrincipalName"] = .string(upn)
            }
            self.attributes["userPrincipalName"] = .string(guest)
        }
    }

    /// `alias_theirdomain#EXT#@yourdomain` → `alias@theirdomain`; nil when not a B2B name.
    static func b2bPrincipalName(_ upn: String) -> String? {
        guard upn.utf8.contains(UInt8(ascii: "#")), let marker = upn.range(of: "#EXT#", options: .caseInsensitive) else { return nil }
        let alias = upn[..<marker.lowerBound]
        guard let underscore = alias.lastIndex(of: "_") else { return String(alias) }
        return alias[..<underscore] + "@" + alias[alias.index(after: underscore)...]
    }

    /// The identity reported with each result: `objectId`, else `id`, else `userPrincipalName`.
    public var identity: String? {
        for key in ["objectId", "id", "userPrincipalName"] {
            if let value = attributes[key], !value.isNullOrEmpty, let text = value.text { return text }
        }
        return nil
    }

    /// Why Entra would consider the user soft-deleted, before scoping: nil when it is not.
    /// A user object that carries `IsSoftDeleted` itself is taken at its word.
    var softDeleteReason: (isSoftDeleted: Bool, reason: String?) {
        if let given = attributes["IsSoftDeleted"], !given.isNull {
            let flag = given.text?.lowercased() == "true"
            return (flag, flag ? "the user object sets IsSoftDeleted" : nil)
        }
        if let enabled = attributes["accountEnabled"], enabled.text?.lowercased() == "false" {
            return (true, "accountEnabled is false")
        }
        if let deleted = attributes["deletedDateTime"], !deleted.isNullOrEmpty {
            return (true, "the user is soft-deleted (deletedDateTime is set)")
        }
        return (false, nil)
    }
}

/// A source user that cannot be read.
public struct SourceUserError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
