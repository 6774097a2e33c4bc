import Foundation
public import MappingExpressions
import SCIM

/// Reads a mapping set from a file: attrmap's own YAML/JSON format, or the JSON of Entra's
/// "export provisioning configuration" (a Graph synchronization schema). Every problem is
/// reported, each at its place in the file; the set is returned when there is no error.
public struct MappingSetLoader: Sendable {
    public var options: CompileOptions

    /// A loader that compiles every expression with `options`.
    public init(options: CompileOptions = CompileOptions()) {
        self.options = options
    }

    /// What a load gives: the set when there is no error, and every diagnostic.
    public struct Result: Sendable {
        /// The set, when the file has no error.
        public var mappingSet: MappingSet?
        /// Every problem found, in file order.
        public var diagnostics: [MappingDiagnostic]
        /// The mapping file's text, for rendering.
        public var file: SourceFile

        public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    }

    /// Reads the file at `path`.
    public func load(path: String) throws(MappingFileError) -> Result {
        let text: String
        do {
            text = try TextFile.read(path, what: "mapping file")
        } catch {
            throw MappingFileError(message: error.message)
        }
        return load(text: text, name: path)
    }

    /// Reads mapping-file text; `name` is what diagnostics print.
    public func load(text: String, name: String) -> Result {
        var context = LoadContext(file: SourceFile(name: name, text: text), options: options)
        let set = context.loadDocument()
        context.diagnostics.sort { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
        let hasErrors = context.diagnostics.contains { $0.severity == .error }
        return Result(mappingSet: hasErrors ? nil : set, diagnostics: context.diagnostics, file: context.file)
    }
}

/// A mapping file that cannot be read at all.
public struct MappingFileError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

struct LoadContext {
    let file: SourceFile
    let options: CompileOptions
    var diagnostics: [MappingDiagnostic] = []

    init(file: SourceFile, options: CompileOptions) {
        self.file = file
        self.options = options
    }

    mutating func report(_ diagnostic: Diagnostic) {
        diagnostics.append(MappingDiagnostic(diagnostic, in: file))
    }

    mutating func error(_ id: Diagnostic.ID, _ message: String, at node: DocumentNode, notes: [Diagnostic.Note] = []) {
        report(.error(id, message, at: node.range, notes: notes))
    }

    mutating func warning(_ id: Diagnostic.ID, _ message: String, at node: DocumentNode) {
        report(.warning(id, message, at: node.range))
    }

    mutating func loadDocument() -> MappingSet? {
        let root: DocumentNode?
        switch DocumentReader(file: file).read() {
        case .success(let node): root = node
        case .failure(let error):
            report(.error(.mappingSyntax, error.message, at: SourceRange(error.offset, error.offset + 1)))
            return nil
        }
        guard let root, root.members != nil else {
            report(.error(.mappingInvalidDocument, "expected a mapping file: an object with 'mappings' (attrmap) or 'synchronizationRules' (an exported Entra provisioning configuration)", at: SourceRange(0, 1)))
            return nil
        }
        if root["synchronizationRules"] != nil || root["schema"]?["synchronizationRules"] != nil {
            return loadGraphExport(root["synchronizationRules"] != nil ? root : root["schema"]!)
        }
        return loadNative(root)
    }

    // MARK: attrmap's format

    static let setKeys = ["mappings", "profile", "scope"]
    static let mappingKeys = ["apply", "default", "matchingPrecedence", "source", "target"]
    static let clauseKeys = ["attribute", "operator", "value"]

    mutating func checkKeys(of node: DocumentNode, allowed: [String], in what: String) {
        for (key, _) in node.members ?? [] {
            guard let name = key.string, !allowed.contains(name) else { continue }
            var message = "unknown key '\(name)' in \(what); expected one of \(allowed.map { "'\($0)'" }.joined(separator: ", "))"
            if let suggestion = allowed.first(where: { $0.lowercased() == name.lowercased() }) {
                message += " (did you mean '\(suggestion)'?)"
            }
            warning(.mappingUnknownKey, message, at: key)
        }
    }

