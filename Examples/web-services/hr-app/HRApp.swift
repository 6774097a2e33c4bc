import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOCore
import NIOSSL
import Synchronization

/// A sample HR application with a REST API of its own: employees with roles and passwords, kept
/// in an SQLite file, with cursor paging, API-key or OAuth 2 client-credentials authentication,
/// RFC 9457 problem details, and a request rate above which it answers 429. It serves its
/// OpenAPI document at /openapi.json. A real peer for attrmap's web services connector; it
/// shares no code with attrmap.
@main
struct HRApp {
    struct Options {
        var host = "127.0.0.1"
        var port = 8089
        var database = "hr.sqlite"
        var apiKey: String?
        var clientID: String?
        var clientSecret: String?
        var digestUser: String?
        var digestPassword: String?
        var digestAlgorithm = "SHA-256"
        var digestQops = ["auth"]
        var tokenLifetime = 3600
        var rate = 0
        var requestLog: String?
        var seed = 0
        /// Every request (of `method`, when given) waits this long before it is answered.
        var delay: (duration: Duration, method: String?)?
        /// Every Nth request to /api/v1 (of `method`, when given) is answered with this status (a fault, for tests).
        var fault: (status: Int, every: Int, method: String?)?
        /// HTTPS: the certificate chain and key (PEM), and the certificates a client must present one of.
        var certificate: String?
        var privateKey: String?
        var clientCertificates: String?
    }

    static let usage = """
        usage: sample-hr-app [--host ADDRESS] [--port N] [--database FILE] [--rate N] [--token-lifetime SECONDS] [--request-log FILE] [--seed N]
                     [--delay MILLISECONDS[/METHOD]] [--fault STATUS/N[/METHOD]] [--digest-algorithm NAME] [--digest-qop LIST]
                     [--cert FILE --key FILE [--client-ca FILE]]

        A sample HR application: employees with roles and passwords, served as a REST API on
        http://HOST:PORT/api/v1 (its OpenAPI document at /openapi.json).

          --host ADDRESS            the address to listen on (default 127.0.0.1)
          --port N                  the port (default 8089; 0 picks a free one)
          --database FILE           the SQLite file of employees (default hr.sqlite, created when absent)
          --rate N                  answer 429 with Retry-After above N requests a second (default: no limit)
          --token-lifetime SECONDS  how long an OAuth 2 access token is valid (default 3600)
          --request-log FILE        append every request (method, path, query, body without passwords) as a JSON line
          --seed N                  first add N generated employees (e0000001, …) to an empty database
          --delay MILLISECONDS[/METHOD]
                                    answer every request (of METHOD) only after this long (a slow application)
          --fault STATUS/N[/METHOD] answer every Nth API request (of METHOD) with STATUS (500, 503, …) and a problem body
          --digest-algorithm NAME   HTTP Digest's algorithm: SHA-256 (the default) or MD5
          --digest-qop LIST         the protections HTTP Digest offers: auth (the default), auth-int (the body too), or auth,auth-int
          --cert FILE --key FILE    serve HTTPS with this certificate chain and private key (PEM)
          --client-ca FILE          and accept only clients that present a certificate signed by one of these (PEM)

        Secrets come from the environment, never the command line:
          HR_API_KEY                the key clients send as X-API-Key
          HR_CLIENT_ID, HR_CLIENT_SECRET
                                    an OAuth 2 client for POST /oauth/token (client credentials);
                                    clients then send Authorization: Bearer TOKEN
          HR_DIGEST_USER, HR_DIGEST_PASSWORD
                                    a user for HTTP Digest authentication (RFC 7616)
        At least one of the three must be set.
        """

