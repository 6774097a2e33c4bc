package import Connectors
import Foundation
package import JSONValues
package import Logging
import MappingExpressions
import ServiceLifecycle
import XMLDocuments

/// The web services connector: an application's REST or SOAP API, driven by a ``WebServiceTemplate``.
/// Each connector operation runs the template's flow for the object type: its steps in order,
/// conditional steps and steps repeated for each value, each parameter an expression over the
/// object, its changes and earlier steps' results. An update sends only what changed unless the
/// template asks for the whole object. The application keeps no SCIM document, so the host
/// serves it from a local copy.
package final class WebServiceConnector: DeltaImportingConnector {
    package let client: WebServiceClient
    let logger: Logger

    package init(template: WebServiceTemplate, transport: any HTTPTransport, logger: Logger) {
        client = WebServiceClient(template: template, transport: transport, logger: logger)
        self.logger = logger
    }

    package var template: WebServiceTemplate { client.template }

    package func run() async throws {
        try? await gracefulShutdown()
        await client.transport.shutdown()
    }

    // MARK: Connector

    package func testConnection() async throws(ConnectorError) {
        for type in template.objectTypes {
            if let test = type.operations.test {
                var context = context(type)
                _ = try await run(test, &context, operation: "\(type.name) test")
            } else if let importAll = type.operations.importAll, let first = importAll.steps.first {
                // No test: the import's first call, its first page.
                var context = context(type)
                context.page = pageVariables(importAll.paging, number: 0, offset: 0, cursor: nil)
                guard let request = try client.request(first, context) else { continue }
                _ = try await client.call(first, request, operation: "\(type.name) test (the import's first call)")
            }
        }
    }

    package func schema() async throws(ConnectorError) -> ConnectorSchema {
        ConnectorSchema(objectTypes: template.objectTypes.map { type in
            ConnectorSchema.ObjectType(name: type.name, anchor: type.anchor, attributes: type.attributes, keepsDocument: false)
        })
    }

    package func fullImport(objectType: String) async throws(ConnectorError) -> [ConnectorObject] {
        var objects: [ConnectorObject] = []
        try await fullImport(objectType: objectType) { page throws(ConnectorError) in objects += page }
        return objects
    }

    /// Each page as the application gives it.
    package func fullImport(
        objectType: String, pages deliver: ([ConnectorObject]) async throws(ConnectorError) -> Void
    ) async throws(ConnectorError) {
        let type = try self.type(objectType)
        guard let flow = type.operations.importAll else { throw ConnectorError(.failed, "the template has no import for \(type.name)") }
        try await importPages(type, flow) { page, _ throws(ConnectorError) in try await deliver(page) }
    }

    // MARK: Delta import

    package func importsChanges(objectType: String) -> Bool {
        template.objectType(objectType)?.operations.deltaImport != nil
    }

    /// Where the next delta import starts: the application's current delta token, when its
    /// template reads one (its delta call without `[delta.token]`), else now (RFC 3339 in UTC
    /// with milliseconds). Taken before a full import, so that changes made during it are seen.
    package func watermark(objectType: String) async throws(ConnectorError) -> String {
        let type = try self.type(objectType)
        guard let delta = type.operations.deltaImport, let pointer = delta.token else { return Self.timestamp(Date()) }
        let token = try await importPages(type, delta.flow, delta: [:], token: pointer, operation: "\(type.name) delta token") { _, _ throws(ConnectorError) in }
        guard let token else {
            throw ConnectorError(.applicationFailed, "\(type.name) delta token: the application's answer has no delta token at '\(pointer)'")
        }
        return token
    }

    package func deltaImport(objectType: String, since watermark: String) async throws(ConnectorError) -> ConnectorDelta {
        let type = try self.type(objectType)
        guard let delta = type.operations.deltaImport else { throw ConnectorError(.failed, "the template has no deltaImport for \(type.name)") }
        var changed: [ConnectorObject] = []
        var deleted: [String] = []
        let deliver: ([ConnectorObject], [String]) async throws(ConnectorError) -> Void = { page, gone throws(ConnectorError) in
            changed += page
            deleted += gone
        }
        if let pointer = delta.token {
            let token = try await importPages(
                type, delta.flow, delta: ["token": .string(watermark)], deleted: delta.deleted, token: pointer, operation: "\(type.name) delta import",
                deliver: deliver)
            guard let token else {
                throw ConnectorError(.applicationFailed, "\(type.name) delta import: the application's answer has no delta token at '\(pointer)' to start the next one from")
            }
            return ConnectorDelta(changed: changed, deleted: deleted, watermark: token)
        }
        guard let last = Self.date(watermark) else { throw ConnectorError(.failed, "'\(watermark)' is not a watermark of this connector (an RFC 3339 time)") }
        let next = Self.timestamp(Date())
        let since = Self.timestamp(last.addingTimeInterval(-delta.overlap.seconds))
        try await importPages(type, delta.flow, delta: ["since": .string(since)], deleted: delta.deleted, operation: "\(type.name) delta import", deliver: deliver)
        return ConnectorDelta(changed: changed, deleted: deleted, watermark: next)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    package func get(objectType: String, anchor: String) async throws(ConnectorError) -> ConnectorObject? {
        let type = try self.type(objectType)
        guard let flow = type.operations.get else { throw ConnectorError(.failed, "the template has no get for \(type.name)") }
        var context = context(type, [type.anchor: .string(anchor)])
        let result: StepResult?
        do {
            result = try await run(flow, &context, operation: "\(type.name) get")
        } catch where error.kind == .notFound {
            return nil
        }
        guard let result, let record = record(in: result, at: flow.record) else {
            throw ConnectorError(.applicationFailed, "\(type.name) get: the response has no record\(flow.record.map { " at '\($0)'" } ?? "")")
        }
        return object(record, type: type, anchor: anchor)
    }

    package func create(_ object: ConnectorObject) async throws(ConnectorError) {
        try await create(object, password: nil)
    }

    /// Whether the type's create flow reads `[password]` (SAP's `BAPI_USER_CREATE1` takes the
    /// initial password).
    package func sendsPasswordWithCreate(objectType: String) -> Bool {
        template.objectType(objectType)?.operations.create?.readsPassword == true
    }

    /// The create flow reads `[password]`: the password goes with it; else the setPassword flow follows.
    package func create(_ object: ConnectorObject, password: String?) async throws(ConnectorError) {
        let type = try self.type(object.objectType)
        guard let flow = type.operations.create else { throw ConnectorError(.failed, "the template has no create for \(type.name)") }
        var context = context(type, attributes(of: object, type: type))
        let inFirstPass = flow.readsPassword
        if inFirstPass { context.password = password }
        _ = try await run(flow, &context, operation: "\(type.name) create")
        if let password, !inFirstPass { try await setPassword(objectType: object.objectType, anchor: object.anchor, password: password) }
    }

    /// Without the object as it was, the connector reads it first, so that it still sends only
    /// what changed.
    package func replace(_ object: ConnectorObject) async throws(ConnectorError) {
        guard let previous = try await get(objectType: object.objectType, anchor: object.anchor) else {
            throw ConnectorError(.notFound, "\(object.objectType) \(object.anchor) is not in the application")
        }
        try await update(object, from: previous)
    }

    package func update(_ object: ConnectorObject, from previous: ConnectorObject) async throws(ConnectorError) {
        let type = try self.type(object.objectType)
        guard let flow = type.operations.update else { throw ConnectorError(.failed, "the template has no update for \(type.name)") }
        var context = context(type, attributes(of: object, type: type), previous: attributes(of: previous, type: type))
        context.sendsEverything = flow.sendsEverything
        _ = try await run(flow, &context, operation: "\(type.name) update", update: flow)
    }

    package func delete(objectType: String, anchor: String) async throws(ConnectorError) {
        let type = try self.type(objectType)
        guard let flow = type.operations.delete else { throw ConnectorError(.failed, "the template has no delete for \(type.name)") }
        var context = context(type, [type.anchor: .string(anchor)])
        _ = try await run(flow, &context, operation: "\(type.name) delete")
    }

    package func setPassword(objectType: String, anchor: String, password: String) async throws(ConnectorError) {
        let type = try self.type(objectType)
        guard let flow = type.operations.setPassword else {
            throw ConnectorError(.invalidValue, "the application takes no password: the template has no setPassword for \(type.name)")
        }
        var context = context(type, [type.anchor: .string(anchor)])
        context.password = password
        _ = try await run(flow, &context, operation: "\(type.name) setPassword")
    }

    // MARK: Flows

    /// Runs a flow's steps in order and returns the last result. A step that fails stops the
    /// flow; the error names the step, and for a flow of several steps which one it was. For an
    /// update (`update` is its flow), nothing is sent when nothing changed.
    @discardableResult
    func run(
        _ flow: WebServiceTemplate.Flow, _ context: inout FlowContext, operation: String, update: WebServiceTemplate.Flow? = nil, url: String? = nil
    ) async throws(ConnectorError) -> StepResult? {
        var last: StepResult?
        var mode = WebServiceClient.BodyMode.create
        if let update {
            let changed = context.changed
            if changed.isEmpty { return nil }
            mode = update.sendsEverything ? .everything : .changes(changed)
        }
        for (index, step) in flow.steps.enumerated() {
            let label = flow.steps.count > 1 ? "\(operation), step \(index + 1) of \(flow.steps.count) (\(step.name ?? step.summary))" : operation
            if let condition = step.condition {
                guard try Self.holds(condition, context, label) else { continue }
            }
            if let each = step.forEach {
                let values: [JSON] =
                    switch try Self.evaluate(each, context, label) {
                    case nil: []
                    case .array(let elements)?: elements
                    case let single?: [single]
                    }
                for value in values {
                    context.item = value
                    defer { context.item = nil }
                    guard let request = try build(step, context, mode: mode, label: label) else { continue }
                    let result = try await client.call(step, request, operation: label)
                    context.keepCookies(of: result.response)
                    last = result
                }
            } else {
                guard let request = try build(step, context, url: index == 0 ? url : nil, mode: mode, label: label) else { continue }
                let result = try await client.call(step, request, operation: label)
                context.keepCookies(of: result.response)
                last = result
            }
            if let name = step.name, let last { context.steps[name] = last }
        }
        return last
    }

    /// A step's request; a value it cannot be built from is an error naming the step.
    func build(
        _ step: WebServiceTemplate.Step, _ context: FlowContext, url: String? = nil, mode: WebServiceClient.BodyMode, label: String
    ) throws(ConnectorError) -> OutgoingRequest? {
        do { return try client.request(step, context, url: url, mode: mode) } catch {
            throw ConnectorError(error.kind, "\(label): \(error.message)")
        }
    }

    static func holds(_ expression: TemplateExpression, _ context: FlowContext, _ label: String) throws(ConnectorError) -> Bool {
        do { return try context.holds(expression) } catch {
            throw ConnectorError(.invalidValue, "\(label): \(expression.place): '\(expression.text)' failed: \(error.message)")
        }
    }

    static func evaluate(_ expression: TemplateExpression, _ context: FlowContext, _ label: String) throws(ConnectorError) -> JSON? {
        do { return try context.evaluate(expression) } catch {
            throw ConnectorError(.invalidValue, "\(label): \(expression.place): '\(expression.text)' failed: \(error.message)")
        }
    }

    // MARK: Import

    /// Imports page by page, handing each page's objects to `deliver`; in a delta import, with
    /// its `[delta.…]` variables, and the anchors of the records `deleted` marks handed over
    /// apart. The next page is asked for while this one's detail calls run and its objects are
    /// delivered. The last delta token found at `token` in a page is returned.
    @discardableResult
    func importPages(
        _ type: WebServiceTemplate.ObjectType, _ flow: WebServiceTemplate.ImportFlow, delta: [String: JSON]? = nil,
        deleted: (JSONPointer, JSON)? = nil, token: JSONPointer? = nil, operation name: String? = nil,
        deliver: ([ConnectorObject], [String]) async throws(ConnectorError) -> Void
    ) async throws(ConnectorError) -> String? {
        var lastToken: String?
        let listing = WebServiceTemplate.Flow(steps: flow.steps, place: flow.place)
        let maxPages = flow.paging?.maxPages ?? 1
        func operation(_ number: Int) -> String { "\(name ?? "\(type.name) import"), page \(number + 1)" }
        /// A list call: its result, nil when the flow sent nothing.
        func list(_ number: Int, offset: Int, cursor: String?, url: String?) async -> Result<StepResult?, ConnectorError> {
            var context = context(type)
            context.page = pageVariables(flow.paging, number: number, offset: offset, cursor: cursor)
            if let delta { context.delta = delta }
            do throws(ConnectorError) { return .success(try await run(listing, &context, operation: operation(number), url: url)) } catch {
                return .failure(error)
            }
        }
        var seen: Set<String> = []
        var offset = 0
        var pending = await list(0, offset: 0, cursor: nil, url: nil)
        for number in 0..<maxPages {
            let operation = operation(number)
            guard let result = try pending.get() else { return lastToken }
            guard let body = result.body else {
                throw ConnectorError(.applicationFailed, "\(operation): the response is not \(result.soap == nil && flow.steps.last?.soap == nil ? "JSON" : "a SOAP envelope")")
            }
            if let token, let value = token.value(in: body), value != .null, case let text = WebServiceClient.text(value), !text.isEmpty {
                lastToken = text
            }
            var records: [JSON]
            switch flow.records {
            case .json(let pointer):
                guard case .array(let list)? = pointer.value(in: body) else {
                    throw ConnectorError(.applicationFailed, "\(operation): the response has no list of records at '\(pointer)'")
                }
                records = list
            case .xml(let path):
                guard let soap = result.soap else { throw ConnectorError(.applicationFailed, "\(operation): the response is not a SOAP envelope") }
                records = path.elements(in: soap.body, root: soap.envelope).map(SOAPEnvelope.json)
            }
            let listed = records.count
            let lastListed = records.last
            offset += listed
            var gone: [String] = []
            if let (pointer, value) = deleted {
                records = records.filter { record in
                    guard let found = pointer.value(in: record), WebServiceTemplate.ErrorRule.text(found) == WebServiceTemplate.ErrorRule.text(value) else { return true }
                    if let anchor = self.object(record, type: type)?.anchor { gone.append(anchor) }
                    return false
                }
            }
            // Where the next page is, if there is one.
            let next = try nextPage(flow.paging, body: body, response: result.response, listed: listed, offset: offset, last: lastListed, seen: &seen, operation: operation)
            let kept = records
            func objects() async throws(ConnectorError) -> [ConnectorObject] {
                if let detail = flow.detail {
                    return try await details(kept, type: type, detail: detail, concurrency: flow.detailConcurrency, operation: operation)
                }
                var page: [ConnectorObject] = []
                for (index, record) in kept.enumerated() {
                    guard let object = object(record, type: type) else {
                        logger.warning("a record without an anchor is left out", metadata: ["page": "\(number + 1)", "record": "\(index)", "anchor": "\(type.anchor)"])
                        continue
                    }
                    page.append(object)
                }
                return page
            }
            guard let next, number + 1 < maxPages else {
                try await deliver(try await objects(), gone)
                if next == nil { return lastToken }
                break
            }
            async let following = list(number + 1, offset: offset, cursor: next.cursor, url: next.url)
            try await deliver(try await objects(), gone)
            pending = await following
        }
        throw ConnectorError(
            .applicationFailed, "\(type.name) import: more than \(maxPages) pages; the import stops (raise paging.maxPages if the application is that large)")
    }

    /// The next page after one that listed `listed` records (`offset` in all so far): its cursor
    /// or URL, or nil at the end. A cursor, link or key given a second time is an error.
    func nextPage(
        _ paging: WebServiceTemplate.Paging?, body: JSON, response: IncomingResponse, listed: Int, offset: Int, last: JSON?, seen: inout Set<String>,
        operation: String
    ) throws(ConnectorError) -> (cursor: String?, url: String?)? {
        guard let paging, listed > 0 else { return nil }
        if let total = paging.total, let value = total.value(in: body), let count = Int(WebServiceClient.text(value)), offset >= count { return nil }
        switch paging.style {
        case .cursor(let pointer):
            guard let value = pointer.value(in: body), value != .null, case let text = WebServiceClient.text(value), !text.isEmpty else { return nil }
            guard seen.insert(text).inserted else {
                throw ConnectorError(.applicationFailed, "\(operation): the application gave the cursor '\(text)' a second time; the import stops rather than loop")
            }
            return (text, nil)
        case .nextLink(let pointer):
            guard let value = pointer.value(in: body), case .string(let link) = value, !link.isEmpty else { return nil }
            guard seen.insert(link).inserted else {
                throw ConnectorError(.applicationFailed, "\(operation): the application gave the next link '\(link)' a second time; the import stops rather than loop")
            }
            return (nil, client.resolveLink(link))
        case .linkHeader:
            guard let link = Self.nextLink(response.header("Link")) else { return nil }
            guard seen.insert(link).inserted else {
                throw ConnectorError(.applicationFailed, "\(operation): the Link header named '\(link)' a second time; the import stops rather than loop")
            }
            return (nil, client.resolveLink(link))
        case .page, .offset:
            return listed < paging.size ? nil : (nil, nil)
        case .keyset(let pointer):
            if listed < paging.size { return nil }
            guard let last, let value = pointer.value(in: last), case let key = WebServiceClient.text(value), !key.isEmpty else {
                throw ConnectorError(.applicationFailed, "\(operation): the last record has no key at '\(pointer)' to ask for the next page with")
            }
            guard seen.insert(key).inserted else {
                throw ConnectorError(.applicationFailed, "\(operation): the page ends with the key '\(key)' a second time; the import stops rather than loop")
            }
            return (key, nil)
        }
    }

    func pageVariables(_ paging: WebServiceTemplate.Paging?, number: Int, offset: Int, cursor: String?) -> [String: JSON] {
        guard let paging else { return [:] }
        var variables: [String: JSON] = ["size": .number(String(paging.size))]
        switch paging.style {
        case .page(let start): variables["number"] = .number(String(start + number))
        case .offset(let start): variables["offset"] = .number(String(start + offset))
        default: break
        }
        if let cursor { variables["cursor"] = .string(cursor) }
        return variables
    }

    /// The detail call for each record, `concurrency` at a time, in the records' order.
    func details(
        _ records: [JSON], type: WebServiceTemplate.ObjectType, detail: WebServiceTemplate.Flow, concurrency: Int, operation: String
    ) async throws(ConnectorError) -> [ConnectorObject] {
        let names = attributeNames(type)
        let outcome: Result<[ConnectorObject?], ConnectorError> = await withTaskGroup(of: (Int, Result<ConnectorObject?, ConnectorError>).self) { group in
            var results = [ConnectorObject?](repeating: nil, count: records.count)
            var next = 0
            func start() {
                let index = next
                let record = records[index]
                next += 1
                group.addTask {
                    var context = FlowContext(attributes: [:], attributeNames: names)
                    context.anchorName = type.anchor
                    context.item = record
                    do throws(ConnectorError) {
                        guard let result = try await self.run(detail, &context, operation: "\(operation), record \(index + 1)"),
                            let found = self.record(in: result, at: detail.record)
                        else { return (index, .success(nil)) }
                        return (index, .success(self.object(found, type: type, listed: record)))
                    } catch where error.kind == .notFound {
                        // Gone between the list and the detail call.
                        return (index, .success(nil))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            while next < records.count, next < concurrency { start() }
            while let (index, result) = await group.next() {
                switch result {
                case .success(let object): results[index] = object
                case .failure(let error):
                    group.cancelAll()
                    return .failure(error)
                }
                if next < records.count { start() }
            }
            return .success(results)
        }
        return try outcome.get().compactMap { $0 }
    }

    /// The `rel="next"` target of an RFC 8288 `Link` header.
    static func nextLink(_ header: String?) -> String? {
        guard let header else { return nil }
        for link in header.split(separator: ",") {
            let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            let isNext = parts.dropFirst().contains { parameter in
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == "rel" else { return false }
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased().split(separator: " ").contains("next")
            }
            if isNext { return String(target.dropFirst().dropLast()) }
        }
        return nil
    }

    // MARK: Records and objects

    func type(_ name: String) throws(ConnectorError) -> WebServiceTemplate.ObjectType {
        guard let type = template.objectType(name) else { throw ConnectorError(.invalidValue, "the template has no object type '\(name)'") }
        return type
    }

    func attributeNames(_ type: WebServiceTemplate.ObjectType) -> Set<String> {
        Set(type.attributes.map(\.name))
    }

    /// The object's attributes, with the anchor among them.
    func attributes(of object: ConnectorObject, type: WebServiceTemplate.ObjectType) -> [String: JSON] {
        var attributes = object.attributes
        attributes[type.anchor] = attributes[type.anchor] ?? .string(object.anchor)
        return attributes
    }

    /// A record as an object: each attribute at its pointer (with a detail call, in the listed
    /// record when the detail lacks it); null and empty lists are no value, a multi-valued
    /// attribute is always a list. The anchor asked for when the record has none (SAP's
    /// `BAPI_USER_GET_DETAIL` does not repeat the user name); else nil without an anchor.
    package func object(_ record: JSON, type: WebServiceTemplate.ObjectType, anchor asked: String? = nil, listed: JSON? = nil) -> ConnectorObject? {
        var attributes: [String: JSON] = [:]
        for (name, pointer) in type.record {
            guard var value = pointer.value(in: record) ?? listed.flatMap({ pointer.value(in: $0) }), value != .null else { continue }
            let multiValued = type.attribute(name)?.multiValued == true
            if case .array(let elements) = value {
                let kept = elements.filter { $0 != .null }
                if kept.isEmpty { continue }
                value = multiValued ? .array(kept) : kept.count == 1 ? kept[0] : .array(kept)
            } else if multiValued {
                value = .array([value])
            }
            attributes[name] = value
        }
        if attributes[type.anchor] == nil, let asked { attributes[type.anchor] = .string(asked) }
        guard let anchorValue = attributes[type.anchor], case let anchor = WebServiceClient.text(anchorValue), !anchor.isEmpty else { return nil }
        return ConnectorObject(objectType: type.name, anchor: anchor, attributes: attributes)
    }

    /// The record of a get or detail call: at its place, or by default the whole JSON body or
    /// the element in a SOAP body.
    func record(in result: StepResult, at place: ResponsePath?) -> JSON? {
        switch place {
        case .json(let pointer)?:
            return result.body.flatMap { pointer.value(in: $0) }
        case .xml(let path)?:
            guard let soap = result.soap else { return nil }
            return path.elements(in: soap.body, root: soap.envelope).first.map(SOAPEnvelope.json)
        case nil:
            // The SOAP body as JSON holds the response element as its member: not converted twice.
            if result.soap != nil { return result.body?.objectValue?.first?.1 }
            return result.body
        }
    }

    /// A context for a flow of `type`: the object's attributes, and in an update what they were.
    func context(_ type: WebServiceTemplate.ObjectType, _ attributes: [String: JSON] = [:], previous: [String: JSON]? = nil) -> FlowContext {
        var context = FlowContext(attributes: attributes, attributeNames: attributeNames(type), previous: previous)
        context.anchorName = type.anchor
        return context
    }
}

