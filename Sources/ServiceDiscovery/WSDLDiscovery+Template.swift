import Foundation
import XMLDocuments

extension WSDLDiscovery {
    /// A member of an XSD structure: its name, whether it may be absent or repeat, and its own
    /// members (nil for a simple value).
    struct Field {
        var name: String
        var optional: Bool
        var repeated: Bool
        var fields: [Field]?

        /// Every repeated structure below, and the path to each (`USERLIST/item`).
        func lists(_ path: [String] = []) -> [(path: [String], item: Field)] {
            var found: [(path: [String], item: Field)] = []
            for field in fields ?? [] {
                if field.repeated, field.fields != nil { found.append((path + [name, field.name], field)) } else { found += field.lists(path + [name]) }
            }
            return found
        }
    }

    /// An operation as the starter template binds it.
    struct BoundOperation {
        var name: String
        var action: String
        var input: Field?
        var output: Field?
    }

    /// The members of a declared element; nil when its value is simple.
    func fields(declaration element: XML.Element, depth: Int) -> [Field]? {
        guard depth < 6 else { return [] }
        if let type = element.attribute("type").flatMap(element.resolve(qualifiedName:)) {
            if type.namespace == Self.xsd { return nil }
            guard let (definition, _) = types[type] else { return nil }
            return fields(definition: definition, depth: depth)
        }
        if let reference = element.attribute("ref").flatMap(element.resolve(qualifiedName:)), let (declared, _) = elements[reference] {
            return fields(declaration: declared, depth: depth)
        }
        if let inline = element.elements.first(where: { ["complexType", "simpleType"].contains($0.name.local) }) {
            return fields(definition: inline, depth: depth)
        }
        return nil
    }

    func fields(definition: XML.Element, depth: Int) -> [Field]? {
        guard definition.name.local == "complexType" else { return nil }
        return declarations(in: definition).filter { $0.name.local == "element" }.map { child in
            let name = child.attribute("name") ?? child.attribute("ref").flatMap(child.resolve(qualifiedName:))?.local ?? "?"
            let repeated = child.attribute("maxOccurs").map { $0 == "unbounded" || (Int($0) ?? 1) > 1 } ?? false
            return Field(name: name, optional: child.attribute("minOccurs") == "0", repeated: repeated, fields: fields(declaration: child, depth: depth + 1))
        }
    }

    /// A message's content as one structure: the element of a document-style part, or the parts
    /// of an rpc-style message as members.
    func structure(of message: XML.Name?, named name: String) -> Field? {
        guard let message, let parts = messages[message]?.parts else { return nil }
        if parts.count == 1, let element = parts[0].element, let (declaration, _) = elements[element] {
            return Field(name: element.local, optional: false, repeated: false, fields: fields(declaration: declaration, depth: 0) ?? [])
        }
        return Field(name: name, optional: false, repeated: false, fields: parts.map { part in
            let type = part.type.flatMap { types[$0] }.flatMap { fields(definition: $0.element, depth: 1) }
            return Field(name: part.name, optional: false, repeated: false, fields: type)
        })
    }

    /// Which operation does what, by its name: SAP's BAPI_USER_GETLIST and BAPI_USER_GET_DETAIL,
    /// or ListUsers, GetUser, CreateUser, UpdateUser, DeleteUser, SetPassword.
    static func role(of operation: String) -> String? {
        let name = operation.uppercased().replacingOccurrences(of: "_", with: "")
        func has(_ words: String...) -> Bool { words.contains { name.contains($0) } }
        if has("PASSWORD", "PWD"), has("SET", "CHANGE", "RESET", "UPDATE") { return "setPassword" }
        if has("COMMIT") { return "commit" }
        if has("GETLIST", "LIST", "SEARCH", "FIND", "QUERY", "GETALL") { return "import" }
        if has("CREATE", "ADD", "INSERT") { return "create" }
        if has("CHANGE", "UPDATE", "MODIFY") { return "update" }
        if has("DELETE", "REMOVE") { return "delete" }
        if has("GETDETAIL", "GET", "READ", "RETRIEVE") { return "get" }
        return nil
    }

