import Foundation
import XMLDocuments

/// A WSDL 1.1 document read for discovery, its `wsdl:import`s and its schemas' `xsd:import`s and
/// `xsd:include`s followed: services and their ports (binding, SOAP 1.1 or 1.2, endpoint
/// address), bindings (style, each operation's SOAPAction), and each operation's input and
/// output with the structure of their XSD types. Extensions it does not know (WS-Policy, SAP's
/// own) are passed over.
package struct WSDLDiscovery {
    static let wsdl = "http://schemas.xmlsoap.org/wsdl/"
    static let soap11 = "http://schemas.xmlsoap.org/wsdl/soap/"
    static let soap12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
    static let xsd = "http://www.w3.org/2001/XMLSchema"

    package struct Problem: Error, CustomStringConvertible {
        package var message: String
        package var description: String { message }
    }

    struct Message { var parts: [(name: String, element: XML.Name?, type: XML.Name?)] }
    struct Operation { var name: String; var input: XML.Name?; var output: XML.Name?; var faults: [XML.Name] }
    struct Binding {
        var name: XML.Name
        var portType: XML.Name?
        var version: String?
        var style: String
        var actions: [(operation: String, action: String, style: String?)]
    }
    struct Port { var name: String; var binding: XML.Name?; var address: String? }
    struct Service { var name: String; var ports: [Port] }

    /// The main document's target namespace, and where it was read from.
    package var targetNamespace: String
    package var source: String
    /// Every document read, in order: the main one first.
    package var documents: [String] = []
    var messages: [XML.Name: Message] = [:]
    var portTypes: [XML.Name: [Operation]] = [:]
    var bindings: [Binding] = []
    var services: [Service] = []
    var elements: [XML.Name: (element: XML.Element, qualified: Bool)] = [:]
    var types: [XML.Name: (element: XML.Element, qualified: Bool)] = [:]

    /// Reads `location` (a file or an http(s) URL) and everything it imports, through `fetch`.
    package static func load(_ location: String, fetch: (String) async throws -> [UInt8]) async throws(Problem) -> WSDLDiscovery {
        var discovery = WSDLDiscovery(targetNamespace: "", source: location)
        var pending = [location]
        var seen: Set<String> = []
        while let next = pending.first {
            pending.removeFirst()
            guard seen.insert(next).inserted else { continue }
            let bytes: [UInt8]
            do { bytes = try await fetch(next) } catch { throw Problem(message: "cannot read \(next): \(error)") }
            let root: XML.Element
            do { root = try XMLReader.parse(bytes, name: next) } catch { throw Problem(message: error.message) }
            discovery.documents.append(next)
            pending += try discovery.read(root, at: next)
        }
        return discovery
    }

    /// Takes in one document (a WSDL or a schema); the documents it imports.
    mutating func read(_ root: XML.Element, at location: String) throws(Problem) -> [String] {
        var imports: [String] = []
        if root.name == XML.Name("schema", namespace: Self.xsd) {
            imports += schema(root, at: location)
            return imports
        }
        guard root.name == XML.Name("definitions", namespace: Self.wsdl) else {
            throw Problem(message: "\(location):\(root.line):\(root.column): not a WSDL 1.1 document (the root is \(root.name), not {\(Self.wsdl)}definitions)")
        }
        let target = root.attribute("targetNamespace") ?? ""
        if targetNamespace.isEmpty { targetNamespace = target }
        for child in root.elements where child.name.namespace == Self.wsdl {
            switch child.name.local {
            case "import":
                if let place = child.attribute("location") { imports.append(Self.resolve(place, against: location)) }
            case "types":
                for schema in child.elements where schema.name == XML.Name("schema", namespace: Self.xsd) { imports += self.schema(schema, at: location) }
            case "message":
                guard let name = child.attribute("name") else { continue }
                messages[XML.Name(name, namespace: target)] = Message(parts: child.elements.filter { $0.name.local == "part" }.map { part in
                    (part.attribute("name") ?? "", part.attribute("element").flatMap(part.resolve(qualifiedName:)), part.attribute("type").flatMap(part.resolve(qualifiedName:)))
                })
            case "portType":
                guard let name = child.attribute("name") else { continue }
                portTypes[XML.Name(name, namespace: target)] = child.elements.filter { $0.name.local == "operation" }.map { operation in
                    func message(_ kind: String) -> XML.Name? {
                        operation.child(kind, namespace: Self.wsdl)?.attribute("message").flatMap(operation.resolve(qualifiedName:))
                    }
                    let faults = operation.elements.filter { $0.name.local == "fault" }.compactMap { $0.attribute("message").flatMap(operation.resolve(qualifiedName:)) }
                    return Operation(name: operation.attribute("name") ?? "", input: message("input"), output: message("output"), faults: faults)
                }
            case "binding":
                guard let name = child.attribute("name") else { continue }
                let soap = child.elements.first { $0.name.local == "binding" && [Self.soap11, Self.soap12].contains($0.name.namespace ?? "") }
                let version = soap.map { $0.name.namespace == Self.soap12 ? "1.2" : "1.1" }
                let actions = child.elements.filter { $0.name.local == "operation" && $0.name.namespace == Self.wsdl }.map { operation in
                    let extensionElement = operation.elements.first { $0.name.local == "operation" && [Self.soap11, Self.soap12].contains($0.name.namespace ?? "") }
                    return (operation.attribute("name") ?? "", extensionElement?.attribute("soapAction") ?? "", extensionElement?.attribute("style"))
                }
                bindings.append(Binding(
                    name: XML.Name(name, namespace: target), portType: child.attribute("type").flatMap(child.resolve(qualifiedName:)), version: version,
                    style: soap?.attribute("style") ?? "document", actions: actions))
            case "service":
                let ports = child.elements.filter { $0.name.local == "port" }.map { port in
                    Port(
                        name: port.attribute("name") ?? "", binding: port.attribute("binding").flatMap(port.resolve(qualifiedName:)),
                        address: port.elements.first { $0.name.local == "address" }?.attribute("location"))
                }
                services.append(Service(name: child.attribute("name") ?? "", ports: ports))
            default:
                break
            }
        }
        return imports
    }

    /// Takes in a schema's global elements and types; the schemas it imports or includes.
    mutating func schema(_ schema: XML.Element, at location: String) -> [String] {
        let target = schema.attribute("targetNamespace") ?? ""
        let qualified = schema.attribute("elementFormDefault") == "qualified"
        var imports: [String] = []
        for child in schema.elements where child.name.namespace == Self.xsd {
            switch child.name.local {
            case "element":
                if let name = child.attribute("name") { elements[XML.Name(name, namespace: target)] = (child, qualified) }
            case "complexType", "simpleType":
                if let name = child.attribute("name") { types[XML.Name(name, namespace: target)] = (child, qualified) }
            case "import", "include":
                if let place = child.attribute("schemaLocation") { imports.append(Self.resolve(place, against: location)) }
            default:
                break
            }
        }
        return imports
    }

    /// `place` relative to the document it was written in (a path or a URL).
    static func resolve(_ place: String, against base: String) -> String {
        if place.hasPrefix("http://") || place.hasPrefix("https://") || place.hasPrefix("/") { return place }
        if let url = URL(string: base), url.scheme?.hasPrefix("http") == true {
            return URL(string: place, relativeTo: url)?.absoluteString ?? place
        }
        return ((base as NSString).deletingLastPathComponent as NSString).appendingPathComponent(place)
    }

    // MARK: The tree

    package func tree() -> String {
        var lines = ["WSDL \(targetNamespace) (\(documents.count == 1 ? source : "\(source) and \(documents.count - 1) imported"))"]
        lines.append("services")
        for service in services {
            lines.append("  \(service.name)")
            for port in service.ports {
                let binding = bindings.first { $0.name == port.binding }
                let soap = binding?.version.map { "SOAP \($0)" } ?? "not SOAP"
                lines.append("    port \(port.name): \(soap), binding \(port.binding?.local ?? "?"), \(port.address ?? "no address")")
            }
        }
        lines.append("bindings")
        for binding in bindings {
            lines.append("  \(binding.name.local): \(binding.version.map { "SOAP \($0)" } ?? "not SOAP"), \(binding.style), port type \(binding.portType?.local ?? "?")")
            for (operation, action, style) in binding.actions {
                lines.append("    \(operation)" + (action.isEmpty ? "" : " — SOAPAction \(action)") + (style.map { $0 == binding.style ? "" : " (\($0))" } ?? ""))
            }
        }
        lines.append("operations")
        for (name, operations) in portTypes.sorted(by: { $0.key.local < $1.key.local }) {
            lines.append("  port type \(name.local)")
            for operation in operations {
                lines.append("    \(operation.name)")
                lines.append("      in:  " + describe(message: operation.input))
                lines.append("      out: " + describe(message: operation.output))
                for fault in operation.faults { lines.append("      fault: " + describe(message: fault)) }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func describe(message name: XML.Name?) -> String {
        guard let name, let message = messages[name] else { return name.map { "\($0.local) (not found)" } ?? "none" }
        return message.parts.map { part -> String in
            if let element = part.element { return describe(element: element) }
            if let type = part.type { return "\(part.name) " + describe(type: type, depth: 0) }
            return part.name
        }.joined(separator: ", ")
    }

    func describe(element name: XML.Name) -> String {
        guard let (element, _) = elements[name] else { return "\(name.local) (not found)" }
        return "\(name.local) " + describe(declaration: element, depth: 0)
    }

    /// `string≤12`, `{USERNAME string≤12, ADDRESS? {…}}`, `[item {…}]`.
    func describe(declaration element: XML.Element, depth: Int) -> String {
        if let type = element.attribute("type").flatMap(element.resolve(qualifiedName:)) { return describe(type: type, depth: depth) }
        if let inline = element.elements.first(where: { ["complexType", "simpleType"].contains($0.name.local) }) { return describe(definition: inline, depth: depth) }
        return "any"
    }

    func describe(type name: XML.Name, depth: Int) -> String {
        if name.namespace == Self.xsd { return name.local }
        guard let (definition, _) = types[name] else { return "\(name.local) (not found)" }
        let shown = describe(definition: definition, depth: depth)
        return definition.name.local == "complexType" ? "\(name.local) \(shown)" : shown
    }

    func describe(definition: XML.Element, depth: Int) -> String {
        if definition.name.local == "simpleType" {
            guard let restriction = definition.child("restriction") else { return "string" }
            let base = restriction.attribute("base").flatMap(restriction.resolve(qualifiedName:)).map { $0.namespace == Self.xsd ? $0.local : describe(type: $0, depth: depth) } ?? "string"
            let length = restriction.child("maxLength")?.attribute("value").map { "≤\($0)" } ?? ""
            let values = restriction.elements.filter { $0.name.local == "enumeration" }.compactMap { $0.attribute("value") }
            return base + length + (values.isEmpty ? "" : " (" + values.joined(separator: "|") + ")")
        }
        guard depth < 3 else { return "{…}" }
        var members: [String] = []
        for child in declarations(in: definition) {
            if child.name.local == "attribute" {
                members.append("@\(child.attribute("name") ?? "?")")
                continue
            }
            let name = child.attribute("name") ?? child.attribute("ref").flatMap(child.resolve(qualifiedName:))?.local ?? "?"
            let optional = child.attribute("minOccurs") == "0" ? "?" : ""
            let many = child.attribute("maxOccurs").map { $0 == "unbounded" || (Int($0) ?? 1) > 1 } ?? false
            var type = describe(declaration: child, depth: depth + 1)
            if let reference = child.attribute("ref").flatMap(child.resolve(qualifiedName:)), let (declared, _) = elements[reference] {
                type = describe(declaration: declared, depth: depth + 1)
            }
            members.append(many ? "[\(name) \(type)]" : "\(name)\(optional) \(type)")
        }
        return "{" + members.joined(separator: ", ") + "}"
    }

    /// The element and attribute declarations of a complex type, in order: through its
    /// sequences, alls and choices, and an extension's base type first.
    func declarations(in definition: XML.Element) -> [XML.Element] {
        var found: [XML.Element] = []
        for child in definition.elements {
            switch child.name.local {
            case "sequence", "all", "choice": found += declarations(in: child)
            case "complexContent", "simpleContent":
                if let extensionElement = child.elements.first(where: { $0.name.local == "extension" }) {
                    if let base = extensionElement.attribute("base").flatMap(extensionElement.resolve(qualifiedName:)), let (baseType, _) = types[base] {
                        found += declarations(in: baseType)
                    }
                    found += declarations(in: extensionElement)
                }
            case "element", "attribute": found.append(child)
            default: break
            }
        }
        return found
    }
}
