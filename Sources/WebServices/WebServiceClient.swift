package import Connectors
import Foundation
package import JSONValues
package import Logging
import MappingExpressions
import XMLDocuments

/// Calls an application as its template says: a step's request built from its expressions, sent
/// with the connection's authentication, concurrency limit, rate limit and retries, and its
/// response read as an outcome by the error rules.
package final class WebServiceClient: Sendable {
    package let template: WebServiceTemplate
    package let transport: any HTTPTransport
    let limiter: AsyncLimiter
    let bucket: TokenBucket?
    let authenticator: Authenticator
    let logger: Logger

    package init(template: WebServiceTemplate, transport: any HTTPTransport, logger: Logger) {
        self.template = template
        self.transport = transport
        limiter = AsyncLimiter(limit: template.connection.concurrency)
        bucket = template.connection.rateLimit.map { TokenBucket(requests: $0.requests, per: $0.per) }
        authenticator = Authenticator(template.connection)
        self.logger = logger
    }

    var connection: WebServiceTemplate.Connection { template.connection }

    // MARK: Building requests

    /// How a body is built: for a create, members whose value is NULL are left out; for an
    /// update, such members are sent as `null` (which clears them), and when only changes are
    /// sent, a member that reads attributes of the object is sent only when one of them changed.
    package enum BodyMode: Sendable {
        case create
        case changes(Set<String>)
        case everything
    }

    /// The request a step sends in `context`: its URL (relative to the base URL unless
    /// absolute; `url` replaces it and its query, for a next page), query, headers and body (JSON,
    /// a form, or a SOAP envelope) built as `mode` says; `nil` when an update has nothing left to
    /// send in the body. The cookies of the flow go with it.
    package func request(
        _ step: WebServiceTemplate.Step, _ context: FlowContext, url replacement: String? = nil, mode: BodyMode = .create
    ) throws(ConnectorError) -> OutgoingRequest? {
        var changed: Set<String>?
        if case .changes(let names) = mode { changed = names }
        var clears = false
        if case .create = mode {} else { clears = true }
        var secrets: [String] = []
        func value(_ parameter: TemplateValue, _ context: FlowContext) throws(ConnectorError) -> JSON? {
            switch parameter {
            case .constant(let json): return json
            case .secret(let secret):
                secrets.append(secret.value)
                return .string(secret.value)
            case .expression(let expression):
                do { return try context.evaluate(expression) } catch {
                    throw ConnectorError(.invalidValue, "\(expression.place): the expression '\(expression.text)' failed: \(error.message)")
                }
            }
        }
        var url = replacement ?? ""
        if replacement == nil {
            for part in step.url.parts {
                switch part {
                case .literal(let text): url += text
                case .expression(let expression, let encoded):
                    guard let json = try value(.expression(expression), context) else {
                        throw ConnectorError(.invalidValue, "\(expression.place): '\(expression.text)' is empty, and the path \(step.url.text) needs it")
                    }
                    url += encoded ? Self.encodeSegment(Self.text(json)) : Self.text(json)
                }
            }
            url = absolute(url)
        }
        var query: [(String, String)] = []
        // A next page's link carries its own query.
        for (name, parameter) in replacement == nil ? step.query : [] {
            switch try value(parameter, context) {
            case nil, .null?: continue
            case .array(let elements)?: for element in elements { query.append((name, Self.text(element))) }
            case let json?: query.append((name, Self.text(json)))
            }
        }
        var request = OutgoingRequest(method: step.method, url: Self.appending(query, to: url))
        request.headers = connection.headers
        for (name, parameter) in step.headers {
            if let json = try value(parameter, context), json != .null { request.headers.append((name, Self.text(json))) }
        }
        // The object's attributes, but the anchor: a member that reads only the anchor is always
        // sent (it says which object), and does not make an update worth sending.
        let objectAttributes = context.attributeNames.subtracting(context.anchorName.map { [$0] } ?? [])
        var sendsChange = false
        func build(_ template: BodyTemplate, _ context: FlowContext) throws(ConnectorError) -> JSON? {
            switch template {
            case .object(let members):
                var built: [(String, JSON)] = []
                for (name, member) in members {
                    // Which of the object's attributes the member reads matters to an update
                    // (a create sends every member): worked out only then.
                    func reads() -> Set<String> { Set(member.reads).intersection(objectAttributes) }
                    var readsChange = false
                    if let changed {
                        let reads = reads()
                        readsChange = !reads.isDisjoint(with: changed)
                        if !reads.isEmpty, !readsChange { continue }
                    }
                    if let json = try build(member, context) {
                        built.append((name, json))
                    } else if clears, !reads().isEmpty {
                        built.append((name, .null))
                    } else {
                        continue
                    }
                    if readsChange { sendsChange = true }
                }
                // A structure whose every member was left out is left out too (`<PASSWORD/>`
                // without a password); one written empty (`RETURN: {}`) stays.
                return built.isEmpty && !members.isEmpty ? nil : .object(built)
            case .array(let elements):
                var built: [JSON] = []
                for element in elements { if let json = try build(element, context) { built.append(json) } }
                return .array(built)
            case .each(let values, let element):
                let list: [JSON] =
                    switch try value(.expression(values), context) {
                    case nil, .null?: []
                    case .array(let elements)?: elements
                    case let single?: [single]
                    }
                var built: [JSON] = []
                var inner = context
                for item in list {
                    inner.item = item
                    if let json = try build(element, inner) { built.append(json) }
                }
                return .array(built)
            case .value(let parameter):
                let json = try value(parameter, context)
                return json == .null ? nil : json
            }
        }
        var content: JSON?
        if let body = step.body {
            content = try build(body, context) ?? .null
            if changed != nil, !sendsChange, !Set(body.reads).intersection(objectAttributes).isEmpty { return nil }
        }
        if let soap = step.soap {
            let (bytes, offset) = try SOAPEnvelope.request(soap, content: content, namespaces: connection.namespaces)
            request.body = bytes
            request.soapHeaderOffset = offset
            request.soapVersion = soap.version
            switch soap.version {
            case .v11:
                request.headers.append(("Content-Type", "text/xml; charset=utf-8"))
                request.headers.append(("SOAPAction", "\"\(soap.action ?? "")\""))
            case .v12:
                request.headers.append(("Content-Type", "application/soap+xml; charset=utf-8" + (soap.action.map { "; action=\"\($0)\"" } ?? "")))
            }
            if request.header("Accept") == nil { request.headers.append(("Accept", soap.version == .v11 ? "text/xml" : "application/soap+xml")) }
        } else if let content {
            var bytes: [UInt8] = []
            content.write(to: &bytes)
            request.body = bytes
            if request.header("Content-Type") == nil { request.headers.append(("Content-Type", "application/json")) }
        } else if let form = step.form {
            var pairs: [(String, String)] = []
            for (name, parameter) in form {
                if let json = try value(parameter, context), json != .null { pairs.append((name, Self.text(json))) }
            }
            request.body = Array(Self.formEncoded(pairs).utf8)
            if request.header("Content-Type") == nil { request.headers.append(("Content-Type", "application/x-www-form-urlencoded")) }
        }
        if request.header("Accept") == nil { request.headers.append(("Accept", "application/json")) }
        if !context.cookies.isEmpty {
            request.headers.append(("Cookie", context.cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ")))
            secrets += context.cookies.map(\.value)
        }
        if let password = context.password { secrets.append(password) }
        request.secrets = secrets
        return request
    }

    /// `path` against the base URL: an absolute URL stays, `/…` is appended to the base URL.
    package func absolute(_ path: String) -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        if path.isEmpty { return connection.baseURL }
        return connection.baseURL + (path.hasPrefix("/") || path.hasPrefix("?") ? "" : "/") + path
    }

    /// A link an application gave (`/api/v1/employees?page=2`, `?page=2`, a full URL): full
    /// URLs stay, `/…` is read from the base URL's origin, anything else from the base URL.
    package func resolveLink(_ link: String) -> String {
        if link.hasPrefix("http://") || link.hasPrefix("https://") { return link }
        if link.hasPrefix("/"), let base = URL(string: connection.baseURL), let scheme = base.scheme, let host = base.host {
            return "\(scheme)://\(host)\(base.port.map { ":\($0)" } ?? "")\(link)"
        }
        return absolute(link)
    }

    static func text(_ json: JSON) -> String {
        switch json {
        case .string(let text), .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null: ""
        default: json.serialized
        }
    }

    /// Unreserved characters (RFC 3986 §2.3) stay; everything else is percent-encoded.
    static func encodeSegment(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(UnicodeScalar(byte))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    static func formEncoded(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encodeSegment($0.0))=\(encodeSegment($0.1))" }.joined(separator: "&")
    }

    static func appending(_ query: [(String, String)], to url: String) -> String {
        guard !query.isEmpty else { return url }
        return url + (url.contains("?") ? "&" : "?") + formEncoded(query)
    }

    // MARK: Sending

    /// Sends a step's request and reads the outcome: the result on success, else the
    /// ``ConnectorError`` the outcome maps to, with the application's reason.
    package func call(_ step: WebServiceTemplate.Step, _ request: OutgoingRequest, operation: String) async throws(ConnectorError) -> StepResult {
        let response = try await send(request, what: "\(operation): \(step.summary)")
        let result = step.soap == nil ? StepResult(response) : StepResult(soap: response)
        let (outcome, message, retryAfter) = read(response, body: result.body, soap: result.soap, rules: step.errors)
        guard outcome != .success else {
            if step.soap != nil, result.soap == nil {
                let start = String(decoding: response.body.prefix(200), as: UTF8.self)
                throw ConnectorError(.applicationFailed, "\(operation): \(step.summary) answered \(response.status) without a SOAP envelope: \(start)")
            }
            return result
        }
        let call = step.soap == nil ? "\(step.method) \(relative(request.url))" : step.summary
        throw Self.error(outcome, "\(operation): \(call) answered \(response.status): \(message)", retryAfter: retryAfter)
    }

    /// Sends `request` with authentication, within the concurrency and rate limits, and retries
    /// what may be retried: a connection that could not be made, a 429, and for idempotent
    /// calls (or calls with an idempotency key) timeouts, broken connections, 502, 503 and 504,
    /// waiting a jittered, doubling backoff or the `Retry-After` the application asks for.
    /// A 401 with a token from a token endpoint or a login renews the token once.
    package func send(_ request: OutgoingRequest, what: String, authenticated: Bool = true) async throws(ConnectorError) -> IncomingResponse {
        var request = request
        if let header = connection.idempotencyKeyHeader, request.header(header) == nil {
            request.headers.append((header, UUID().uuidString.lowercased()))
        }
        let retriesAnything = request.isIdempotent || connection.idempotencyKeyHeader != nil
        var attempt = 0
        var renewedToken = false
        while true {
            var prepared = request
            if authenticated { try await authenticator.apply(to: &prepared, client: self) }
            await bucket?.acquire()
            let started = ContinuousClock.now
            let outcome: Result<IncomingResponse, TransportFailure>
            do {
                let ready = prepared
                outcome = .success(try await limiter.run { () async throws(TransportFailure) -> IncomingResponse in
                    try await transport.send(ready, timeout: connection.requestTimeout)
                })
            } catch {
                outcome = .failure(error)
            }
            let elapsed = ContinuousClock.now - started
            switch outcome {
            case .success(let response):
                logger.debug(
                    "called the application",
                    metadata: [
                        "method": "\(request.method)", "url": "\(OutgoingRequest.redact(Self.pathOnly(prepared.url), prepared.secrets))",
                        "status": "\(response.status)", "milliseconds": "\(Int(elapsed.seconds * 1000))",
                    ])
                if response.status == 401, authenticated, authenticator.renews, !renewedToken {
                    renewedToken = true
                    if await authenticator.renew(after: response) { continue }
                }
                let retryable = response.status == 429 || ([502, 503, 504].contains(response.status) && retriesAnything)
                if retryable, attempt < connection.retry.attempts {
                    let wait = RetryAfter.parse(response.header("Retry-After")).map { min($0, connection.retry.maxDelay) } ?? backoff(attempt)
                    attempt += 1
                    logger.debug("retrying", metadata: ["status": "\(response.status)", "attempt": "\(attempt)", "wait": "\(wait)"])
                    try? await Task.sleep(for: wait)
                    continue
                }
                return response
            case .failure(let failure):
                let retryable: Bool
                switch failure {
                case .connect: retryable = true
                case .timeout, .interrupted: retryable = retriesAnything
                }
                if retryable, attempt < connection.retry.attempts, !Task.isCancelled {
                    let wait = backoff(attempt)
                    attempt += 1
                    logger.debug("retrying", metadata: ["failure": "\(failure)", "attempt": "\(attempt)"])
                    try? await Task.sleep(for: wait)
                    continue
                }
                let host = URL(string: request.url)?.host ?? request.url
                let tries = attempt + 1
                switch failure {
                case .connect(let reason):
                    throw ConnectorError(.unavailable, "\(what): \(host): cannot connect (\(reason)) after \(tries) tries", retryAfter: 5)
                case .timeout(let reason):
                    throw ConnectorError(.timedOut, "\(what): \(host) did not answer (\(reason))")
                case .interrupted(let reason):
                    throw ConnectorError(.unavailable, "\(what): \(host): \(OutgoingRequest.redact(reason, prepared.secrets))", retryAfter: 5)
                }
            }
        }
    }

    /// Full jitter: a random wait up to the doubled initial delay, within the maximum.
    func backoff(_ attempt: Int) -> Duration {
        let ceiling = min(connection.retry.maxDelay.seconds, connection.retry.initialDelay.seconds * pow(2, Double(attempt)))
        return .milliseconds(Int64(Double.random(in: 0.5...1) * ceiling * 1000))
    }

    /// The URL's path below the base URL, without its query (which may hold a key): what
    /// messages show.
    func relative(_ url: String) -> String {
        let path = Self.pathOnly(url)
        return path.hasPrefix(connection.baseURL) ? String(path.dropFirst(connection.baseURL.count)) : path
    }

    /// The URL without its query, which may hold a key.
    static func pathOnly(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }

    // MARK: Outcomes

    /// The outcome of a response: the step's rules first, then the connection's, then the
    /// defaults (2xx success; 404 notFound; 409 alreadyExists; 400 and 422 invalidValue; 401
    /// and 403 permission; 408, 429, 502, 503, 504 transient; a SOAP fault that blames the
    /// request invalidValue; other 4xx and 5xx fatal).
    package func read(
        _ response: IncomingResponse, body: JSON?? = nil, soap: SOAPMessage? = nil, rules: [WebServiceTemplate.ErrorRule]
    ) -> (WebServiceTemplate.Outcome, String, Int?) {
        // The body as JSON, parsed once (or given, parsed already).
        let body = body ?? response.json
        for rule in rules + connection.errors where rule.matches(status: response.status, body: body, soap: soap) {
            return (rule.outcome, Self.message(response, body, soap: soap, rule: rule), Self.retryAfter(response))
        }
        if let fault = soap?.fault, fault.blamesRequest, ![401, 403, 404].contains(response.status) {
            return (.invalidValue, Self.message(response, body, soap: soap, rule: nil), nil)
        }
        let outcome: WebServiceTemplate.Outcome =
            switch response.status {
            case 200..<300: .success
            case 404, 410: .notFound
            case 409: .alreadyExists
            case 400, 422: .invalidValue
            case 401, 403: .permission
            case 408, 429, 502, 503, 504: .transient
            default: .fatal
            }
        if outcome == .success, let fault = soap?.fault {
            // A fault in a 200: a failure all the same.
            return (fault.blamesRequest ? .invalidValue : .fatal, Self.message(response, body, soap: soap, rule: nil), nil)
        }
        return (outcome, outcome == .success ? "" : Self.message(response, body, soap: soap, rule: nil), Self.retryAfter(response))
    }

    static func retryAfter(_ response: IncomingResponse) -> Int? {
        RetryAfter.parse(response.header("Retry-After")).map { Int($0.seconds.rounded(.up)) }
    }

    /// The application's reason: at the rule's place (below the first element its XML path
    /// found), else the text of that element, else a SOAP fault's reason, else problem+json's
    /// `detail` or `title`, else a `message` or `error` member, else the start of the body.
    static func message(_ response: IncomingResponse, _ body: JSON?, soap: SOAPMessage?, rule: WebServiceTemplate.ErrorRule?) -> String {
        let matched = soap.flatMap { soap in rule?.xml?.elements(in: soap.body, root: soap.envelope).first }
        switch rule?.message {
        case .json(let pointer)?:
            if let body, let found = pointer.value(in: body) { return text(found) }
        case .xml(let path)?:
            if let matched, let found = path.values(in: matched).first, !found.isEmpty { return found }
        case nil:
            break
        }
        if let matched, matched.elements.isEmpty, case let found = matched.text.trimmingCharacters(in: .whitespacesAndNewlines), !found.isEmpty { return found }
        if let fault = soap?.fault, !fault.reason.isEmpty { return fault.code.isEmpty ? fault.reason : "\(fault.reason) (\(fault.code))" }
        if let body, soap == nil {
            for candidate in ["/detail", "/title", "/message", "/error_description", "/error/message", "/error", "/errors/0/message"] {
                if let found = JSONPointer(candidate)!.value(in: body), case .string(let text) = found, !text.isEmpty { return text }
            }
        }
        let text = String(decoding: response.body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "no reason given" : text
    }

    static func error(_ outcome: WebServiceTemplate.Outcome, _ message: String, retryAfter: Int?) -> ConnectorError {
        switch outcome {
        case .success: ConnectorError(.failed, message)
        case .notFound: ConnectorError(.notFound, message)
        case .alreadyExists: ConnectorError(.alreadyExists, message)
        case .invalidValue: ConnectorError(.invalidValue, message)
        case .invalidPassword: ConnectorError(.invalidPassword, message)
        case .permission: ConnectorError(.permissionDenied, message)
        case .transient: ConnectorError(.unavailable, message, retryAfter: retryAfter ?? 5)
        case .fatal: ConnectorError(.applicationFailed, message)
        }
    }
}
