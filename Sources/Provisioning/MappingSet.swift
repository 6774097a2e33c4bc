public import MappingExpressions
public import SCIM

/// A set of attribute mappings for one object type, as Entra's provisioning configuration holds
/// it: the mappings, the scoping filter and the request shapes to emit.
public struct MappingSet: Sendable {
    public var mappings: [Mapping]
    /// Entra's scoping filter; nil or empty means every user is in scope.
    public var scope: ScopingFilter?
    public var profile: Profile
    /// Where the set was read from (a file name), for reports.
    public var sourceName: String

    /// A set of mappings, with an optional scoping filter, read as `profile` reads it.
    public init(mappings: [Mapping], scope: ScopingFilter? = nil, profile: Profile = .legacy, sourceName: String = "<mappings>") {
        self.mappings = mappings
        self.scope = scope
        self.profile = profile
        self.sourceName = sourceName
    }

    /// The matching mappings in the order Entra tries them: ascending precedence, then file order.
    public var matchingMappings: [Mapping] {
        mappings.enumerated()
            .filter { $0.element.matchingPrecedence != nil }
            .sorted { ($0.element.matchingPrecedence!, $0.offset) < ($1.element.matchingPrecedence!, $1.offset) }
            .map(\.element)
    }

    /// Whether any mapping reads `IsSoftDeleted`: without one, Entra sends nothing on a disable.
    public var usesSoftDelete: Bool {
        mappings.contains { $0.readsSoftDelete }
    }
}

/// The request shapes Entra emits.
public enum Profile: String, Sendable, CaseIterable {
    /// Entra's default (`scim` jobs): `Add`/`Replace`/`Remove`, booleans as `"True"`/`"False"`,
    /// one operation per attribute.
    case legacy
    /// With the `aadOptscim062020` flag: lowercase ops, JSON booleans, several replaced attributes
    /// merged into one path-less `replace`.
    case compliant
}

/// One attribute mapping: a source (expression, attribute or constant) flowing to a target path.
///
/// Immutable and shared: a provisioning run reads each mapping once per user.
public final class Mapping: Sendable {
    /// The compiled source; nil for a mapping of type None (only its default value flows).
    public let source: CompiledExpression?
    /// The source text as written.
    public let sourceText: String?
    /// The target attribute as written (Entra sends this text as the PATCH path and in filters).
    public let targetText: String
    public let target: AttributePath
    public let matchingPrecedence: Int?
    public let apply: Apply
    /// Sent when the source is NULL, on create only.
    public let defaultValue: String?
    /// Whether the mapping reads the computed `IsSoftDeleted` attribute.
    public let readsSoftDelete: Bool
    /// Whether the target is a boolean SCIM attribute (`active`, a `primary` sub-attribute).
    public let targetIsBoolean: Bool

    /// Entra's "Apply this mapping": always, or only during object creation.
    public enum Apply: String, Sendable {
        /// On create and on update (Graph `flowType: Always`).
        case always
        /// Only when the object is created (Graph `flowType: ObjectAddOnly`).
        case onCreate
    }

    /// How the source is written: a bare `[attr]` is Direct, a bare literal Constant.
    public enum Kind: String, Sendable {
        case direct, constant, expression, none
    }

    public init(
        source: CompiledExpression?, sourceText: String?, targetText: String, target: AttributePath,
        matchingPrecedence: Int? = nil, apply: Apply = .always, defaultValue: String? = nil
    ) {
        self.source = source
        self.sourceText = sourceText
        self.targetText = targetText
        self.target = target
        self.matchingPrecedence = matchingPrecedence
        self.apply = apply
        self.defaultValue = defaultValue
        readsSoftDelete = source?.attributeNames.contains { $0.equalsIgnoringCase("IsSoftDeleted") } ?? false
        targetIsBoolean = target.isBoolean
    }

    public var kind: Kind {
        guard let source else { return .none }
        switch source.syntax.kind {
        case .attribute: return .direct
        case .string: return .constant
        default: return .expression
        }
    }

    /// Whether its value must be masked in reports (it goes through `Redact`).
    public var isSecret: Bool { source?.isSecret ?? false }
}