    static func options() -> Options {
        var options = Options()
        var arguments = CommandLine.arguments.dropFirst()
        func value(_ name: String) -> String {
            guard let value = arguments.popFirst() else { fail("\(name) needs a value") }
            return value
        }
        while let argument = arguments.popFirst() {
            switch argument {
            case "--host": options.host = value(argument)
            case "--port": options.port = Int(value(argument)) ?? { fail("--port takes a number") }()
            case "--database": options.database = value(argument)
            case "--rate": options.rate = Int(value(argument)) ?? { fail("--rate takes a number") }()
            case "--digest-algorithm":
                options.digestAlgorithm = value(argument).uppercased()
                if !["SHA-256", "MD5"].contains(options.digestAlgorithm) { fail("--digest-algorithm is SHA-256 or MD5") }
            case "--digest-qop":
                options.digestQops = value(argument).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                if options.digestQops.isEmpty || !options.digestQops.allSatisfy({ ["auth", "auth-int"].contains($0) }) {
                    fail("--digest-qop is auth, auth-int or auth,auth-int")
                }
            case "--token-lifetime": options.tokenLifetime = Int(value(argument)) ?? { fail("--token-lifetime takes a number") }()
            case "--request-log": options.requestLog = value(argument)
            case "--seed": options.seed = Int(value(argument)) ?? { fail("--seed takes a number") }()
            case "--delay":
                let parts = value(argument).split(separator: "/").map(String.init)
                guard let milliseconds = parts.first.flatMap({ Int($0) }), parts.count <= 2 else { fail("--delay takes MILLISECONDS[/METHOD], as 500/POST") }
                options.delay = (.milliseconds(milliseconds), parts.count == 2 ? parts[1].uppercased() : nil)
            case "--fault":
                let parts = value(argument).split(separator: "/").map(String.init)
                guard parts.count == 2 || parts.count == 3, let status = Int(parts[0]), (400...599).contains(status), let every = Int(parts[1]), every >= 1
                else { fail("--fault takes STATUS/N[/METHOD], as 503/2 or 500/1/POST") }
                options.fault = (status, every, parts.count == 3 ? parts[2].uppercased() : nil)
            case "--cert": options.certificate = value(argument)
            case "--key": options.privateKey = value(argument)
            case "--client-ca": options.clientCertificates = value(argument)
            case "--help", "-h":
                print(usage)
                exit(0)
            default: fail("unknown option '\(argument)'")
            }
        }
        let environment = ProcessInfo.processInfo.environment
        options.apiKey = environment["HR_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        options.clientID = environment["HR_CLIENT_ID"]
        options.clientSecret = environment["HR_CLIENT_SECRET"]
        options.digestUser = environment["HR_DIGEST_USER"].flatMap { $0.isEmpty ? nil : $0 }
        options.digestPassword = environment["HR_DIGEST_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        if (options.certificate == nil) != (options.privateKey == nil) { fail("HTTPS needs both --cert and --key") }
        if options.clientCertificates != nil, options.certificate == nil { fail("--client-ca needs HTTPS (--cert and --key)") }
        if options.apiKey == nil, options.clientID == nil || options.clientSecret == nil, options.digestUser == nil || options.digestPassword == nil {
            fail("set HR_API_KEY, HR_CLIENT_ID and HR_CLIENT_SECRET, or HR_DIGEST_USER and HR_DIGEST_PASSWORD, so that clients can authenticate")
        }
        return options
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("sample-hr-app: \(message)\n\n\(usage)\n".utf8))
        exit(2)
    }

    static func main() async throws {
        let options = options()
        let store: Store
        do { store = try Store(path: options.database) } catch {
            FileHandle.standardError.write(Data("sample-hr-app: cannot open \(options.database): \(error)\n".utf8))
            exit(1)
        }
        if options.seed > 0 {
            do { try store.seed(options.seed) } catch {
                FileHandle.standardError.write(Data("sample-hr-app: cannot seed \(options.database): \(error)\n".utf8))
                exit(1)
            }
        }
        let responder = HRResponder(store: store, options: options)
        var server = HTTPServerBuilder.http1()
        if let certificate = options.certificate, let privateKey = options.privateKey {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
                var tls = TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: privateKey, format: .pem)))
                if let clients = options.clientCertificates {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clients))
                    tls.certificateVerification = .noHostnameVerification
                }
                server = try .tls(.http1(), tlsConfiguration: tls)
            } catch {
                FileHandle.standardError.write(Data("sample-hr-app: cannot read the TLS files: \(error)\n".utf8))
                exit(1)
            }
        }
        let scheme = options.certificate == nil ? "http" : "https"
        let application = Application(
            responder: responder, server: server,
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "sample-hr-app"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                let line = "sample-hr-app listening on \(scheme)://\(options.host):\(port)/api/v1 (\((try? store.count()) ?? 0) employees)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            })
        try await application.runService()
    }
}

