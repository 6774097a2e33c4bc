import Foundation
import MappingExpressions

/// Entra's "export provisioning configuration": a Microsoft Graph synchronization schema whose
/// rules hold object mappings, each with `attributeMappings` (`source` tree, `targetAttributeName`,
/// `matchingPriority`, `flowType`, `defaultValue`) and a `scope` of clause groups.
extension LoadContext {
    mutating func loadGraphExport(_ schema: DocumentNode) -> MappingSet? {
        guard let rules = schema["synchronizationRules"]?.elements else {
            error(.mappingInvalidDocument, "'synchronizationRules' must be a list", at: schema["synchronizationRules"] ?? schema)
            return nil
        }
        // The first enabled object mapping whose source objects are users.
        var chosen: DocumentNode?
        for rule in rules {
            for objectMapping in rule["objectMappings"]?.elements ?? [] {
                let source = objectMapping["sourceObjectName"]?.string?.lowercased()
                let enabled = objectMapping["enabled"]?.string?.lowercased() != "false"
                if chosen == nil, enabled, source == "user" { chosen = objectMapping }
            }
        }
        guard let objectMapping = chosen else {
            error(.mappingInvalidDocument, "the exported configuration has no enabled object mapping for users (sourceObjectName 'User')", at: schema)
            return nil
        }
        var mappings: [(Mapping, DocumentNode)] = []
        for node in objectMapping["attributeMappings"]?.elements ?? [] {
            if let mapping = loadGraphAttributeMapping(node) { mappings.append((mapping, node)) }
        }
        let scope = objectMapping["scope"].flatMap { loadGraphScope($0) }
        checkSet(mappings, root: objectMapping["attributeMappings"] ?? objectMapping)
        return MappingSet(mappings: mappings.map(\.0), scope: scope, profile: .legacy, sourceName: file.name)
    }

    mutating func loadGraphAttributeMapping(_ node: DocumentNode) -> Mapping? {
        var precedence: Int?
        if let value = node["matchingPriority"], let text = value.string {
            guard let number = Int(text), number >= 0 else {
                error(.mappingInvalidValue, "matchingPriority must be a non-negative integer, not '\(text)'", at: value)
                return nil
            }
            precedence = number == 0 ? nil : number
        }
        var apply = Mapping.Apply.always
        if let value = node["flowType"], let text = value.string {
            switch text.lowercased() {
            case "always": apply = .always
            case "objectaddonly": apply = .onCreate
            default:
                warning(.mappingInvalidValue, "flowType '\(text)' is not one the portal offers; it is treated as 'Always'", at: value)
            }
        }
        let defaultValue = node["defaultValue"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        let source = node["source"]
        var sourceText: String?
        if let source, !source.isNull {
            sourceText = source["expression"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? Self.expressionText(of: source)
            if sourceText == nil {
                error(.mappingInvalidValue, "cannot read this source: it has neither an 'expression' nor a 'type' of Attribute, Constant or Function", at: source)
                return nil
            }
        }
        let expressionNode = source?["expression"] ?? source ?? node
        return buildMapping(
            source: sourceText == nil ? nil : expressionNode, sourceText: sourceText, target: node["targetAttributeName"],
            owner: node, precedence: precedence, apply: apply, defaultValue: defaultValue)
    }

    /// Rebuilds expression text from a Graph `attributeMappingSource` tree.
    static func expressionText(of source: DocumentNode) -> String? {
        guard let type = source["type"]?.string?.lowercased(), let name = source["name"]?.string else { return nil }
        switch type {
        case "attribute": return "[\(name)]"
        case "constant":
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        case "function":
            let arguments = (source["parameters"]?.elements ?? []).map { parameter -> String in
                parameter["value"].flatMap { value in
                    value["expression"]?.string.flatMap { $0.isEmpty ? nil : $0 } ?? expressionText(of: value)
                } ?? ""
            }
            return "\(name)(\(arguments.joined(separator: ", ")))"
        default: return nil
        }
    }

    mutating func loadGraphScope(_ node: DocumentNode) -> ScopingFilter? {
        guard let groups = node["groups"]?.elements, !groups.isEmpty else { return nil }
        var result: [[ScopingFilter.Clause]] = []
        for group in groups {
            let clauses = group["clauses"]?.elements ?? []
            result.append(clauses.compactMap { clause in
                loadClause(
                    attribute: clause["sourceOperandName"], operator: clause["operatorName"],
                    values: clause["targetOperand"]?["values"]?.elements ?? [], at: clause)
            })
        }
        return ScopingFilter(groups: result)
    }
}
