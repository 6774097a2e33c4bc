import JSONValues
public import MappingExpressions
import SCIM

/// Runs a mapping set over source users and says, for each, which SCIM requests Entra would send:
/// scoping, matching queries in precedence order, then a create (POST), an update (PATCH of the
/// changed `always` mappings), a disable, or a skip.
public struct Provisioner: Sendable {
    public let mappingSet: MappingSet
    public let targetState: TargetState?
    public var options: Options

    /// How the provisioner runs.
    public struct Options: Sendable {
        /// `Now()` for every user; nil is the system clock.
        public var now: DateTime?
        /// Show `Redact` values instead of `[Redact]`.
        public var showSecrets = false
        /// Record the trace.
        public var includeSteps = true
        /// Read a source name that differs from a name read only in case as that name
        /// (`UserPrincipalName` as `userPrincipalName`): Microsoft Graph PowerShell's exports.
        public var ignoreAttributeCase = false
        public var guids: GUIDSource = .system
        public var random: RandomSource = .system

        /// `now` fixes the clock (`Now()`); `showSecrets` shows `Redact` values; `includeSteps`
        /// keeps the trace.
        public init(now: DateTime? = nil, showSecrets: Bool = false, includeSteps: Bool = true) {
            self.now = now
            self.showSecrets = showSecrets
            self.includeSteps = includeSteps
        }
    }

    /// A provisioner for `mappingSet`; with `targetState`, matching finds the objects already
    /// in the application.
    public init(mappingSet: MappingSet, targetState: TargetState? = nil, options: Options = Options()) {
        self.mappingSet = mappingSet
        self.targetState = targetState
        self.options = options
        matching = mappingSet.mappings.enumerated()
            .filter { $0.element.matchingPrecedence != nil }
            .sorted { ($0.element.matchingPrecedence!, $0.offset) < ($1.element.matchingPrecedence!, $1.offset) }
            .map { (index: $0.offset, mapping: $0.element) }
        var read: [String] = []
        var seen: Set<String> = []
        for mapping in mappingSet.mappings {
            for name in mapping.source?.attributeNames ?? [] where seen.insert(name).inserted { read.append(name) }
        }
        for group in mappingSet.scope?.groups ?? [] {
            for clause in group where seen.insert(clause.attribute).inserted { read.append(clause.attribute) }
        }
        attributesRead = read
        spelling = AttributeSpelling(reading: read)
        secretAttributes = Set(mappingSet.mappings.filter(\.isSecret).flatMap { $0.source?.attributeNames ?? [] })
    }

    /// The matching mappings in precedence order, with their index in the set.
    private let matching: [(index: Int, mapping: Mapping)]
    /// The source attributes the set reads, for the trace.
    private let attributesRead: [String]
    /// The names the set reads, to find source names spelt in another case.
    public let spelling: AttributeSpelling
    /// Attributes read only to be redacted: masked in the trace too.
    private let secretAttributes: Set<String>

    static let redacted = "[Redact]"

