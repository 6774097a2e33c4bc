package import Connectors
import Foundation
import JSONValues
import MappingExpressions
import XMLDocuments

/// Reads a web service template from YAML, strictly: an unknown or misspelt key, a wrong type,
/// an expression that does not compile, a secret written in clear: each is an error at its
/// file:line:column, and nothing is guessed.
///
/// `${NAME}` (or `${NAME:-default}`) in the `connection` section is a variable: from
/// `variables` (the serve configuration's), else the environment. Secrets must be references:
/// `${NAME}` or `{file: PATH}`.
package struct TemplateReader {
    package typealias Problem = ConnectorSettings.Problem

    let file: String
    let variables: [String: String]
    /// A variable that is not set is an error, unless it may stay as its reference (a dry run).
    let keepsUnsetVariables: Bool
    /// The connection, once read: its SOAP settings and namespaces shape the steps.
    var connection = WebServiceTemplate.Connection(baseURL: "")

    /// Reads the template at `path`. With `keepingUnsetVariables`, a variable that is not set
    /// stays `${NAME}`, for a dry run that sends nothing.
    package static func read(
        file path: String, variables: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment,
        keepingUnsetVariables: Bool = false
    ) throws(Problem) -> WebServiceTemplate {
        let root = try ConnectorSettings.load(file: path, context: "template", environment: environment)
        return try read(root, variables: variables.merging(environment) { mine, _ in mine }, keepingUnsetVariables: keepingUnsetVariables)
    }

    /// Reads a template already parsed.
    package static func read(_ root: ConnectorSettings, variables: [String: String], keepingUnsetVariables: Bool = false) throws(Problem) -> WebServiceTemplate {
        var reader = TemplateReader(file: root.file, variables: variables, keepsUnsetVariables: keepingUnsetVariables)
        return try reader.template(root)
    }

    mutating func template(_ root: ConnectorSettings) throws(Problem) -> WebServiceTemplate {
        try root.checkKeys(["name", "description", "connection", "objectTypes"], what: "a template")
        guard let name = root["name"]?.string, !name.isEmpty else { throw root.problem("a template needs a 'name'") }
        guard let connection = root["connection"] else { throw root.problem("a template needs a 'connection' with at least a 'baseURL'") }
        self.connection = try self.connection(connection)
        guard let types = root["objectTypes"]?.sequence, !types.isEmpty else {
            throw (root["objectTypes"] ?? root).problem("'objectTypes' is a list of object types, at least one ('User')")
        }
        var objectTypes: [WebServiceTemplate.ObjectType] = []
        for entry in types {
            let type = try objectType(entry)
            if objectTypes.contains(where: { $0.name.lowercased() == type.name.lowercased() }) {
                throw entry.problem("the object type '\(type.name)' is described twice")
            }
            objectTypes.append(type)
        }
        if case .usernameToken = self.connection.authentication {
            for type in objectTypes {
                let operations = type.operations
                let flows = [operations.test, operations.get, operations.create, operations.update, operations.delete, operations.setPassword].compactMap { $0 }
                let steps = flows.flatMap(\.steps) + (operations.importAll?.steps ?? []) + (operations.importAll?.detail?.steps ?? [])
                if let rest = steps.first(where: { $0.soap == nil }) {
                    throw connection.problem("usernameToken authenticates SOAP calls, and the step at \(rest.place) is a REST call (\(rest.summary))")
                }
            }
        }
        return WebServiceTemplate(name: name, connection: self.connection, objectTypes: objectTypes, file: file)
    }

    // MARK: Connection

    mutating func connection(_ entry: ConnectorSettings) throws(Problem) -> WebServiceTemplate.Connection {
        try entry.checkKeys(
            [
                "baseURL", "endpoint", "timeouts", "concurrency", "rateLimit", "retry", "authentication", "headers", "errors", "tls", "idempotencyKey",
                "soap", "namespaces",
            ],
            what: "'connection'")
        if entry["baseURL"] != nil, entry["endpoint"] != nil { throw entry.problem("'connection' has a 'baseURL' (REST) or an 'endpoint' (SOAP), not both") }
        guard let base = entry["baseURL"] ?? entry["endpoint"] else {
            throw entry.problem("'connection' needs a 'baseURL' (REST: every path is appended to it) or an 'endpoint' (SOAP: where envelopes are posted)")
        }
        let key = entry["baseURL"] != nil ? "baseURL" : "endpoint"
        let baseURL = try substituted(base)
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://"), URL(string: baseURL)?.host != nil else {
            throw base.problem("'\(key)' is an http:// or https:// URL, not '\(baseURL)'")
        }
        var connection = WebServiceTemplate.Connection(baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL)
        if let namespaces = entry["namespaces"] {
            guard let members = namespaces.mapping else { throw namespaces.problem("'namespaces' maps prefixes to namespace URIs (rfc: urn:sap-com:document:sap:rfc:functions)") }
            for (prefix, uri) in members {
                guard !prefix.isEmpty, prefix.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }), prefix.first!.isLetter else {
                    throw uri.problemAtKey("'\(prefix)' is not a namespace prefix")
                }
                connection.namespaces[prefix] = try text(uri)
            }
        }
        // The connection's namespaces, for the error rules below.
        self.connection.namespaces = connection.namespaces
        if let soap = entry["soap"] {
            try soap.checkKeys(["version", "style", "namespace", "elementForm", "action"], what: "'soap'")
            if let version = soap["version"] { connection.soap.version = try soapVersion(version) }
            if let namespace = soap["namespace"] { connection.soap.namespace = try text(namespace) }
            if let style = soap["style"] {
                switch style.string {
                case "document": break
                case "rpc": connection.soap.qualified = false
                default: throw style.problem("'style' is document or rpc")
                }
            }
            if let form = soap["elementForm"] {
                switch form.string {
                case "qualified": connection.soap.qualified = true
                case "unqualified": connection.soap.qualified = false
                default: throw form.problem("'elementForm' is qualified (children in the operation's namespace) or unqualified (in none, as SAP writes them)")
                }
            }
            if let action = soap["action"] { connection.soap.action = try text(action) }
        }
        if let timeouts = entry["timeouts"] {
            try timeouts.checkKeys(["connect", "request"], what: "'timeouts'")
            if let connect = timeouts["connect"] { connection.connectTimeout = try duration(connect) }
            if let request = timeouts["request"] { connection.requestTimeout = try duration(request) }
        }
        if let concurrency = entry["concurrency"] { connection.concurrency = try integer(concurrency, in: 1...1000) }
        if let rate = entry["rateLimit"] {
            try rate.checkKeys(["requests", "per"], what: "'rateLimit'")
            guard let requests = rate["requests"] else { throw rate.problem("'rateLimit' needs 'requests' (and 'per', 1s unless given)") }
            connection.rateLimit = (try integer(requests, in: 1...1_000_000), try rate["per"].map { s throws(Problem) in try duration(s) } ?? .seconds(1))
        }
        if let retry = entry["retry"] {
            try retry.checkKeys(["attempts", "initialDelay", "maxDelay"], what: "'retry'")
            if let attempts = retry["attempts"] { connection.retry.attempts = try integer(attempts, in: 0...20) }
            if let delay = retry["initialDelay"] { connection.retry.initialDelay = try duration(delay) }
            if let delay = retry["maxDelay"] { connection.retry.maxDelay = try duration(delay) }
        }
        if let authentication = entry["authentication"] { connection.authentication = try self.authentication(authentication) }
        if let headers = entry["headers"] {
            guard let members = headers.mapping else { throw headers.problem("'headers' is a map of header names to values") }
            for (name, value) in members { connection.headers.append((name, try substituted(value))) }
        }
        if let errors = entry["errors"] { connection.errors = try errorRules(errors) }
        if let tls = entry["tls"] {
            try tls.checkKeys(["caFile", "certificate", "privateKey", "insecure"], what: "'tls'")
            connection.tls.caFile = try tls["caFile"].map { s throws(Problem) in try path(s) }
            connection.tls.certificateFile = try tls["certificate"].map { s throws(Problem) in try path(s) }
            connection.tls.privateKeyFile = try tls["privateKey"].map { s throws(Problem) in try path(s) }
            if (connection.tls.certificateFile == nil) != (connection.tls.privateKeyFile == nil) {
                throw tls.problem("a client certificate needs both 'certificate' and 'privateKey'")
            }
            if let insecure = tls["insecure"] { connection.tls.insecure = try boolean(insecure) }
        }
        if let key = entry["idempotencyKey"] { connection.idempotencyKeyHeader = try text(key) }
        return connection
    }

    func authentication(_ entry: ConnectorSettings) throws(Problem) -> WebServiceTemplate.Authentication {
        guard let type = entry["type"]?.string else {
            throw entry.problem("'authentication' needs a 'type': none, basic, digest, bearer, apiKey, oauth2, login or usernameToken")
        }
        switch type {
        case "none":
            try entry.checkKeys(["type"], what: "'authentication' of type none")
            return .none
        case "basic":
            try entry.checkKeys(["type", "username", "password"], what: "'authentication' of type basic")
            guard let username = entry["username"], let password = entry["password"] else { throw entry.problem("basic needs 'username' and 'password'") }
            return .basic(username: try substituted(username), password: try secret(password))
        case "digest":
            try entry.checkKeys(["type", "username", "password"], what: "'authentication' of type digest")
            guard let username = entry["username"], let password = entry["password"] else { throw entry.problem("digest needs 'username' and 'password'") }
            return .digest(username: try substituted(username), password: try secret(password))
        case "bearer":
            try entry.checkKeys(["type", "token"], what: "'authentication' of type bearer")
            guard let token = entry["token"] else { throw entry.problem("bearer needs a 'token'") }
            return .bearer(token: try secret(token))
        case "apiKey":
            try entry.checkKeys(["type", "header", "query", "value"], what: "'authentication' of type apiKey")
            guard let value = entry["value"] else { throw entry.problem("apiKey needs a 'value' (the key, by reference)") }
            switch (entry["header"], entry["query"]) {
            case (let header?, nil): return .apiKey(name: try text(header), inQuery: false, value: try secret(value))
            case (nil, let query?): return .apiKey(name: try text(query), inQuery: true, value: try secret(value))
            default: throw entry.problem("apiKey names where the key goes: 'header: NAME' or 'query: NAME'")
            }
        case "oauth2":
            try entry.checkKeys(
                ["type", "tokenURL", "clientID", "clientSecret", "scope", "clientAuthentication", "refreshBefore"],
                what: "'authentication' of type oauth2")
            guard let url = entry["tokenURL"], let id = entry["clientID"], let secret = entry["clientSecret"] else {
                throw entry.problem("oauth2 needs 'tokenURL', 'clientID' and 'clientSecret' (client credentials)")
            }
            var client = WebServiceTemplate.OAuthClient(tokenURL: try substituted(url), clientID: try substituted(id), clientSecret: try self.secret(secret))
            client.scope = try entry["scope"].map { s throws(Problem) in try substituted(s) }
            if let how = entry["clientAuthentication"] {
                switch how.string {
                case "basic": client.credentialsInForm = false
                case "form": client.credentialsInForm = true
                default: throw how.problem("'clientAuthentication' is basic (an Authorization header) or form")
                }
            }
            if let before = entry["refreshBefore"] { client.refreshBefore = try duration(before) }
            return .clientCredentials(client)
        case "login":
            try entry.checkKeys(["type", "request", "token", "expiresIn", "lifetime", "header", "prefix"], what: "'authentication' of type login")
            guard let request = entry["request"], let token = entry["token"] else {
                throw entry.problem("login needs a 'request' (one step) and 'token' (where the token is in its response)")
            }
            var login = WebServiceTemplate.LoginStep(step: try step(request, context: "the login request"), token: try pointer(token))
            login.expiresIn = try entry["expiresIn"].map { s throws(Problem) in try pointer(s) }
            if let lifetime = entry["lifetime"] { login.lifetime = try duration(lifetime) }
            if let header = entry["header"] { login.header = try text(header) }
            if let prefix = entry["prefix"] { login.prefix = prefix.string ?? "" }
            return .login(login)
        case "usernameToken":
            try entry.checkKeys(["type", "username", "password", "digest"], what: "'authentication' of type usernameToken")
            guard let username = entry["username"], let password = entry["password"] else {
                throw entry.problem("usernameToken needs 'username' and 'password' (WS-Security in each envelope's header)")
            }
            return .usernameToken(
                username: try substituted(username), password: try secret(password), digest: try entry["digest"].map { s throws(Problem) in try boolean(s) } ?? false)
        default:
            throw entry["type"]!.problem("unknown authentication type '\(type)'; the types are none, basic, digest, bearer, apiKey, oauth2, login, usernameToken")
        }
    }

    // MARK: Object types

    func objectType(_ entry: ConnectorSettings) throws(Problem) -> WebServiceTemplate.ObjectType {
        var entry = entry
        try entry.checkKeys(["name", "anchor", "attributes", "record", "operations"], what: "an object type")
        guard let name = entry["name"]?.string, !name.isEmpty else { throw entry.problem("an object type needs a 'name' (User, Group, …)") }
        entry.context = "object type \(name)"
        guard let anchor = entry["anchor"]?.string, !anchor.isEmpty else { throw entry.problem("the object type '\(name)' needs an 'anchor' attribute") }
        guard let list = entry["attributes"]?.sequence, !list.isEmpty else {
            throw (entry["attributes"] ?? entry).problem("the object type '\(name)' needs 'attributes', a list")
        }
        var attributes: [ConnectorSchema.Attribute] = []
        for item in list {
            let attribute = try self.attribute(item)
            if attributes.contains(where: { $0.name == attribute.name }) { throw item.problem("the attribute '\(attribute.name)' is listed twice") }
            if FlowContext.reservedNames.contains(attribute.name) {
                let names = FlowContext.reservedNames.sorted().joined(separator: ", ")
                throw item.problem("'\(attribute.name)' is a name expressions reserve (\(names)); give the attribute another name and a 'record' pointer")
            }
            attributes.append(attribute)
        }
        guard attributes.contains(where: { $0.name == anchor }) else {
            throw entry["anchor"]!.problem("the anchor '\(anchor)' is not one of the attributes")
        }
        var record = attributes.map { ($0.name, JSONPointer("/" + $0.name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1"))!) }
        if let paths = entry["record"] {
            guard let members = paths.mapping else { throw paths.problem("'record' maps attributes to JSON Pointers into a record (/login)") }
            for (attribute, place) in members {
                guard let index = record.firstIndex(where: { $0.0 == attribute }) else {
                    throw place.problemAtKey("'\(attribute)' is not an attribute of '\(name)'")
                }
                record[index].1 = try pointer(place)
            }
        }
        guard let operations = entry["operations"] else { throw entry.problem("the object type '\(name)' needs 'operations'") }
        let schema = Set(attributes.map(\.name))
        return WebServiceTemplate.ObjectType(
            name: name, anchor: anchor, attributes: attributes, record: record, operations: try self.operations(operations, type: name, schema: schema))
    }

    func attribute(_ entry: ConnectorSettings) throws(Problem) -> ConnectorSchema.Attribute {
        if let name = entry.string {
            guard !name.isEmpty else { throw entry.problem("an attribute needs a name") }
            return ConnectorSchema.Attribute(name: name)
        }
        try entry.checkKeys(["name", "type", "multiValued", "required"], what: "an attribute")
        guard let name = entry["name"]?.string, !name.isEmpty else { throw entry.problem("an attribute needs a 'name'") }
        var attribute = ConnectorSchema.Attribute(name: name)
        if let type = entry["type"] {
            guard let text = type.string, let value = ConnectorSchema.Attribute.DataType(rawValue: text) else {
                throw type.problem("'type' is string, boolean, integer, dateTime, reference or binary, not '\(type.string ?? "")'")
            }
            attribute.type = value
        }
        if let multi = entry["multiValued"] { attribute.multiValued = try boolean(multi) }
        if let required = entry["required"] { attribute.required = try boolean(required) }
        return attribute
    }

    func operations(_ entry: ConnectorSettings, type: String, schema: Set<String>) throws(Problem) -> WebServiceTemplate.Operations {
        try entry.checkKeys(["test", "import", "deltaImport", "get", "create", "update", "delete", "setPassword"], what: "'operations'")
        var operations = WebServiceTemplate.Operations()
        func flow(_ key: String) throws(Problem) -> WebServiceTemplate.Flow? {
            guard let value = entry[key] else { return nil }
            return try self.flow(value, context: "\(type), \(key)", allowsRecord: key == "get", allowsSend: key == "update")
        }
        operations.test = try flow("test")
        operations.get = try flow("get")
        operations.create = try flow("create")
        operations.update = try flow("update")
        operations.delete = try flow("delete")
        operations.setPassword = try flow("setPassword")
        if let value = entry["import"] { operations.importAll = try importFlow(value, context: "\(type), import") }
        if let value = entry["deltaImport"] { operations.deltaImport = try deltaFlow(value, context: "\(type), deltaImport") }
        for (name, needed) in [("import", operations.importAll != nil), ("get", operations.get != nil), ("create", operations.create != nil)] where !needed {
            throw entry.problem("the object type '\(type)' needs the operation '\(name)'")
        }
        return operations
    }

    /// A list of steps, or `{steps: […], record: POINTER, send: changed|all}`.
    func flow(_ entry: ConnectorSettings, context: String, allowsRecord: Bool, allowsSend: Bool) throws(Problem) -> WebServiceTemplate.Flow {
        let place = "\(entry.file):\(entry.line):\(entry.column)"
        if let list = entry.sequence {
            return WebServiceTemplate.Flow(steps: try steps(list, context: context), place: place)
        }
        var keys = ["steps"]
        if allowsRecord { keys.append("record") }
        if allowsSend { keys.append("send") }
        try entry.checkKeys(keys, what: "an operation")
        guard let list = entry["steps"]?.sequence, !list.isEmpty else { throw entry.problem("an operation needs 'steps', a list of calls") }
        var flow = WebServiceTemplate.Flow(steps: try steps(list, context: context), place: place)
        if let record = entry["record"] { flow.record = try responsePath(record, soap: flow.steps.last?.soap != nil) }
        if let send = entry["send"] {
            switch send.string {
            case "changed": flow.sendsEverything = false
            case "all": flow.sendsEverything = true
            default: throw send.problem("'send' is changed (only what changed, the default) or all (the whole object)")
            }
        }
        return flow
    }

    /// A list of steps (one page, the records the whole body), or `{steps, records, paging,
    /// detail, concurrency}`.
    func importFlow(_ entry: ConnectorSettings, context: String, extraKeys: [String] = []) throws(Problem) -> WebServiceTemplate.ImportFlow {
        if let list = entry.sequence {
            guard !list.isEmpty else { throw entry.problem("'import' needs a step: the list call") }
            return WebServiceTemplate.ImportFlow(steps: try steps(list, context: context), place: "\(entry.file):\(entry.line):\(entry.column)")
        }
        try entry.checkKeys(["steps", "records", "paging", "detail", "concurrency"] + extraKeys, what: extraKeys.isEmpty ? "'import'" : "'deltaImport'")
        guard let list = entry["steps"]?.sequence, !list.isEmpty else { throw entry.problem("'import' needs 'steps': the list call") }
        var flow = WebServiceTemplate.ImportFlow(steps: try steps(list, context: context), place: "\(entry.file):\(entry.line):\(entry.column)")
        if let records = entry["records"] { flow.records = try responsePath(records, soap: flow.steps.last?.soap != nil) }
        if let paging = entry["paging"] { flow.paging = try self.paging(paging) }
        if let detail = entry["detail"] {
            flow.detail = try self.flow(detail, context: "\(context), detail", allowsRecord: true, allowsSend: false)
        }
        if let concurrency = entry["concurrency"] {
            flow.detailConcurrency = try integer(concurrency, in: 1...256)
            // More would wait for the connection's limit anyway: say so rather than seem to run.
            guard flow.detailConcurrency <= connection.concurrency else {
                throw concurrency.problem(
                    "\(flow.detailConcurrency) detail calls at once is more than the connection allows (its 'concurrency' is \(connection.concurrency)); raise 'connection.concurrency' as well, or lower this")
            }
        }
        return flow
    }

    /// An import flow whose calls read `[delta.since]`, with `overlap`, or `[delta.token]`, with
    /// `token: POINTER`; and `deleted: {at: POINTER, equals: VALUE}`.
    func deltaFlow(_ entry: ConnectorSettings, context: String) throws(Problem) -> WebServiceTemplate.DeltaFlow {
        guard entry.mapping != nil else {
            throw entry.problem("'deltaImport' is {steps: […], records, paging, overlap, token, deleted}, its calls reading [delta.since] or [delta.token]")
        }
        var delta = WebServiceTemplate.DeltaFlow(flow: try importFlow(entry, context: context, extraKeys: ["overlap", "token", "deleted"]))
        let steps = delta.flow.steps
        func read(_ name: String) -> Bool { steps.contains { $0.reads.contains(name) } }
        if let token = entry["token"] {
            delta.token = try pointer(token)
            if let overlap = entry["overlap"] { throw overlap.problem("'overlap' is for a time watermark ([delta.since]); a delta token needs none") }
            guard read("delta.token") else {
                throw entry.problem("no step of 'deltaImport' reads [delta.token]: the token the application gave would not be sent back")
            }
        } else {
            guard read("delta.since") else {
                if read("delta.token") {
                    throw entry.problem("a step of 'deltaImport' reads [delta.token], but 'token' does not say where a response holds it")
                }
                throw entry.problem("no step of 'deltaImport' reads [delta.since] or [delta.token]: it would import everything each time")
            }
        }
        if let overlap = entry["overlap"] { delta.overlap = try duration(overlap) }
        if let deleted = entry["deleted"] {
            try deleted.checkKeys(["at", "equals"], what: "'deleted'")
            guard let at = deleted["at"], let equals = deleted["equals"], case .scalar(let text, let plain) = equals.value else {
                throw deleted.problem("'deleted' is {at: POINTER, equals: VALUE}: a record whose member has that value is a deletion")
            }
            delta.deleted = (try pointer(at), plain ? ((try? JSON.parse(text)) ?? .string(text)) : .string(text))
        }
        return delta
    }

    func paging(_ entry: ConnectorSettings) throws(Problem) -> WebServiceTemplate.Paging {
        try entry.checkKeys(["style", "cursor", "next", "key", "start", "size", "total", "maxPages"], what: "'paging'")
        guard let style = entry["style"]?.string else { throw entry.problem("'paging' needs a 'style': cursor, nextLink, linkHeader, page, offset or keyset") }
        let parsed: WebServiceTemplate.Paging.Style
        switch style {
        case "cursor":
            guard let cursor = entry["cursor"] else { throw entry.problem("cursor paging needs 'cursor': where the next cursor is in the body") }
            parsed = .cursor(try pointer(cursor))
        case "nextLink":
            guard let next = entry["next"] else { throw entry.problem("nextLink paging needs 'next': where the next page's URL is in the body") }
            parsed = .nextLink(try pointer(next))
        case "linkHeader": parsed = .linkHeader
        case "page": parsed = .page(start: try entry["start"].map { s throws(Problem) in try integer(s, in: 0...1) } ?? 1)
        case "offset": parsed = .offset(start: try entry["start"].map { s throws(Problem) in try integer(s, in: 0...1) } ?? 0)
        case "keyset":
            guard let key = entry["key"] else { throw entry.problem("keyset paging needs 'key': where a record's key is (/USERNAME); the next page starts after the last one's") }
            parsed = .keyset(try pointer(key))
        default: throw entry["style"]!.problem("unknown paging style '\(style)'; the styles are cursor, nextLink, linkHeader, page, offset, keyset")
        }
        var paging = WebServiceTemplate.Paging(style: parsed)
        if let size = entry["size"] { paging.size = try integer(size, in: 1...100_000) }
        if let total = entry["total"] { paging.total = try pointer(total) }
        if let maxPages = entry["maxPages"] { paging.maxPages = try integer(maxPages, in: 1...10_000_000) }
        return paging
    }

    // MARK: Steps

    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]

    func steps(_ list: [ConnectorSettings], context: String) throws(Problem) -> [WebServiceTemplate.Step] {
        var steps: [WebServiceTemplate.Step] = []
        for (index, item) in list.enumerated() {
            var item = item
            item.context = "\(context), step \(index + 1)"
            let step = try self.step(item, context: item.context)
            if let name = step.name, steps.contains(where: { $0.name == name }) { throw item.problem("two steps are named '\(name)'") }
            steps.append(step)
        }
        return steps
    }

    func step(_ entry: ConnectorSettings, context: String) throws(Problem) -> WebServiceTemplate.Step {
        var entry = entry
        entry.context = context
        if entry["SOAP"] != nil { return try soapStep(entry) }
        try entry.checkKeys(Self.methods + ["SOAP", "name", "query", "headers", "body", "form", "when", "forEach", "errors"], what: "a step")
        let given = Self.methods.filter { entry[$0] != nil }
        guard given.count == 1, let method = given.first, let target = entry[method] else {
            throw entry.problem("a step is one call: one of \(Self.methods.joined(separator: ", ")) with its path (GET: /employees), or SOAP with its operation")
        }
        var step = WebServiceTemplate.Step(method: method, url: try urlTemplate(target), place: "\(entry.file):\(entry.line):\(entry.column)")
        try common(&step, entry)
        step.query = try parameters(entry["query"], what: "'query'")
        if let body = entry["body"] { step.body = try bodyTemplate(body) }
        if let form = entry["form"] { step.form = try parameters(form, what: "'form'") }
        if step.body != nil, step.form != nil { throw entry.problem("a step sends a 'body' or a 'form', not both") }
        return step
    }

    /// `SOAP: OPERATION` (or `prefix:OPERATION`), with `action`, `version`, `endpoint` and a
    /// `body`: the operation element's content.
    func soapStep(_ entry: ConnectorSettings) throws(Problem) -> WebServiceTemplate.Step {
        try entry.checkKeys(["SOAP", "action", "version", "endpoint", "name", "headers", "body", "when", "forEach", "errors"], what: "a SOAP step")
        if let method = Self.methods.first(where: { entry[$0] != nil }) {
            throw entry[method]!.problemAtKey("a step is one call: a SOAP call or a \(method), not both")
        }
        let written = try text(entry["SOAP"]!)
        let defaults = connection.soap
        let name: XML.Name
        let prefix: String
        if let colon = written.firstIndex(of: ":") {
            prefix = String(written[..<colon])
            guard let uri = connection.namespaces[prefix] else {
                throw entry["SOAP"]!.problem("the prefix '\(prefix)' is not in the connection's 'namespaces'")
            }
            name = XML.Name(String(written[written.index(after: colon)...]), namespace: uri)
        } else {
            guard let namespace = defaults.namespace else {
                throw entry["SOAP"]!.problem(
                    "the operation '\(written)' needs a namespace: the connection's 'soap: {namespace: URI}', or a prefix of its 'namespaces' (rfc:\(written))")
            }
            prefix = connection.namespaces.first { $0.value == namespace }?.key ?? "ns"
            name = XML.Name(written, namespace: namespace)
        }
        guard !name.local.isEmpty, name.local.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) else {
            throw entry["SOAP"]!.problem("'\(written)' is not an element name")
        }
        let version = try entry["version"].map { s throws(Problem) in try soapVersion(s) } ?? defaults.version
        let action = try entry["action"].map { s throws(Problem) in try text(s) } ?? defaults.action(for: name.local)
        let target = try entry["endpoint"].map { s throws(Problem) in try urlTemplate(s) } ?? URLTemplate(parts: [], text: "")
        var step = WebServiceTemplate.Step(method: "POST", url: target, place: "\(entry.file):\(entry.line):\(entry.column)")
        step.soap = SOAPCall(operation: name, prefix: prefix, action: action, version: version, qualified: defaults.qualified)
        try common(&step, entry)
        if let body = entry["body"] {
            step.body = try bodyTemplate(body)
            try checkPrefixes(body)
        }
        return step
    }

    /// What REST and SOAP steps share: a name, headers, a condition, a repetition, error rules.
    func common(_ step: inout WebServiceTemplate.Step, _ entry: ConnectorSettings) throws(Problem) {
        if let name = entry["name"] {
            guard let text = name.string, !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw name.problem("a step's 'name' is letters, digits and '_' (it is read as [steps.NAME.body…])")
            }
            step.name = text
        }
        step.headers = try parameters(entry["headers"], what: "'headers'")
        if let condition = entry["when"] { step.condition = try expression(condition) }
        if let each = entry["forEach"] { step.forEach = try expression(each) }
        if let errors = entry["errors"] { step.errors = try errorRules(errors) }
    }

    /// Every `prefix:name` key of a SOAP body has its prefix in the connection's namespaces.
    func checkPrefixes(_ entry: ConnectorSettings) throws(Problem) {
        guard case .mapping = entry.value else {
            for item in entry.sequence ?? [] { try checkPrefixes(item) }
            return
        }
        for (key, value) in entry.mapping ?? [] {
            if !key.hasPrefix("@"), let colon = key.firstIndex(of: ":") {
                let prefix = String(key[..<colon])
                if connection.namespaces[prefix] == nil { throw value.problemAtKey("the prefix '\(prefix)' of '\(key)' is not in the connection's 'namespaces'") }
            }
            try checkPrefixes(value)
        }
    }

    func soapVersion(_ entry: ConnectorSettings) throws(Problem) -> SOAPVersion {
        guard let text = entry.string, let version = SOAPVersion(rawValue: text) else { throw entry.problem("a SOAP 'version' is \"1.1\" or \"1.2\"") }
        return version
    }

    /// A JSON Pointer into the body, or for a SOAP step an XML path into its body.
    func responsePath(_ entry: ConnectorSettings, soap: Bool) throws(Problem) -> ResponsePath {
        guard soap else { return .json(try pointer(entry)) }
        return .xml(try xmlPath(entry))
    }

    func xmlPath(_ entry: ConnectorSettings) throws(Problem) -> XMLPath {
        guard let text = entry.string else { throw entry.problem("expected an XML path (rfc:BAPI_USER_GETLISTResponse/USERLIST/item)") }
        do { return try XMLPath(text, prefixes: connection.namespaces) } catch { throw entry.problem(error.message) }
    }

    func parameters(_ entry: ConnectorSettings?, what: String) throws(Problem) -> [(String, TemplateValue)] {
        guard let entry else { return [] }
        guard let members = entry.mapping else { throw entry.problem("\(what) is a map of names to values (expressions)") }
        var result: [(String, TemplateValue)] = []
        for (name, value) in members { result.append((name, try self.value(value))) }
        return result
    }

    func bodyTemplate(_ entry: ConnectorSettings) throws(Problem) -> BodyTemplate {
        switch entry.value {
        case .mapping where entry["forEach"] != nil:
            try entry.checkKeys(["forEach", "value"], what: "a list built for each value")
            guard let element = entry["value"] else {
                throw entry.problem("a list built with 'forEach' needs 'value': what each element is, reading [item] ({forEach: \"[roles]\", value: {name: \"[item]\"}})")
            }
            return .each(try expression(entry["forEach"]!), try bodyTemplate(element))
        case .mapping:
            var members: [(String, BodyTemplate)] = []
            for (key, value) in entry.mapping ?? [] { members.append((key, try bodyTemplate(value))) }
            return .object(members)
        case .sequence(let items):
            var elements: [BodyTemplate] = []
            for item in items { elements.append(try bodyTemplate(item)) }
            return .array(elements)
        case .scalar:
            return .value(try value(entry))
        }
    }

    /// A plain `12`, `true`, `false` or `null` is a constant; `${NAME}` a variable, kept as a
    /// secret; any other text an expression.
    func value(_ entry: ConnectorSettings) throws(Problem) -> TemplateValue {
        guard case .scalar(let text, let plain) = entry.value else { throw entry.problem("expected a value (an expression), not a list or a map") }
        if text.hasPrefix("${"), text.hasSuffix("}"), !text.dropFirst(2).contains("${") { return .secret(try secret(entry)) }
        if plain {
            switch text {
            case "true": return .constant(.bool(true))
            case "false": return .constant(.bool(false))
            case "null", "~": return .constant(.null)
            default:
                if let json = try? JSON.parse(text), case .number = json { return .constant(json) }
            }
        }
        return .expression(try expression(entry))
    }

    func expression(_ entry: ConnectorSettings) throws(Problem) -> TemplateExpression {
        guard case .scalar(let text, let plain) = entry.value, !text.isEmpty else { throw entry.problem("expected an expression") }
        return try expression(text, at: entry, offset: plain ? 0 : 1)
    }

    func expression(_ text: String, at entry: ConnectorSettings, offset: Int) throws(Problem) -> TemplateExpression {
        let place = "\(entry.file):\(entry.line):\(entry.column + offset)"
        let source = SourceFile(
            name: entry.file, text: text, origin: SourceFile.Origin(start: SourceLocation(line: entry.line, column: entry.column + offset)))
        let compiled: CompiledExpression
        do { compiled = try CompiledExpression(source: source) } catch {
            let word = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "-_./:@".contains($0) }
            let hint = word ? " (a constant text is written in quotes, '\"\(text)\"'; an attribute in brackets, '[\(text)]')" : ""
            throw entry.problem("the expression '\(text)' does not compile\(hint):\n\(error.description)")
        }
        var attribute: String?
        if case .attribute(let name) = compiled.syntax.kind { attribute = name }
        return TemplateExpression(compiled: compiled, text: text, attribute: attribute, place: place)
    }

    /// `/employees/{[login]}`: literal text with expressions in braces.
    func urlTemplate(_ entry: ConnectorSettings) throws(Problem) -> URLTemplate {
        guard case .scalar(let text, let plain) = entry.value, !text.isEmpty else { throw entry.problem("a step's path is text: /employees/{[login]}") }
        var parts: [URLTemplate.Part] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "{" else {
                if character == "}" { throw entry.problem("'}' without '{' in the path '\(text)'", atOffset: text.distance(from: text.startIndex, to: index)) }
                literal.append(character)
                index = text.index(after: index)
                continue
            }
            // The expression runs to the matching '}', outside string literals.
            var end = text.index(after: index)
            var inString = false
            var depth = 0
            while end < text.endIndex {
                let c = text[end]
                if c == "\"" { inString.toggle() } else if !inString, c == "{" { depth += 1 } else if !inString, c == "}" {
                    if depth == 0 { break }
                    depth -= 1
                }
                end = text.index(after: end)
            }
            let offset = text.distance(from: text.startIndex, to: index)
            guard end < text.endIndex else { throw entry.problem("'{' without '}' in the path '\(text)'", atOffset: offset) }
            var inner = String(text[text.index(after: index)..<end])
            var encoded = true
            if inner.hasPrefix("+") {
                inner.removeFirst()
                encoded = false
            }
            if !literal.isEmpty {
                parts.append(.literal(literal))
                literal = ""
            }
            let skip = offset + (encoded ? 1 : 2) + (plain ? 0 : 1)
            parts.append(.expression(try expression(inner, at: entry, offset: skip), encoded: encoded))
            index = text.index(after: end)
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return URLTemplate(parts: parts, text: text)
    }

    func errorRules(_ entry: ConnectorSettings) throws(Problem) -> [WebServiceTemplate.ErrorRule] {
        guard let list = entry.sequence else { throw entry.problem("'errors' is a list of rules: {status: 404, outcome: notFound}") }
        var rules: [WebServiceTemplate.ErrorRule] = []
        for item in list {
            try item.checkKeys(["status", "body", "exists", "xml", "outcome", "message"], what: "an error rule")
            guard let outcomeEntry = item["outcome"], let name = outcomeEntry.string, let outcome = WebServiceTemplate.Outcome(rawValue: name) else {
                let names = WebServiceTemplate.Outcome.allCases.map(\.rawValue).joined(separator: ", ")
                throw (item["outcome"] ?? item).problem("an error rule needs an 'outcome': \(names)")
            }
            var rule = WebServiceTemplate.ErrorRule(outcome: outcome)
            if let status = item["status"] { rule.statuses = try statuses(status) }
            if let body = item["body"] {
                guard let members = body.mapping else { throw body.problem("'body' maps JSON Pointers to the values they must have") }
                for (key, value) in members {
                    guard let pointer = JSONPointer(key) else { throw value.problemAtKey("'\(key)' is not a JSON Pointer (it starts with /)") }
                    guard case .scalar(let text, let plain) = value.value else { throw value.problem("expected a value to compare") }
                    rule.body.append((pointer, plain ? ((try? JSON.parse(text)) ?? .string(text)) : .string(text)))
                }
            }
            if let exists = item["exists"] { rule.exists = try pointer(exists) }
            if let xml = item["xml"] { rule.xml = try xmlPath(xml) }
            if let message = item["message"] { rule.message = rule.xml == nil ? .json(try pointer(message)) : .xml(try xmlPath(message)) }
            if rule.statuses == nil, rule.body.isEmpty, rule.exists == nil, rule.xml == nil {
                throw item.problem("an error rule needs a 'status', a 'body', an 'exists' or an 'xml' to match")
            }
            rules.append(rule)
        }
        return rules
    }

    func statuses(_ entry: ConnectorSettings) throws(Problem) -> WebServiceTemplate.StatusSet {
        var set = WebServiceTemplate.StatusSet()
        for item in entry.sequence ?? [entry] {
            guard let text = item.string else { throw item.problem("a status is a code (404) or a class (4xx)") }
            if let code = Int(text), (100...599).contains(code) {
                set.codes.insert(code)
            } else if text.count == 3, text.hasSuffix("xx"), let digit = Int(text.prefix(1)), (1...5).contains(digit) {
                set.classes.insert(digit)
            } else {
                throw item.problem("'\(text)' is not a status: a code (404) or a class (4xx)")
            }
        }
        return set
    }

    // MARK: Scalars

    func pointer(_ entry: ConnectorSettings) throws(Problem) -> JSONPointer {
        guard let text = entry.string, let pointer = JSONPointer(text) else {
            throw entry.problem("expected a JSON Pointer (/data/items, or empty for the whole body), not '\(entry.string ?? "")'")
        }
        return pointer
    }

    func text(_ entry: ConnectorSettings) throws(Problem) -> String {
        guard let text = entry.string, !text.isEmpty else { throw entry.problem("expected a text") }
        return text
    }

    func path(_ entry: ConnectorSettings) throws(Problem) -> String {
        let text = try substituted(entry)
        if text.hasPrefix("/") { return text }
        return entry.folder.isEmpty ? text : entry.folder + "/" + text
    }

    func integer(_ entry: ConnectorSettings, in range: ClosedRange<Int>) throws(Problem) -> Int {
        guard let value = entry.int, range.contains(value) else { throw entry.problem("expected a whole number from \(range.lowerBound) to \(range.upperBound)") }
        return value
    }

    func boolean(_ entry: ConnectorSettings) throws(Problem) -> Bool {
        guard let value = entry.bool else { throw entry.problem("expected true or false, not '\(entry.string ?? "")'") }
        return value
    }

    /// `5` or `2.5` (seconds), `500ms`, `5s`, `2m`.
    func duration(_ entry: ConnectorSettings) throws(Problem) -> Duration {
        guard let text = entry.string else { throw entry.problem("expected a duration: 5 (seconds), 500ms, 5s, 2m") }
        let (number, scale): (Substring, Double) =
            text.hasSuffix("ms") ? (text.dropLast(2), 0.001) : text.hasSuffix("s") ? (text.dropLast(), 1)
            : text.hasSuffix("m") ? (text.dropLast(), 60) : (Substring(text), 1)
        guard let value = Double(number), value >= 0, value * scale <= 86_400 else {
            throw entry.problem("expected a duration: 5 (seconds), 500ms, 5s, 2m; not '\(text)'")
        }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    /// The scalar with each `${NAME}` or `${NAME:-default}` replaced by its variable.
    func substituted(_ entry: ConnectorSettings) throws(Problem) -> String {
        guard let text = entry.string else { throw entry.problem("expected a text") }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { throw entry.problem("'${' without '}' in '\(text)'") }
            let reference = rest[start.upperBound..<end]
            let (name, fallback): (Substring, Substring?) =
                if let separator = reference.range(of: ":-") {
                    (reference[..<separator.lowerBound], reference[separator.upperBound...])
                } else {
                    (reference, nil)
                }
            guard let value = variables[String(name)] ?? fallback.map(String.init) ?? (keepsUnsetVariables ? "${\(name)}" : nil) else {
                throw entry.problem("the variable \(name) is not set (in the configuration's 'variables' or the environment)")
            }
            result += value
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }

    /// A secret, by reference only: `${NAME}` or `{file: PATH}`.
    func secret(_ entry: ConnectorSettings) throws(Problem) -> Secret {
        if let file = entry["file"] {
            try entry.checkKeys(["file"], what: "a secret")
            let path = try path(file)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw file.problem("cannot read the secret file '\(path)'") }
            return Secret(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard let text = entry.string, text.hasPrefix("${"), text.hasSuffix("}"), !text.dropFirst(2).contains("${") else {
            throw entry.problem("a secret is given by reference, ${VARIABLE} or {file: PATH}, never written in the template")
        }
        let value = try substituted(entry)
        if value.isEmpty, keepsUnsetVariables { return Secret(text) }
        guard !value.isEmpty else { throw entry.problem("the secret \(text) is empty") }
        return Secret(value)
    }
}