    mutating func loadNative(_ root: DocumentNode) -> MappingSet {
        checkKeys(of: root, allowed: Self.setKeys, in: "the mapping set")
        var profile = Profile.legacy
        if let node = root["profile"] {
            if let text = node.string, let value = Profile(rawValue: text.lowercased()) ?? (text == "aadOptscim062020" ? .compliant : nil) {
                profile = value
            } else {
                error(.mappingInvalidValue, "invalid profile \(node.string.map { "'\($0)'" } ?? node.kindDescription); expected 'legacy' or 'compliant'", at: node)
            }
        }
        var mappings: [(Mapping, DocumentNode)] = []
        if let list = root["mappings"] {
            if let elements = list.elements {
                for element in elements {
                    if let mapping = loadMapping(element) { mappings.append((mapping, element)) }
                }
            } else if !list.isNull {
                error(.mappingInvalidDocument, "'mappings' must be a list of mappings, not \(list.kindDescription)", at: list)
            }
        } else {
            error(.mappingMissingKey, "the mapping set has no 'mappings' list", at: root)
        }
        let scope = root["scope"].flatMap { loadNativeScope($0) }
        checkSet(mappings, root: root)
        return MappingSet(mappings: mappings.map(\.0), scope: scope, profile: profile, sourceName: file.name)
    }

    mutating func loadMapping(_ node: DocumentNode) -> Mapping? {
        guard node.members != nil else {
            error(.mappingInvalidDocument, "expected a mapping with 'source' and 'target', not \(node.kindDescription)", at: node)
            return nil
        }
        checkKeys(of: node, allowed: Self.mappingKeys, in: "a mapping")
        var precedence: Int?
        if let value = node["matchingPrecedence"], !value.isNull {
            if let number = value.string.flatMap({ Int($0) }), number >= 0 {
                precedence = number == 0 ? nil : number
            } else {
                error(.mappingInvalidValue, "matchingPrecedence must be a positive integer, not '\(value.string ?? value.kindDescription)'", at: value)
            }
        }
        var apply = Mapping.Apply.always
        if let value = node["apply"], !value.isNull {
            switch value.string?.lowercased() {
            case "always": apply = .always
            case "oncreate", "objectaddonly": apply = .onCreate
            default:
                error(.mappingInvalidValue, "apply must be 'always' or 'onCreate', not '\(value.string ?? value.kindDescription)'", at: value)
            }
        }
        var defaultValue: String?
        if let value = node["default"], !value.isNull {
            if let text = value.string { defaultValue = text } else {
                error(.mappingInvalidValue, "default must be a string, not \(value.kindDescription)", at: value)
            }
        }
        return buildMapping(
            source: node["source"], target: node["target"], owner: node, precedence: precedence, apply: apply,
            defaultValue: defaultValue)
    }

    /// Compiles the source and parses the target. Nil when the target is unusable; a mapping whose
    /// source does not compile is kept (without source) so the checks on the whole set still see
    /// it. Every problem is reported.
    mutating func buildMapping(
        source: DocumentNode?, sourceText overrideText: String? = nil, target: DocumentNode?, owner: DocumentNode,
        precedence: Int?, apply: Mapping.Apply, defaultValue: String?
    ) -> Mapping? {
        var compiled: CompiledExpression?
        var sourceText: String?
        if let source, !source.isNull || overrideText != nil {
            if let text = overrideText ?? source.string {
                sourceText = text
                compiled = compile(text, at: source)
            } else {
                error(.mappingInvalidValue, "source must be an expression string, not \(source.kindDescription)", at: source)
            }
        } else if defaultValue == nil {
            error(.mappingMissingKey, "the mapping has no 'source' (and no 'default'): nothing would flow", at: owner)
        }
        guard let target, let targetText = target.string else {
            error(.mappingMissingKey, "the mapping has no 'target' attribute", at: target ?? owner)
            return nil
        }
        let path: AttributePath
        do {
            path = try AttributePath.parse(targetText)
        } catch {
            let offset = target.fileOffset(error.offset) ?? target.offset
            report(.error(.mappingInvalidTarget, "invalid target attribute '\(targetText)': \(error.message)", at: SourceRange(offset, offset + 1)))
            return nil
        }
        if path.schema == nil, path.name.lowercased() == "id" {
            error(.mappingTargetIsID, "'id' cannot be a target: the application assigns it", at: target)
        }
        return Mapping(
            source: compiled, sourceText: sourceText, targetText: targetText, target: path,
            matchingPrecedence: precedence, apply: apply, defaultValue: defaultValue)
    }