    /// The outcome for one user.
    public func provision(_ user: SourceUser) -> Outcome {
        var trace = Trace(enabled: options.includeSteps)
        var attributes = user.attributes

        // Scope, then the computed IsSoftDeleted.
        var inScope = true
        var scopeEvaluation: ScopingFilter.Evaluation?
        if let scope = mappingSet.scope, !scope.isEmpty {
            scopeEvaluation = scope.evaluate(attributes)
            inScope = scopeEvaluation!.inScope
        }
        var (softDeleted, reason) = user.softDeleteReason
        if !inScope, user.attributes["IsSoftDeleted"] == nil {
            softDeleted = true
            reason = "the user is out of scope"
        }
        attributes["IsSoftDeleted"] = .boolean(softDeleted)
        let masking = options.showSecrets ? [] : secretAttributes
        trace.read(attributes, names: attributesRead, masking: masking)
        if let scopeEvaluation { trace.scope(scopeEvaluation, masking: masking) }
        if softDeleted, let reason { trace.note("IsSoftDeleted is True: \(reason)") }

        // Evaluate every mapping once.
        var context = EvaluationContext(attributes: attributes, guids: options.guids, random: options.random)
        if let now = options.now { context = context.withFixedClock(now) }
        var values: [Value] = []
        values.reserveCapacity(mappingSet.mappings.count)
        var problems: [Outcome.Problem] = []
        for mapping in mappingSet.mappings {
            guard let source = mapping.source else {
                values.append(.null)
                continue
            }
            do {
                values.append(try source.evaluate(context))
            } catch {
                let location = source.source.location(of: error.range.lowerBound)
                problems.append(Outcome.Problem(
                    message: error.message, target: mapping.targetText, location: "\(source.source.name):\(location)"))
                values.append(.null)
            }
        }
        if !problems.isEmpty {
            var outcome = Outcome(action: .error)
            outcome.errors = problems
            outcome.reason = "a mapping could not be evaluated"
            outcome.steps = trace.steps
            return outcome
        }
        if values.contains(where: { if case .ignoreObjectFlow = $0 { true } else { false } }) {
            return finish(.skip, "a mapping returned IgnoreObjectFlow", trace: trace)
        }

        // Without target data, an out-of-scope or disabled user is simply not provisioned.
        if targetState == nil, softDeleted {
            return finish(.skip, inScope ? "IsSoftDeleted is True and the user has no object in the target: Entra does not create it" : "the user is out of scope", trace: trace)
        }

        // Matching queries in ascending precedence.
        var requests: [SCIMRequest] = []
        var matched: JSON?
        var anyMatchingValue = false
        for (index, mapping) in matching {
            let value = values[index]
            guard !value.isNullOrEmpty, !value.isFlowDirective, let text = value.matchText else {
                trace.match(mapping, value: nil, result: "no value: this attribute cannot be used for matching")
                continue
            }
            anyMatchingValue = true
            requests.append(.search(.user, filter: .compare(mapping.target, .eq, .string(text))))
            guard let targetState else {
                trace.match(mapping, value: text, result: "no target state given: assumed not found")
                continue
            }
            let found = targetState.find(mapping.target, equalTo: text)
            if found.count > 1 {
                var outcome = Outcome(action: .error)
                outcome.requests = requests
                outcome.errors = [Outcome.Problem(message: "DuplicateTargetEntries: \(found.count) target objects have \(mapping.targetText) = \(Self.quoted(text))", target: mapping.targetText)]
                trace.match(mapping, value: text, result: "\(found.count) objects found")
                outcome.steps = trace.steps
                return outcome
            }
            if let resource = found.first {
                trace.match(mapping, value: text, result: "matched", id: resource.member("id")?.comparableText)
                matched = resource
                break
            }
            trace.match(mapping, value: text, result: "not found")
        }
        if !matching.isEmpty, !anyMatchingValue {
            return finish(.skip, "the user has no value for any matching attribute (ImportSkipped)", trace: trace, requests: requests)
        }

        guard let resource = matched else {
            if softDeleted {
                return finish(.skip, inScope ? "IsSoftDeleted is True and the user has no object in the target: Entra does not create it" : "the user is out of scope", trace: trace, requests: requests)
            }
            return create(values: values, trace: &trace, requests: requests)
        }
        let id = resource.member("id")?.comparableText ?? ""
        if softDeleted {
            guard mappingSet.usesSoftDelete else {
                return finish(.skip, "the user is disabled or out of scope, but no mapping reads IsSoftDeleted, so Entra sends nothing", trace: trace, requests: requests)
            }
            return update(.disable, id: id, resource: resource, values: values, only: { $0.readsSoftDelete }, trace: &trace, requests: requests)
        }
        return update(.update, id: id, resource: resource, values: values, only: { _ in true }, trace: &trace, requests: requests)
    }

    private func finish(_ action: Outcome.Action, _ reason: String, trace: Trace, requests: [SCIMRequest] = []) -> Outcome {
        var outcome = Outcome(action: action)
        outcome.reason = reason
        outcome.requests = requests
        var trace = trace
        trace.note(reason)
        outcome.steps = trace.steps
        return outcome
    }

    // MARK: Create

    private func create(values: [Value], trace: inout Trace, requests: [SCIMRequest]) -> Outcome {
        var body = RequestBody()
        for (mapping, value) in zip(mappingSet.mappings, values) {
            switch value {
            case .ignoreFlow:
                trace.mapping(mapping, value: nil, flow: "ignored: the expression asked not to flow this attribute")
            case _ where value.isNull:
                if let defaultValue = mapping.defaultValue {
                    body.set(mapping.target, .string(defaultValue))
                    trace.mapping(mapping, value: .string(defaultValue), flow: "default value (the source is null)")
                } else {
                    trace.mapping(mapping, value: nil, flow: "not sent: the value is null (Entra does not flow nulls)")
                }
            default:
                let json = requestValue(value, mapping: mapping, inPatch: false)
                body.set(mapping.target, json)
                trace.mapping(mapping, value: json, flow: mapping.apply == .onCreate ? "sent (create only)" : "sent")
            }
        }
        var outcome = Outcome(action: .create)
        outcome.requests = requests + [.create(.user, body.json)]
        outcome.steps = trace.steps
        return outcome
    }