    /// A starter template for the port `portName` (by default the first SOAP 1.1 port, else the
    /// first SOAP port): its endpoint, SOAP version and namespace, one object type whose
    /// operations are bound by their names, bodies built from the input structures, the records
    /// and paging of the list guessed, SAP's RETURN rows as error rules when the outputs have
    /// them. Whatever was guessed is marked `# review`.
    package func starterTemplate(port portName: String? = nil) throws(Problem) -> String {
        let ports = services.flatMap { service in service.ports.map { (service: service.name, port: $0) } }
        let soapPorts = ports.filter { entry in bindings.first { $0.name == entry.port.binding }?.version != nil }
        let chosen: (service: String, port: Port)
        if let portName {
            guard let found = ports.first(where: { $0.port.name == portName }) else {
                throw Problem(message: "the WSDL has no port '\(portName)'; its ports are \(ports.map(\.port.name).joined(separator: ", "))")
            }
            chosen = found
        } else {
            guard let found = soapPorts.first(where: { entry in bindings.first { $0.name == entry.port.binding }?.version == "1.1" }) ?? soapPorts.first else {
                throw Problem(message: "the WSDL has no SOAP port to call")
            }
            chosen = found
        }
        guard let binding = bindings.first(where: { $0.name == chosen.port.binding }), let version = binding.version else {
            throw Problem(message: "the port '\(chosen.port.name)' has no SOAP binding")
        }
        let operations: [BoundOperation] = (binding.portType.flatMap { portTypes[$0] } ?? []).map { operation in
            BoundOperation(
                name: operation.name, action: binding.actions.first { $0.operation == operation.name }?.action ?? "",
                input: structure(of: operation.input, named: operation.name), output: structure(of: operation.output, named: operation.name + "Response"))
        }
        // The namespace of the operations' elements, and whether their children are qualified.
        let firstInput = binding.portType.flatMap { portTypes[$0] }?.first.flatMap { messages[$0.input ?? XML.Name("")]?.parts.first?.element }
        let namespace = firstInput?.namespace ?? targetNamespace
        let qualified = firstInput.flatMap { elements[$0]?.qualified } ?? false
        let style = binding.style == "rpc" ? "rpc" : "document"

        var bound: [String: BoundOperation] = [:]
        for operation in operations {
            guard let role = Self.role(of: operation.name), bound[role] == nil else { continue }
            bound[role] = operation
        }
        let usesReturnRows = operations.contains { $0.output?.fields?.contains { $0.name == "RETURN" } == true }

        var yaml: [String] = []
        yaml.append("# A starter template for the web services connector, discovered from \(source)")
        yaml.append("# (service \(chosen.service), port \(chosen.port.name)) by attrmap discover soap. Lines marked 'review' are")
        yaml.append("# guesses; check them, then try each operation: attrmap webservice call THIS.yaml OPERATION …")
        yaml.append("name: \(Self.quoted(chosen.service.lowercased()))")
        yaml.append("connection:")
        yaml.append("  endpoint: \(Self.quoted("${APP_URL:-\(chosen.port.address ?? "http://127.0.0.1")}"))" + (chosen.port.address == nil ? "   # review: the port has no address" : ""))
        yaml.append("  timeouts: {connect: 5s, request: 60s}")
        yaml.append("  concurrency: 4")
        yaml.append("  authentication: {type: basic, username: \"${APP_USER}\", password: \"${APP_PASSWORD}\"}   # review: the WSDL does not say")
        yaml.append("  namespaces: {tns: \(Self.quoted(namespace))}")
        yaml.append("  soap: {version: \"\(version)\", style: \(style), namespace: \(Self.quoted(namespace)), elementForm: \(qualified ? "qualified" : "unqualified")}")
        if usesReturnRows {
            yaml.append("  errors:   # RETURN rows of type E or A (SAP's BAPIRET2) are failures inside an HTTP 200")
            yaml.append("    # review: SAP's message numbers of class 01 (user administration); other classes have their own")
            yaml.append("    - {xml: \"*/RETURN/item[TYPE='E'][NUMBER='124']\", message: MESSAGE, outcome: notFound}")
            yaml.append("    - {xml: \"*/RETURN/item[TYPE='E'][NUMBER='224']\", message: MESSAGE, outcome: alreadyExists}")
            yaml.append("    - {xml: \"*/RETURN/item[TYPE='E'][NUMBER='187' or NUMBER='290']\", message: MESSAGE, outcome: invalidPassword}")
            yaml.append("    - {xml: \"*/RETURN/item[TYPE='E' or TYPE='A']\", message: MESSAGE, outcome: invalidValue}")
            // A single RETURN structure (BAPI_TRANSACTION_COMMIT's) carries the same numbers.
            yaml.append("    - {xml: \"*/RETURN[TYPE='E'][NUMBER='124']\", message: MESSAGE, outcome: notFound}")
            yaml.append("    - {xml: \"*/RETURN[TYPE='E'][NUMBER='224']\", message: MESSAGE, outcome: alreadyExists}")
            yaml.append("    - {xml: \"*/RETURN[TYPE='E' or TYPE='A']\", message: MESSAGE, outcome: fatal}")
        }
        yaml.append("objectTypes:")
        guard bound["create"] ?? bound["get"] != nil else {
            yaml.append("  []   # review: no operation that creates or reads an object was found by its name")
            return yaml.joined(separator: "\n") + "\n"
        }
        let prefix = qualified ? "tns:" : ""
        // Attributes: the simple members of the create's input (else the get's output), by name.
        var attributes: [(name: String, path: String, required: Bool)] = []
        func collect(_ field: Field, _ path: String) {
            for member in field.fields ?? [] where !member.repeated {
                if member.fields == nil {
                    if Self.isPassword(member.name) || ["SELF_REGISTER", "GENERATE_PWD", "WAIT"].contains(member.name) { continue }
                    if !attributes.contains(where: { $0.name == member.name }) { attributes.append((member.name, path + "/" + member.name, !member.optional)) }
                } else if member.name != "RETURN" {
                    collect(member, path + "/" + member.name)
                }
            }
        }
        if let input = (bound["create"] ?? bound["get"])?.input { collect(input, "") }
        let getInput = bound["get"]?.input?.fields?.first { $0.fields == nil && !$0.optional }
        let anchor = getInput?.name ?? attributes.first?.name ?? "id"
        if !attributes.contains(where: { $0.name == anchor }) { attributes.insert((anchor, "/" + anchor, true), at: 0) }
        yaml.append("  - name: User   # review: the object type's name")
        yaml.append("    anchor: \(Self.quoted(anchor))" + (getInput == nil ? "   # review" : ""))
        yaml.append("    attributes:")
        for attribute in attributes {
            yaml.append(attribute.required ? "      - {name: \(Self.quoted(attribute.name)), required: true}" : "      - \(Self.quoted(attribute.name))")
        }
        // Where each attribute is in the get's record (its output), else as in the create's input.
        yaml.append("    record:")
        for attribute in attributes {
            let path = bound["get"]?.output.flatMap { Self.path(to: attribute.name, in: $0) } ?? attribute.path
            yaml.append("      \(Self.quoted(attribute.name)): \(Self.quoted(path))")
        }
        yaml.append("    operations:")
        /// How a body is written: for a detail call (members of `[item]`), for an update (the
        /// `…X` twins as change flags), for the list (its page size and SAP's key range).
        struct Writing {
            var item: String?
            /// An update: a structure's `…X` twin holds its change flags; passwords are left to setPassword.
            var twins = false
            var flagging = false
            var listing = false
            var passwordOnly = false
        }
        func body(_ field: Field?, indent: String, _ writing: Writing) -> [String] {
            guard let fields = field?.fields, !fields.isEmpty else { return [] }
            let written = members(fields, indent: indent + "  ", writing)
            return written.isEmpty ? [] : [indent + "body:"] + written
        }
        /// Whether every simple member below is a password (SAP's PASSWORD and PASSWORDX).
        func holdsPassword(_ field: Field) -> Bool {
            guard let inner = field.fields, !inner.isEmpty else { return false }
            return inner.allSatisfy { $0.fields == nil ? Self.isPassword($0.name) : holdsPassword($0) }
        }
        func members(_ fields: [Field], indent: String, _ writing: Writing) -> [String] {
            var lines: [String] = []
            for field in fields {
                let key = Self.quoted(prefix + field.name)
                let rows = field.fields?.first { $0.repeated }
                if writing.listing, let row = rows?.fields?.map(\.name), ["PARAMETER", "OPTION", "LOW"].allSatisfy(row.contains) {
                    // SAP's selection range: the next page is the names after the last one.
                    lines.append("\(indent)\(key):   # review: keyset paging, \(anchor) after the last of the page")
                    lines.append("\(indent)  \(Self.quoted(prefix + (rows?.name ?? "item"))): {forEach: \"[page.cursor]\", value: {\(prefix)PARAMETER: '\"\(anchor)\"', \(prefix)SIGN: '\"I\"', \(prefix)OPTION: '\"GT\"', \(prefix)LOW: \"[item]\"}}")
                } else if field.repeated || field.name == "RETURN" || rows != nil {
                    if !writing.passwordOnly || field.name == "RETURN" { lines.append("\(indent)\(key): {}") }
                } else if let inner = field.fields {
                    let password = holdsPassword(field)
                    if writing.twins, password { continue }
                    if writing.passwordOnly, !password { continue }
                    var nested = writing
                    nested.flagging = (writing.twins || writing.passwordOnly) && field.name.hasSuffix("X") && fields.contains { $0.name == String(field.name.dropLast()) }
                    let built = members(inner, indent: indent + "  ", nested)
                    lines.append("\(indent)\(key):" + (built.isEmpty ? " {}" : ""))
                    lines += built
                } else if writing.flagging, writing.passwordOnly {
                    lines.append("\(indent)\(key): '\"X\"'")
                } else if Self.isPassword(field.name) {
                    lines.append("\(indent)\(key): \"[password]\"")
                } else if writing.passwordOnly, field.name != anchor {
                    continue
                } else if field.name == "GENERATE_PWD", !writing.passwordOnly {
                    lines.append("\(indent)\(key): 'IIF(IsNullOrEmpty([password]), \"X\", \"\")'   # SAP makes the initial password when none is given")
                } else if field.name == "WAIT" {
                    lines.append("\(indent)\(key): '\"X\"'   # a commit that waits for the update")
                } else if writing.flagging {
                    lines.append("\(indent)\(key): \"[flag.\(field.name)]\"")
                } else if writing.listing, Self.sizeNames.contains(field.name.uppercased()) {
                    lines.append("\(indent)\(key): \"[page.size]\"")
                } else if let item = writing.item, field.name == anchor {
                    lines.append("\(indent)\(key): \(Self.quoted("[\(item).\(field.name)]"))")
                } else if writing.item == nil, attributes.contains(where: { $0.name == field.name }) {
                    lines.append("\(indent)\(key): \(Self.quoted("[\(field.name)]"))")
                } else if !field.optional {
                    lines.append("\(indent)\(key): \"[\(field.name)]\"   # review: not an attribute")
                }
            }
            return lines
        }
        func step(_ operation: BoundOperation, indent: String, _ writing: Writing = Writing()) -> [String] {
            var lines = ["\(indent)- SOAP: \(Self.quoted(operation.name))"]
            if !operation.action.isEmpty { lines.append("\(indent)  action: \(Self.quoted(operation.action))") }
            return lines + body(operation.input, indent: indent + "  ", writing)
        }
        let commit = bound["commit"].map { step($0, indent: "        ") } ?? []
        let commitNote = commit.isEmpty ? [] : ["        # review: writes are held until this commit, in the same session"]
        if let list = bound["import"] {
            yaml.append("      import:")
            yaml.append("        steps:")
            yaml += step(list, indent: "          ", Writing(listing: true))
            let lists = (list.output?.lists() ?? []).filter { !$0.path.contains("RETURN") }
            if let (path, item) = lists.first(where: { $0.item.fields?.contains { $0.name == anchor } == true }) ?? lists.first {
                let records = (["tns:" + path[0]] + path.dropFirst().map { prefix + $0 }).joined(separator: "/")
                yaml.append("        records: \(Self.quoted(records))")
                if item.fields?.contains(where: { $0.name == anchor }) == true {
                    yaml.append("        paging: {style: keyset, key: /\(anchor), size: 200}   # review: the next page starts after the last \(anchor)")
                } else {
                    yaml.append("        # review: paging; the list's records carry no \(anchor)")
                }
                if let get = bound["get"] {
                    yaml.append("        detail:   # one call per record, in parallel")
                    yaml += step(get, indent: "          ", Writing(item: "item"))
                    yaml.append("        concurrency: 4   # at most the connection's")
                }
            } else {
                yaml.append("        records: \(Self.quoted("tns:" + (list.output?.name ?? "Response")))   # review: no list found in the response")
            }
        }
        if let get = bound["get"] { yaml.append("      get:"); yaml += step(get, indent: "        ") }
        if let create = bound["create"] { yaml.append("      create:"); yaml += step(create, indent: "        ") + commitNote + commit }
        if let update = bound["update"] {
            yaml.append("      update:")
            yaml.append("        send: changed")
            yaml.append("        steps:")
            yaml += step(update, indent: "          ", Writing(twins: true)) + commitNote.map { "  " + $0 } + commit.map { "  " + $0 }
        }
        if let delete = bound["delete"] { yaml.append("      delete:"); yaml += step(delete, indent: "        ") + commitNote + commit }
        if let password = bound["setPassword"] {
            yaml.append("      setPassword:")
            yaml += step(password, indent: "        ") + commitNote + commit
        } else if let update = bound["update"], update.input?.fields?.contains(where: holdsPassword) == true {
            // The update takes a password structure (SAP's BAPI_USER_CHANGE with PASSWORD and PASSWORDX).
            yaml.append("      setPassword:")
            yaml += step(update, indent: "        ", Writing(passwordOnly: true)) + commitNote + commit
        }
        return yaml.joined(separator: "\n") + "\n"
    }

    static let sizeNames = ["MAX_ROWS", "MAXROWS", "MAXRESULTS", "PAGESIZE", "LIMIT", "TOP", "COUNT"]

    static func isPassword(_ name: String) -> Bool {
        let upper = name.uppercased()
        return upper.contains("PASSWORD") || upper == "BAPIPWD" || upper == "PWD"
    }

    /// The pointer to the first simple member named `name` in a structure (`/ADDRESS/FIRSTNAME`).
    static func path(to name: String, in field: Field, _ prefix: String = "") -> String? {
        for member in field.fields ?? [] where !member.repeated {
            if member.fields == nil, member.name == name { return prefix + "/" + name }
        }
        for member in field.fields ?? [] where !member.repeated && member.fields != nil && member.name != "RETURN" {
            if let found = path(to: name, in: member, prefix + "/" + member.name) { return found }
        }
        return nil
    }

    static func quoted(_ text: String) -> String { YAMLScalar.quoted(text) }
}