/// The routes.
struct HRResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let store: Store
    let options: HRApp.Options
    let limiter: RateLimiter?
    let tokens = Tokens()
    let faults = Counter()
    let log: RequestLog?
    let digest: DigestAuthentication?

    init(store: Store, options: HRApp.Options) {
        self.store = store
        self.options = options
        self.limiter = options.rate > 0 ? RateLimiter(perSecond: options.rate) : nil
        self.log = options.requestLog.map(RequestLog.init)
        if let user = options.digestUser, let password = options.digestPassword {
            digest = DigestAuthentication(username: user, password: password, algorithm: options.digestAlgorithm, qops: options.digestQops)
        } else {
            digest = nil
        }
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let body = Array((try? await request.collectBody(upTo: 8 << 20))?.readableBytesView ?? [])
        let path = request.uri.path.split(separator: "/", omittingEmptySubsequences: true).map {
            String($0).removingPercentEncoding ?? String($0)
        }
        let query = Self.query(request.uri.query)
        log?.record(method: request.method.rawValue, path: request.uri.path, query: query, body: body)
        let method = request.method.rawValue
        if let delay = options.delay, delay.method == nil || delay.method == method { try? await Task.sleep(for: delay.duration) }
        if let fault = options.fault, path.first == "api", fault.method == nil || fault.method == method, faults.next() % fault.every == 0 {
            var response = problem(fault.status, "fault", "Injected fault", "the application was asked to answer \(fault.status) to every \(fault.every)")
            if fault.status == 503 { response.headers[.retryAfter] = "1" }
            return response
        }
        if let limiter, !limiter.take() {
            var response = problem(429, "too-many-requests", "Too many requests", "more than \(options.rate) requests a second")
            response.headers[.retryAfter] = "1"
            return response
        }
        do {
            let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return try await route(request.method, path, query: query, body: body, headers: request.headers, target: target)
        } catch let failure as Problem {
            var response = problem(failure.status, failure.type, failure.title, failure.detail)
            if let challenge = failure.challenge { response.headers[.wwwAuthenticate] = challenge }
            return response
        } catch Store.Failure.notFound {
            return problem(404, "not-found", "Not found", "no employee '\(path.count > 3 ? path[3] : "")'")
        } catch Store.Failure.exists {
            return problem(409, "conflict", "Already exists", "an employee with login '\(Self.login(body) ?? "")' exists")
        } catch {
            return problem(500, "internal", "Internal error", "\(error)")
        }
    }

    struct Problem: Error {
        var status: Int
        var type: String
        var title: String
        var detail: String
        /// A `WWW-Authenticate` challenge to send with it.
        var challenge: String?
    }

    func route(
        _ method: HTTPRequest.Method, _ path: [String], query: [String: String], body: [UInt8], headers: HTTPFields, target: String
    ) async throws -> Response {
        switch (method, path) {
        case (.get, ["openapi.json"]):
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: openAPIDocument)))
        case (.get, ["health"]):
            return json(.object(["status": .string("ok")]))
        case (.post, ["oauth", "token"]):
            return try token(body, headers: headers)
        default:
            break
        }
        guard path.count >= 3, path[0] == "api", path[1] == "v1" else {
            throw Problem(status: 404, type: "not-found", title: "Not found", detail: "no such endpoint")
        }
        try authenticate(headers, method: method.rawValue, target: target, body: body)
        let rest = Array(path.dropFirst(2))
        if rest == ["changes"] {
            guard method == .get else { throw Problem(status: 405, type: "method-not-allowed", title: "Method not allowed", detail: "GET /changes") }
            return try changes(query)
        }
        guard rest.first == "employees" || rest == ["login"] else {
            throw Problem(status: 404, type: "not-found", title: "Not found", detail: "no such endpoint: /\(path.joined(separator: "/"))")
        }
        let login = rest.count >= 2 ? rest[1] : ""
        let role = rest.count == 4 && rest[2] == "roles" ? rest[3] : nil
        let shape = rest.count == 3 ? "employees/{login}/\(rest[2])" : rest.count == 4 ? "employees/{login}/\(rest[2])/{}" : rest.count == 2 ? "employees/{login}" : rest[0]
        switch (method, shape) {
        case (.get, "employees"):
            let limit = query["limit"].map { Int($0) ?? -1 } ?? 100
            guard (1...500).contains(limit) else { throw invalid("limit is a number from 1 to 500") }
            if query["page"] != nil || query["offset"] != nil { return try numberedPage(query, limit: limit) }
            var after: String?
            if let cursor = query["cursor"] {
                guard let data = Data(base64Encoded: cursor), let login = String(data: data, encoding: .utf8) else {
                    throw invalid("the cursor '\(cursor)' is not one this application gave")
                }
                after = login
            }
            let page = try store.page(after: after, limit: limit, updatedSince: query["updatedSince"])
            let next: JSONValue = page.more ? .string(Data((page.employees.last?["login"]?.string ?? "").utf8).base64EncodedString()) : .null
            return json(.object(["data": .array(try selected(page.employees, query["fields"]).map { .object(withLinks($0)) }), "next_cursor": next]))
        case (.post, "employees"):
            let (fields, roles) = try employeeFields(body, creating: true)
            guard case .string(let login)? = fields["login"] else { throw invalid("login is required") }
            var columns = fields
            columns["login"] = nil
            let created = try store.create(login, fields: columns, roles: roles ?? [])
            var response = json(.object(withLinks(created)), status: .created)
            response.headers[.location] = "/api/v1/employees/\(Self.escape(login))"
            return response
        case (.get, "employees/{login}"):
            guard let employee = try store.employee(login) else { throw Store.Failure.notFound }
            return json(.object(withLinks(employee)))
        case (.patch, "employees/{login}"):
            let (fields, roles) = try employeeFields(body, creating: false)
            if fields["login"] != nil, fields["login"] != .string(login) { throw invalid("login cannot be changed") }
            var columns = fields
            columns["login"] = nil
            return json(.object(withLinks(try store.update(login, fields: columns, roles: roles))))
        case (.delete, "employees/{login}"):
            try store.delete(login)
            return Response(status: .noContent)
        case (.put, "employees/{login}/password"):
            guard case .object(let object)? = JSONValue.parse(body), case .string(let password)? = object["password"] else {
                throw invalid("the body is {\"password\": \"...\"}")
            }
            guard password.count >= 8 else {
                throw Problem(status: 400, type: "invalid-password", title: "Invalid password", detail: "a password has at least 8 characters")
            }
            try store.setPassword(login, password)
            return Response(status: .noContent)
        case (.put, "employees/{login}/roles/{}"):
            guard let role, !role.isEmpty, role.count <= 256 else { throw invalid("a role name has 1 to 256 characters") }
            try store.addRole(login, role)
            return Response(status: .noContent)
        case (.delete, "employees/{login}/roles/{}"):
            guard let role else { throw Store.Failure.notFound }
            try store.removeRole(login, role)
            return Response(status: .noContent)
        case (.post, "login"):
            guard case .object(let object)? = JSONValue.parse(body), case .string(let login)? = object["login"],
                case .string(let password)? = object["password"]
            else { throw invalid("the body is {\"login\": \"...\", \"password\": \"...\"}") }
            guard try store.verify(login, password) else {
                throw Problem(status: 401, type: "unauthorized", title: "Unauthorized", detail: "wrong login or password")
            }
            return json(.object(["login": .string(login)]))
        default:
            throw Problem(status: 404, type: "not-found", title: "Not found", detail: "no such endpoint: \(method.rawValue) /\(path.joined(separator: "/"))")
        }
    }

    // MARK: Employees

    /// The fields of a POST or PATCH body, checked: text fields are strings or null, `active` a
    /// boolean, `roles` an array of strings; anything else is a 422.
    func employeeFields(_ body: [UInt8], creating: Bool) throws -> (fields: [String: JSONValue], roles: [String]?) {
        guard case .object(let object)? = JSONValue.parse(body) else { throw invalid("the body is not a JSON object") }
        var fields: [String: JSONValue] = [:]
        var roles: [String]?
        for (name, value) in object {
            switch name {
            case "login":
                guard case .string(let login) = value, !login.isEmpty, login.count <= 256, !login.contains("/") else {
                    throw invalid("login is a text of 1 to 256 characters without '/'")
                }
                fields[name] = value
            case _ where Store.textFields.contains(name):
                guard value.string != nil || value == .null else { throw invalid("\(name) is a text or null") }
                fields[name] = value
            case "active":
                guard case .bool = value else { throw invalid("active is true or false") }
                fields[name] = value
            case "roles":
                guard case .array(let items) = value, items.allSatisfy({ $0.string != nil }) else { throw invalid("roles is an array of texts") }
                roles = items.compactMap(\.string)
            case "updatedAt", "_links":
                break
            default:
                throw invalid("unknown field '\(name)'")
            }
        }
        if creating, fields["login"] == nil { throw invalid("login is required") }
        return (fields, roles)
    }

    /// `?page=N` (from 1) or `?offset=N` (from 0): the page, the total, and the next page's link
    /// both in the body (HAL's `_links.next.href`) and in a `Link` header (RFC 8288).
    func numberedPage(_ query: [String: String], limit: Int) throws -> Response {
        let offset: Int
        let next: String
        if let text = query["page"] {
            guard let page = Int(text), page >= 1 else { throw invalid("page is a number from 1") }
            offset = (page - 1) * limit
            next = "/api/v1/employees?page=\(page + 1)&limit=\(limit)"
        } else {
            guard let value = query["offset"].flatMap({ Int($0) }), value >= 0 else { throw invalid("offset is a number from 0") }
            offset = value
            next = "/api/v1/employees?offset=\(value + limit)&limit=\(limit)"
        }
        let page = try store.page(after: nil, offset: offset, limit: limit, updatedSince: query["updatedSince"])
        var body: [String: JSONValue] = [
            "data": .array(try selected(page.employees, query["fields"]).map { .object(withLinks($0)) }), "total": .number(Double(try store.count())),
        ]
        if page.more { body["_links"] = .object(["next": .object(["href": .string(next)])]) }
        var response = json(.object(body))
        if page.more { response.headers[HTTPField.Name("Link")!] = "<\(next)>; rel=\"next\"" }
        return response
    }

    /// `GET /changes?token=T`: the employees changed since the delta token T, each whole (or
    /// `{login, deleted: true}`), paged by `next_cursor`, the last page with the token to ask
    /// from next time. Without a token: no changes, and the current token (a starting point).
    func changes(_ query: [String: String]) throws -> Response {
        let limit = query["limit"].map { Int($0) ?? -1 } ?? 100
        guard (1...500).contains(limit) else { throw invalid("limit is a number from 1 to 500") }
        guard let token = query["token"] else {
            return json(.object(["changes": .array([]), "token": .string(Self.token(try store.lastChange()))]))
        }
        guard let since = Self.position(token) else {
            throw Problem(status: 400, type: "invalid-token", title: "Invalid delta token", detail: "the token '\(token)' is not one this application gave")
        }
        var after = since
        if let cursor = query["cursor"] {
            guard let position = Self.position(cursor), position >= since else { throw invalid("the cursor '\(cursor)' is not one this application gave") }
            after = position
        }
        // Taken before the page is read: a change made meanwhile is in the next delta too.
        let last = try store.lastChange()
        let page = try store.changes(since: since, after: after, limit: limit)
        let records: [JSONValue] = page.changes.map { change in
            change.employee.map { .object(withLinks($0)) } ?? .object(["login": .string(change.login), "deleted": .bool(true)])
        }
        var body: [String: JSONValue] = ["changes": .array(records)]
        if page.more, let position = page.changes.last?.position {
            body["next_cursor"] = .string(Self.token(position))
        } else {
            body["token"] = .string(Self.token(max(last, page.changes.last?.position ?? 0)))
        }
        return json(.object(body))
    }

    /// A delta token or a changes cursor: a position in the change log, opaque to clients.
    static func token(_ position: Int) -> String { Data("changes:\(position)".utf8).base64EncodedString() }

    static func position(_ token: String) -> Int? {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("changes:") else { return nil }
        return Int(text.dropFirst("changes:".count)).flatMap { $0 >= 0 ? $0 : nil }
    }

    /// `?fields=login,email`: only those fields of each employee (and always `login`).
    func selected(_ employees: [[String: JSONValue]], _ fields: String?) throws -> [[String: JSONValue]] {
        guard let fields else { return employees }
        let names = Set(fields.split(separator: ",").map(String.init) + ["login"])
        let known = Set(Store.textFields + ["login", "active", "roles", "updatedAt"])
        if let unknown = names.subtracting(known).first { throw invalid("unknown field '\(unknown)' in fields") }
        return employees.map { $0.filter { names.contains($0.key) } }
    }

    func withLinks(_ employee: [String: JSONValue]) -> [String: JSONValue] {
        var employee = employee
        let login = employee["login"]?.string ?? ""
        employee["_links"] = .object(["self": .object(["href": .string("/api/v1/employees/\(Self.escape(login))")])])
        return employee
    }

    // MARK: Authentication

    func authenticate(_ headers: HTTPFields, method: String, target: String, body: [UInt8]) throws {
        if let key = options.apiKey, let given = headers[HTTPField.Name("X-API-Key")!], Self.same(given, key) { return }
        if let digest {
            var stale = false
            if let authorization = headers[.authorization], authorization.hasPrefix("Digest ") {
                switch digest.verify(authorization, method: method, target: target, body: body) {
                case .accepted: return
                case .stale: stale = true
                case .refused: break
                }
            }
            throw Problem(
                status: 401, type: "unauthorized", title: "Unauthorized", detail: stale ? "the nonce has expired" : "HTTP Digest authentication is needed",
                challenge: digest.challenge(stale: stale))
        }
        if let authorization = headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            let token = String(authorization.dropFirst("bearer ".count))
            let valid = tokens.isValid(token)
            if valid { return }
            throw Problem(status: 401, type: "unauthorized", title: "Unauthorized", detail: "the access token is not valid or has expired")
        }
        throw Problem(status: 401, type: "unauthorized", title: "Unauthorized", detail: "send X-API-Key or Authorization: Bearer")
    }

    /// `POST /oauth/token` with `grant_type=client_credentials`, the client by HTTP Basic or in the form.
    func token(_ body: [UInt8], headers: HTTPFields) throws -> Response {
        guard let clientID = options.clientID, let clientSecret = options.clientSecret else {
            throw Problem(status: 404, type: "not-found", title: "Not found", detail: "this application has no OAuth 2 client")
        }
        let form = Self.query(String(decoding: body, as: UTF8.self))
        var id = form["client_id"]
        var secret = form["client_secret"]
        if let authorization = headers[.authorization], authorization.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(authorization.dropFirst(6))), let pair = String(data: data, encoding: .utf8),
            let colon = pair.firstIndex(of: ":")
        {
            id = String(pair[..<colon]).removingPercentEncoding
            secret = String(pair[pair.index(after: colon)...]).removingPercentEncoding
        }
        guard form["grant_type"] == "client_credentials" else {
            return json(.object(["error": .string("unsupported_grant_type")]), status: .badRequest)
        }
        guard let id, let secret, Self.same(id, clientID), Self.same(secret, clientSecret) else {
            return json(.object(["error": .string("invalid_client")]), status: .unauthorized)
        }
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let lifetime = options.tokenLifetime
        tokens.add(token, lifetime: lifetime)
        return json(.object([
            "access_token": .string(token), "token_type": .string("Bearer"), "expires_in": .number(Double(lifetime)),
        ]))
    }

    static func same(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0xFF)
        }
        return difference == 0
    }

    // MARK: Helpers

    func invalid(_ detail: String) -> Problem {
        Problem(status: 422, type: "invalid-value", title: "Invalid value", detail: detail)
    }

    func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: value.bytes)))
    }

    func problem(_ status: Int, _ type: String, _ title: String, _ detail: String) -> Response {
        let body: JSONValue = .object([
            "type": .string("https://hr.example/problems/\(type)"), "title": .string(title), "status": .number(Double(status)),
            "detail": .string(detail),
        ])
        return Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body.bytes)))
    }

    static func login(_ body: [UInt8]) -> String? {
        guard case .object(let object)? = JSONValue.parse(body) else { return nil }
        return object["login"]?.string
    }

    /// `a=1&b=x%20y` as a dictionary (`+` is a space, as in forms).
    static func query(_ text: String?) -> [String: String] {
        var result: [String: String] = [:]
        for pair in (text ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part) }
            result[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return result
    }

    static func escape(_ segment: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }
}