    /// Compiles an expression found at `node`; its diagnostics point into the mapping file when the
    /// expression can be placed there (written verbatim, or quoted with simple escapes).
    mutating func compile(_ text: String, at node: DocumentNode) -> CompiledExpression? {
        let start = file.location(of: node.fileOffset(0) ?? node.offset)
        let expressionFile = SourceFile(name: file.name, text: text, origin: .init(start: start))
        let (expression, diagnostics) = CompiledExpression.compile(expressionFile, options: options)
        let length = text.utf8.count
        for diagnostic in diagnostics {
            if node.fileOffset(0) != nil {
                report(diagnostic.remapped { node.fileOffset(min(max(0, $0), length)) ?? node.offset })
            } else {
                self.diagnostics.append(MappingDiagnostic(diagnostic, in: expressionFile))
            }
        }
        return expression
    }

    mutating func loadNativeScope(_ node: DocumentNode) -> ScopingFilter? {
        if node.isNull { return nil }
        guard let elements = node.elements else {
            error(.mappingInvalidScope, "scope must be a list of groups (each a list of clauses), not \(node.kindDescription)", at: node)
            return nil
        }
        // A list of clauses is one group; a list of lists is several groups, OR-ed.
        let groups: [DocumentNode] = elements.allSatisfy({ $0.members != nil }) ? [node] : elements
        var result: [[ScopingFilter.Clause]] = []
        for group in groups {
            guard let clauses = group.elements else {
                error(.mappingInvalidScope, "a scope group must be a list of clauses, not \(group.kindDescription)", at: group)
                continue
            }
            result.append(clauses.compactMap { clause in
                checkKeys(of: clause, allowed: Self.clauseKeys, in: "a scope clause")
                return loadClause(attribute: clause["attribute"], operator: clause["operator"], values: clause["value"].map { [$0] } ?? [], at: clause)
            })
        }
        return ScopingFilter(groups: result)
    }

    mutating func loadClause(attribute: DocumentNode?, operator op: DocumentNode?, values: [DocumentNode], at node: DocumentNode) -> ScopingFilter.Clause? {
        guard let attributeName = attribute?.string else {
            error(.mappingInvalidScope, "a scope clause needs an 'attribute'", at: attribute ?? node)
            return nil
        }
        guard let opText = op?.string, let parsed = ScopingFilter.Operator(spelling: opText) else {
            let list = ScopingFilter.Operator.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            error(.mappingInvalidScope, "\(op?.string.map { "unknown operator '\($0)'" } ?? "a scope clause needs an 'operator'"); expected one of \(list)", at: op ?? node)
            return nil
        }
        let value = values.first(where: { !$0.isNull })?.string
        do {
            return try ScopingFilter.Clause(attribute: attributeName, operator: parsed, value: value)
        } catch {
            self.error(.mappingInvalidScope, error.message, at: values.first ?? op ?? node)
            return nil
        }
    }

    // MARK: Checks on the whole set

    mutating func checkSet(_ mappings: [(Mapping, DocumentNode)], root: DocumentNode) {
        var targets: [String: DocumentNode] = [:]
        var precedences: [Int: DocumentNode] = [:]
        for (mapping, node) in mappings {
            let key = mapping.target.withoutCoreSchema.description.lowercased()
            let targetNode = node["target"] ?? node["targetAttributeName"] ?? node
            if let first = targets[key] {
                error(.mappingDuplicateTarget, "'\(mapping.targetText)' is the target of two mappings", at: targetNode,
                      notes: [.init("first mapped here", at: first.range)])
            } else {
                targets[key] = targetNode
            }
            if let precedence = mapping.matchingPrecedence {
                let precedenceNode = node["matchingPrecedence"] ?? node["matchingPriority"] ?? node
                if let first = precedences[precedence] {
                    error(.mappingDuplicatePrecedence, "matching precedence \(precedence) is given to two mappings", at: precedenceNode,
                          notes: [.init("first given here", at: first.range)])
                } else {
                    precedences[precedence] = precedenceNode
                }
            }
            if let source = mapping.source, case .call(let call) = source.syntax.kind, call.name.lowercased() == "selectuniquevalue" {
                let sourceNode = node["source"] ?? node
                if mapping.matchingPrecedence != nil {
                    error(.mappingSelectUniqueValueMatching, "SelectUniqueValue cannot be used on a matching attribute", at: sourceNode)
                }
                if mapping.apply != .onCreate {
                    error(.mappingSelectUniqueValueNotOnCreate, "SelectUniqueValue needs 'apply: onCreate': Entra only runs it when the object is created", at: sourceNode)
                }
            }
        }
        if !mappings.isEmpty, !mappings.contains(where: { $0.0.matchingPrecedence != nil }) {
            error(.mappingNoMatchingAttribute, "no mapping has a matchingPrecedence: Entra needs at least one matching attribute to find existing objects", at: root["mappings"] ?? root)
        }
    }
}