    // MARK: Update and disable

    private func update(
        _ action: Outcome.Action, id: String, resource: JSON, values: [Value], only include: (Mapping) -> Bool,
        trace: inout Trace, requests: [SCIMRequest]
    ) -> Outcome {
        var operations: [PatchOperation] = []
        for (mapping, value) in zip(mappingSet.mappings, values) where include(mapping) {
            if mapping.apply == .onCreate {
                trace.mapping(mapping, value: nil, flow: "skipped: applied only when the object is created")
                continue
            }
            switch value {
            case .ignoreFlow:
                trace.mapping(mapping, value: nil, flow: "ignored: the expression asked not to flow this attribute")
                continue
            case _ where value.isNull:
                trace.mapping(mapping, value: nil, flow: "not sent: the value is null (Entra does not flow nulls; defaults apply on create only)")
                continue
            default: break
            }
            let current = Resource.values(at: mapping.target, in: resource)
            if Self.same(value, current, boolean: mapping.targetIsBoolean) {
                trace.mapping(mapping, value: requestValue(value, mapping: mapping, inPatch: true), flow: "unchanged")
                continue
            }
            let json = requestValue(value, mapping: mapping, inPatch: true)
            operations.append(PatchOperation(op: current.isEmpty ? .add : .replace, path: mapping.target, value: json))
            trace.mapping(mapping, value: json, flow: current.isEmpty ? "sent: the target has no value" : "sent: changed")
        }
        guard !operations.isEmpty else {
            return finish(.skip, action == .disable ? "the target object is already disabled" : "the target object is up to date: no change to send", trace: trace, requests: requests)
        }
        var outcome = Outcome(action: action)
        outcome.requests = requests + [.patch(.user, id: id, PatchBuilder.request(operations, profile: mappingSet.profile))]
        outcome.steps = trace.steps
        return outcome
    }

    /// Whether the mapped value equals the target's current values.
    static func same(_ value: Value, _ current: [JSON], boolean: Bool) -> Bool {
        let wanted: [String]
        switch value {
        case .multiple(let values): wanted = values
        default: wanted = value.text.map { [$0] } ?? []
        }
        let have = current.compactMap(\.comparableText)
        guard wanted.count == have.count else { return false }
        if boolean || value.isBoolean {
            return zip(wanted, have).allSatisfy { $0.lowercased() == $1.lowercased() }
        }
        return wanted == have
    }

    // MARK: Values

    /// The JSON a mapped value is sent as. Booleans are JSON booleans, except in a legacy PATCH
    /// where Entra sends the strings `"True"`/`"False"`; a `"True"`/`"False"` string mapped to a
    /// boolean SCIM attribute (`active`, `primary`) is a boolean too.
    func requestValue(_ value: Value, mapping: Mapping, inPatch: Bool) -> JSON {
        if mapping.isSecret, !options.showSecrets { return .string(Self.redacted) }
        var flag: Bool?
        if case .boolean(let b) = value { flag = b }
        if flag == nil, mapping.targetIsBoolean, let text = value.text?.lowercased(), text == "true" || text == "false" {
            flag = text == "true"
        }
        if let flag {
            if inPatch, mappingSet.profile == .legacy { return .string(flag ? "True" : "False") }
            return .bool(flag)
        }
        switch value {
        case .multiple(let values): return .array(values.map(JSON.string))
        default: return .string(value.text ?? "")
        }
    }

    /// A filter value in double quotes, with `"` and `\` escaped.
    static func quoted(_ text: String) -> String {
        var output = ""
        JSON.writeString(text, to: &output)
        return output
    }
}

extension Value {
    var isBoolean: Bool { if case .boolean = self { true } else { false } }

    /// The text a matching query compares: a single value only.
    var matchText: String? {
        switch self {
        case .multiple(let values): values.first
        default: text
        }
    }
}

extension AttributePath {
    /// Core boolean attributes: `active`, and the `primary` sub-attribute of multi-valued ones.
    var isBoolean: Bool {
        if let subAttribute { return subAttribute.equalsIgnoringCase("primary") }
        return !isExtension && name.equalsIgnoringCase("active")
    }
}
