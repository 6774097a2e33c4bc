public import JSONValues
public import MappingExpressions

/// The source attribute names a mapping set or an expression reads, held against the names a
/// source spells. Entra's attribute names are case-sensitive, and attrmap keeps them so:
/// `[userPrincipalName]` does not read `UserPrincipalName`. But Microsoft Graph PowerShell
/// (`Get-MgUser | ConvertTo-Json`) writes every name in PascalCase, so a mapping would read
/// NULL for every user. This type finds such near misses, to say so, and on request reads the
/// source's names in the spelling the mapping uses.
public struct AttributeSpelling: Sendable {
    /// A source name that differs from a name read only in case.
    public struct Mismatch: Hashable, Sendable {
        /// As the source spells it: `UserPrincipalName`.
        public var found: String
        /// As the mapping reads it: `userPrincipalName`.
        public var read: String
    }

    /// Names read by the provisioner itself, whatever the mappings: identity, soft deletion, B2B.
    public static let builtIn = ["IsSoftDeleted", "accountEnabled", "deletedDateTime", "id", "objectId", "userPrincipalName"]

    /// The names read, as UTF-8, by length: a source name of another length is no near miss,
    /// and most source names are told apart without hashing.
    private let byLength: [[(utf8: [UInt8], name: String)]]

    /// The spelling of `names`, and of ``builtIn`` unless `includingBuiltIn` is false.
    public init(reading names: some Sequence<String>, includingBuiltIn: Bool = true) {
        var all = includingBuiltIn ? Set(Self.builtIn) : []
        all.formUnion(names)
        var byLength: [[(utf8: [UInt8], name: String)]] = Array(repeating: [], count: (all.map(\.utf8.count).max() ?? 0) + 1)
        for name in all.sorted() { byLength[name.utf8.count].append((Array(name.utf8), name)) }
        self.byLength = byLength
    }

    /// The spelling of the attributes `expression` reads (and of nothing else).
    public init(reading expression: CompiledExpression) {
        self.init(reading: expression.attributeNames, includingBuiltIn: false)
    }

    /// The name read that `key` spells in another case, or nil (spelt as read, or not read at all).
    public func readName(for key: String) -> String? {
        let count = key.utf8.count
        guard count < byLength.count, !byLength[count].isEmpty else { return nil }
        var key = key
        return key.withUTF8 { utf8 in
            var folded: String?
            for candidate in byLength[count] {
                var same = true
                var foldedSame = true
                for index in 0..<count {
                    let a = utf8[index], b = candidate.utf8[index]
                    if a == b { continue }
                    same = false
                    let lower = a | 0x20
                    if lower != b | 0x20 || lower < UInt8(ascii: "a") || lower > UInt8(ascii: "z") {
                        foldedSame = false
                        break
                    }
                }
                if same { return nil }  // spelt as read
                if foldedSame, folded == nil { folded = candidate.name }
            }
            return folded
        }
    }

    /// The near misses among `keys`: a source name that the mapping reads in another case, when
    /// the source does not also hold the name as read.
    public func mismatches(in keys: some Collection<String>) -> [Mismatch] {
        var found: [Mismatch] = []
        for key in keys {
            guard let read = readName(for: key), !keys.contains(read) else { continue }
            found.append(Mismatch(found: key, read: read))
        }
        return found
    }

    /// `attributes` with every near miss renamed to the name read; an attribute spelt as read
    /// wins over one spelt otherwise.
    public func respelled(_ attributes: [String: Value]) -> [String: Value] {
        var result = attributes
        for (key, value) in attributes {
            guard let read = readName(for: key) else { continue }
            result[key] = nil
            if attributes[read] == nil { result[read] = value }
        }
        return result
    }
}

extension AttributeSpelling {
    /// What was found where, and the way out: `users.json spells 2 attribute names in another
    /// case than the mapping reads them: 'City' for [city], …`; `remedy` says how to read them anyway.
    public static func advice(
        for mismatches: [Mismatch], in place: String, reader: String = "the mapping", remedy: String = "pass --ignore-attribute-case"
    ) -> String {
        let sorted = mismatches.sorted { ($0.read, $0.found) < ($1.read, $1.found) }
        let pairs = sorted.map { "'\($0.found)' for [\($0.read)]" }.joined(separator: ", ")
        let count = sorted.count == 1 ? "an attribute name" : "\(sorted.count) attribute names"
        return "\(place) spells \(count) in another case than \(reader) reads \(sorted.count == 1 ? "it" : "them"): \(pairs). "
            + "Attribute names are case-sensitive, so \(sorted.count == 1 ? "it reads" : "they read") NULL. "
            + "Exports of Microsoft Graph PowerShell (Get-MgUser | ConvertTo-Json) spell names in PascalCase: "
            + "\(remedy) to read them, or rename the keys"
    }
}

/// A JSON document that should hold one user, as `eval --user` and the REPL's `:user` read it.
public enum UserDocument {
    /// The user `json` holds: a user object, else the first user of a Microsoft Graph collection
    /// page (`{"@odata.context": …, "value": [users]}`) or of an array (`az ad user list`), with
    /// a note saying so; an error when there is no user at all.
    public static func single(_ json: JSON, name: String) throws(SourceUserError) -> (user: JSON, note: String?) {
        let users: [JSON]
        let kind: String
        if case .object(let members) = json {
            guard members.contains(where: { $0.0.hasPrefix("@odata.") }), case .array(let page)? = json["value"] else {
                return (json, nil)
            }
            users = page
            kind = "a Microsoft Graph collection"
        } else if case .array(let array) = json {
            users = array
            kind = "an array"
        } else {
            throw SourceUserError(message: "\(name): expected a user object ({…}), not \(json.kindName)")
        }
        guard let first = users.first else { throw SourceUserError(message: "\(name) holds \(kind) with no users") }
        let note = users.count == 1 ? nil : "\(name) holds \(kind) of \(users.count) users; the first is used (attrmap transform reads them all)"
        return (first, note)
    }
}