/// Counts from 1.
final class Counter: Sendable {
    private let count = Mutex(0)

    func next() -> Int {
        count.withLock { count in
            count += 1
            return count
        }
    }
}

/// The OAuth 2 access tokens given, until they expire.
final class Tokens: Sendable {
    private let tokens = Mutex<[String: ContinuousClock.Instant]>([:])

    func add(_ token: String, lifetime: Int) {
        tokens.withLock { tokens in
            tokens = tokens.filter { $0.value > .now }
            tokens[token] = .now + .seconds(lifetime)
        }
    }

    func isValid(_ token: String) -> Bool {
        tokens.withLock { tokens in tokens[token].map { $0 > .now } ?? false }
    }
}

/// A token bucket: `perSecond` requests a second, bursts of as many.
final class RateLimiter: Sendable {
    private let state: Mutex<(tokens: Double, last: ContinuousClock.Instant)>
    private let perSecond: Double

    init(perSecond: Int) {
        self.perSecond = Double(perSecond)
        state = Mutex((Double(perSecond), .now))
    }

    func take() -> Bool {
        state.withLock { state in
            let now = ContinuousClock.now
            let elapsed = now - state.last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            state.tokens = min(perSecond, state.tokens + seconds * perSecond)
            state.last = now
            guard state.tokens >= 1 else { return false }
            state.tokens -= 1
            return true
        }
    }
}

/// Every request as a JSON line, passwords left out.
final class RequestLog: Sendable {
    private let handle: Mutex<FileHandle?>

    init(path: String) {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        self.handle = Mutex(handle)
    }

    func record(method: String, path: String, query: [String: String], body: [UInt8]) {
        var entry: [String: JSONValue] = ["method": .string(method), "path": .string(path)]
        if !query.isEmpty { entry["query"] = .object(query.mapValues(JSONValue.string)) }
        if var parsed = JSONValue.parse(body) {
            if case .object(var object) = parsed, object["password"] != nil {
                object["password"] = .string("[redacted]")
                parsed = .object(object)
            }
            entry["body"] = parsed
        }
        let line = JSONValue.object(entry).bytes + [UInt8(ascii: "\n")]
        handle.withLock { handle in handle?.write(Data(line)) }
    }
}
