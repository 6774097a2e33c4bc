import Crypto
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A sample application modelled on SAP's user BAPIs exposed as a SOAP web service: one endpoint
/// for every BAPI, SOAP 1.1 and 1.2, HTTP Basic or WS-Security authentication, business errors as RETURN rows
/// inside a 200, changes held in the caller's session (a cookie) until BAPI_TRANSACTION_COMMIT,
/// and its WSDL at ?wsdl. Users live in an SQLite file of its own. A real peer for attrmap's web
/// services connector; it shares no code with attrmap.
@main
struct SAPApp {
    struct Options {
        var host = "127.0.0.1"
        var port = 8000
        var database = "sap.sqlite"
        var user = ""
        var password = ""
        var seed = 0
    }

    static let endpoint = "/sap/bc/srt/rfc/sap/zusers/001/zusers/zusers_binding"

    static let usage = """
        usage: sample-sap-app [--host ADDRESS] [--port N] [--database FILE] [--seed N]

        A sample SAP-style user service: the user BAPIs (BAPI_USER_GETLIST, BAPI_USER_GET_DETAIL,
        BAPI_USER_CREATE1, BAPI_USER_CHANGE, BAPI_USER_DELETE, BAPI_USER_LOCK, BAPI_USER_UNLOCK,
        BAPI_USER_ACTGROUPS_ASSIGN, BAPI_TRANSACTION_COMMIT, BAPI_TRANSACTION_ROLLBACK,
        SUSR_LOGIN_CHECK_RFC) over SOAP at
        http://HOST:PORT\(endpoint), its WSDL at the same address with ?wsdl.

          --host ADDRESS   the address to listen on (default 127.0.0.1)
          --port N         the port (default 8000; 0 picks a free one)
          --database FILE  the SQLite file of users (default sap.sqlite, created when absent)
          --seed N         first add N generated users (U0000001, …) to an empty database

        The service user comes from the environment: SAP_USER and SAP_PASSWORD, given by HTTP Basic
        or by a WS-Security UsernameToken in the envelope's header (the password as text, or as its
        digest with a nonce used once and a creation time within five minutes).
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
            case "--seed": options.seed = Int(value(argument)) ?? { fail("--seed takes a number") }()
            case "--help", "-h":
                print(usage)
                exit(0)
            default: fail("unknown option '\(argument)'")
            }
        }
        let environment = ProcessInfo.processInfo.environment
        options.user = environment["SAP_USER"] ?? ""
        options.password = environment["SAP_PASSWORD"] ?? ""
        if options.user.isEmpty || options.password.isEmpty { fail("set SAP_USER and SAP_PASSWORD: the service user clients authenticate as") }
        return options
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("sample-sap-app: \(message)\n\n\(usage)\n".utf8))
        exit(2)
    }

    static func main() async throws {
        let options = options()
        let users: Users
        do {
            users = try Users(path: options.database)
            if options.seed > 0 { try users.seed(options.seed) }
        } catch {
            FileHandle.standardError.write(Data("sample-sap-app: cannot open \(options.database): \(error)\n".utf8))
            exit(1)
        }
        let application = Application(
            responder: SOAPResponder(users: users, options: options),
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "sample-sap-app"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                let line = "sample-sap-app listening on http://\(options.host):\(port)\(endpoint) (\((try? users.count()) ?? 0) users)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            })
        try await application.runService()
    }
}

/// The SOAP endpoint and the WSDL.
struct SOAPResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let users: Users
    let options: SAPApp.Options
    let sessions = Sessions()

    static let rfc = "urn:sap-com:document:sap:rfc:functions"
    static let soap11 = "http://schemas.xmlsoap.org/soap/envelope/"
    static let soap12 = "http://www.w3.org/2003/05/soap-envelope"

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        guard request.uri.path == SAPApp.endpoint else { return text(.notFound, "no service here; the service is at \(SAPApp.endpoint)") }
        if request.method == .get {
            guard request.uri.query?.lowercased().hasPrefix("wsdl") == true else { return text(.badRequest, "GET ?wsdl for the WSDL; calls are POSTs") }
            let host = request.head.authority ?? "\(options.host):\(options.port)"
            return Response(
                status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: wsdlDocument(address: "http://\(host)\(SAPApp.endpoint)"))))
        }
        guard request.method == .post else { return text(.methodNotAllowed, "POST a SOAP envelope") }
        let body = Data((try? await request.collectBody(upTo: 8 << 20))?.readableBytesView ?? [])
        let document = try? XMLDocument(data: body, options: [])
        let envelope = document?.rootElement()
        let basic = authenticated(request.headers)
        guard basic || envelope.map(usernameToken) == true else {
            var response = fault(Self.soap11, code: "Client", "Unauthorized: the service user or password is wrong", status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Basic realm=\"SAP NetWeaver Application Server\""
            return response
        }
        guard let envelope, envelope.localName == "Envelope", let version = envelope.uri, version == Self.soap11 || version == Self.soap12 else {
            return fault(Self.soap11, code: "Client", "the request is not a SOAP 1.1 or 1.2 envelope", status: .internalServerError)
        }
        guard let bodyElement = envelope.elements(forLocalName: "Body", uri: version).first,
            let call = bodyElement.children?.compactMap({ $0 as? XMLElement }).first, let name = call.localName
        else {
            return fault(version, code: "Client", "the envelope has no call in its Body", status: .internalServerError)
        }
        guard call.uri == Self.rfc else {
            return fault(version, code: "Client", "'\(name)' is not in the namespace \(Self.rfc)", status: .internalServerError)
        }
        let (session, isNew) = sessions.session(for: request.headers[.cookie])
        let output: [Field]
        switch name {
        case "BAPI_USER_GETLIST": output = getList(call)
        case "BAPI_USER_GET_DETAIL": output = getDetail(call)
        case "BAPI_USER_CREATE1": output = create(call, session)
        case "BAPI_USER_CHANGE": output = change(call, session)
        case "BAPI_USER_DELETE": output = delete(call, session)
        case "BAPI_USER_LOCK", "BAPI_USER_UNLOCK": output = lock(call, session, locked: name == "BAPI_USER_LOCK")
        case "BAPI_USER_ACTGROUPS_ASSIGN": output = assign(call, session)
        case "BAPI_TRANSACTION_COMMIT": output = commit(session)
        case "BAPI_TRANSACTION_ROLLBACK":
            sessions.discard(session)
            output = [.table("RETURN", [])]
        case "SUSR_LOGIN_CHECK_RFC": output = loginCheck(call)
        default:
            return fault(version, code: "Client", "the function module \(name) is not offered by this service", status: .internalServerError)
        }
        var response = envelopeResponse(version, name + "Response", output)
        if isNew { response.headers[.setCookie] = "sap-contextid=\(session); path=/sap/bc/srt/" }
        return response
    }

    // MARK: The BAPIs

    func getList(_ call: XMLElement) -> [Field] {
        let maxRows = Int(value(call, "MAX_ROWS") ?? "") ?? 0
        var after: String?
        for item in items(call, "SELECTION_RANGE") where item["PARAMETER"] == "USERNAME" && item["OPTION"] == "GT" {
            after = item["LOW"]
        }
        let rows = (try? users.usernames(after: after, limit: maxRows > 0 ? maxRows : Int.max)) ?? []
        return [
            .value("ROWS", String(rows.count)),
            .table("USERLIST", rows.map { [("USERNAME", $0.username), ("FIRSTNAME", $0.first), ("LASTNAME", $0.last), ("FULLNAME", "\($0.first) \($0.last)")] }),
            .table("RETURN", []),
        ]
    }

    func getDetail(_ call: XMLElement) -> [Field] {
        let username = (value(call, "USERNAME") ?? "").uppercased()
        // Every export parameter is answered, empty for a user that does not exist, as SAP does.
        let found = try? users.user(username)
        let user = found ?? Users.User(username: username)
        return [
            .structure("ADDRESS", Users.addressFields.map { ($0, user.address[$0] ?? "") }),
            .structure("LOGONDATA", Users.logonFields.map { ($0, user.logon[$0] ?? "") }),
            .structure("COMPANY", [("COMPANY", user.company)]),
            .structure("ISLOCKED", [("WRNG_LOGON", "U"), ("LOCAL_LOCK", user.locked ? "L" : "U"), ("GLOB_LOCK", "U"), ("NO_USER_PW", "U")]),
            .table("ACTIVITYGROUPS", user.groups.map { [("AGR_NAME", $0), ("FROM_DAT", ""), ("TO_DAT", "9999-12-31")] }),
            .table("RETURN", found == nil ? [Self.error(124, "User \(username) does not exist")] : []),
        ]
    }

    func create(_ call: XMLElement, _ session: String) -> [Field] {
        let username = (value(call, "USERNAME") ?? "").uppercased()
        guard !username.isEmpty, username.count <= 12 else { return [.table("RETURN", [Self.error(33, "Enter a user name of 1 to 12 characters")])] }
        if (try? users.user(username)) != nil || sessions.creates(session, username) {
            return [.table("RETURN", [Self.error(224, "User \(username) already exists")])]
        }
        let address = structure(call, "ADDRESS").filter { Users.addressFields.contains($0.key) && !$0.value.isEmpty }
        guard address["LASTNAME"] != nil else { return [.table("RETURN", [Self.error(60, "Enter a last name for user \(username)")])] }
        var password = structure(call, "PASSWORD")["BAPIPWD"] ?? ""
        var generated: [Field] = []
        if password.isEmpty, value(call, "GENERATE_PWD") == "X" {
            // An initial password the user changes at first logon, as SAP generates one.
            password = String((0..<12).map { _ in "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789".randomElement()! })
            generated = [.value("GENERATED_PASSWORD", password)]
        }
        guard !password.isEmpty else { return [.table("RETURN", [Self.error(290, "Please enter an initial password")])] }
        guard password.count >= 8 else { return [.table("RETURN", [Self.error(187, "Password is too short (minimum length: 8)")])] }
        let logon = structure(call, "LOGONDATA").filter { Users.logonFields.contains($0.key) && !$0.value.isEmpty }
        let user = Users.User(username: username, address: address, logon: logon, company: structure(call, "COMPANY")["COMPANY"] ?? "")
        sessions.hold(session, .create(user, password: password))
        return generated + [.table("RETURN", [Self.success(102, "User \(username) created")])]
    }

    /// Only the fields whose change flag (the `…X` twin) is `X` change, as in SAP.
    func change(_ call: XMLElement, _ session: String) -> [Field] {
        let username = (value(call, "USERNAME") ?? "").uppercased()
        guard (try? users.user(username)) != nil || sessions.creates(session, username) else {
            return [.table("RETURN", [Self.error(124, "User \(username) does not exist")])]
        }
        func flagged(_ name: String, _ fields: [String]) -> [String: String] {
            let values = structure(call, name)
            let flags = structure(call, name + "X")
            return Dictionary(uniqueKeysWithValues: fields.filter { flags[$0] == "X" }.map { ($0, values[$0] ?? "") })
        }
        let password = structure(call, "PASSWORDX")["BAPIPWD"] == "X" ? structure(call, "PASSWORD")["BAPIPWD"] : nil
        if let password, password.count < 8 { return [.table("RETURN", [Self.error(187, "Password is too short (minimum length: 8)")])] }
        let company = structure(call, "COMPANYX")["COMPANY"] == "X" ? structure(call, "COMPANY")["COMPANY"] ?? "" : nil
        sessions.hold(session, .change(
            username, address: flagged("ADDRESS", Users.addressFields), logon: flagged("LOGONDATA", Users.logonFields), company: company,
            password: password))
        return [.table("RETURN", [Self.success(39, "User \(username) changed")])]
    }

    func delete(_ call: XMLElement, _ session: String) -> [Field] {
        let username = (value(call, "USERNAME") ?? "").uppercased()
        guard (try? users.user(username)) != nil else { return [.table("RETURN", [Self.error(124, "User \(username) does not exist")])] }
        sessions.hold(session, .delete(username))
        return [.table("RETURN", [Self.success(27, "User \(username) deleted")])]
    }

    func lock(_ call: XMLElement, _ session: String, locked: Bool) -> [Field] {
        let username = (value(call, "USERNAME") ?? "").uppercased()
        guard (try? users.user(username)) != nil else { return [.table("RETURN", [Self.error(124, "User \(username) does not exist")])] }
        sessions.hold(session, .lock(username, locked))
        return [.table("RETURN", [Self.success(locked ? 48 : 49, "User \(username) \(locked ? "locked" : "unlocked")")])]
    }

    /// Replaces the user's whole list of activity groups, as SAP's BAPI does.
    func assign(_ call: XMLElement, _ session: String) -> [Field] {
        let username = (value(call, "USERNAME") ?? "").uppercased()
        guard (try? users.user(username)) != nil || sessions.creates(session, username) else {
            return [.table("ACTIVITYGROUPS", []), .table("RETURN", [Self.error(124, "User \(username) does not exist")])]
        }
        let names = items(call, "ACTIVITYGROUPS").compactMap { $0["AGR_NAME"] }.filter { !$0.isEmpty }
        // AGR_NAME is CHAR 30: one line.
        if let name = names.first(where: { $0.count > 30 || $0.contains(where: \.isNewline) }) {
            return [.table("ACTIVITYGROUPS", []), .table("RETURN", [Self.error(410, "Activity group \(name) is not a name of 1 to 30 characters on one line")])]
        }
        sessions.hold(session, .groups(username, names))
        return [
            .table("ACTIVITYGROUPS", names.map { [("AGR_NAME", $0), ("FROM_DAT", ""), ("TO_DAT", "9999-12-31")] }),
            .table("RETURN", [Self.success(48, "Activity groups of \(username) assigned")]),
        ]
    }

    /// Whether a user's password is the one given (SAP answers a wrong one with error 152).
    func loginCheck(_ call: XMLElement) -> [Field] {
        let username = (value(call, "BNAME") ?? "").uppercased()
        let matches = (try? users.verify(username, call.elements(forName: "PASSWORD").first?.stringValue ?? "")) ?? false
        return [.table("RETURN", matches ? [] : [Self.error(152, "Name or password is incorrect (repeat logon)")])]
    }

    func commit(_ session: String) -> [Field] {
        let changes = sessions.take(session)
        do {
            try users.commit(changes)
            return [.structure("RETURN", [("TYPE", ""), ("ID", ""), ("NUMBER", "000"), ("MESSAGE", "")])]
        } catch Users.Failure.exists(let username) {
            return [.structure("RETURN", Self.error(224, "User \(username) already exists"))]
        } catch Users.Failure.missing(let username) {
            return [.structure("RETURN", Self.error(124, "User \(username) does not exist"))]
        } catch {
            return [.structure("RETURN", Self.error(999, "The commit failed: \(error)"))]
        }
    }

    // MARK: Reading calls

    /// The text of a child element, nil when it is absent.
    func value(_ call: XMLElement, _ name: String) -> String? {
        call.elements(forName: name).first?.stringValue?.trimmingCharacters(in: .whitespaces)
    }

    func structure(_ call: XMLElement, _ name: String) -> [String: String] {
        guard let element = call.elements(forName: name).first else { return [:] }
        var fields: [String: String] = [:]
        for child in element.children?.compactMap({ $0 as? XMLElement }) ?? [] {
            if let key = child.localName { fields[key] = child.stringValue ?? "" }
        }
        return fields
    }

    func items(_ call: XMLElement, _ table: String) -> [[String: String]] {
        guard let element = call.elements(forName: table).first else { return [] }
        return element.elements(forName: "item").map { item in
            var fields: [String: String] = [:]
            for child in item.children?.compactMap({ $0 as? XMLElement }) ?? [] {
                if let key = child.localName { fields[key] = child.stringValue ?? "" }
            }
            return fields
        }
    }

    func authenticated(_ headers: HTTPFields) -> Bool {
        guard let header = headers[.authorization], header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6))), let pair = String(data: data, encoding: .utf8)
        else { return false }
        return pair == "\(options.user):\(options.password)"
    }

    static let wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    static let wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

    /// A WS-Security UsernameToken (OASIS Username Token Profile 1.0) of the service user: the
    /// password as text, or its digest Base64(SHA-1(nonce + created + password)) with a nonce
    /// not seen before and a creation time within five minutes.
    func usernameToken(_ envelope: XMLElement) -> Bool {
        // By local name and namespace, child by child: FoundationXML's elements(forLocalName:uri:)
        // misses an element whose prefix is declared on the element itself.
        func child(_ element: XMLElement?, _ local: String, _ uri: String?) -> XMLElement? {
            element?.children?.compactMap { $0 as? XMLElement }.first { $0.localName == local && $0.uri == uri }
        }
        let token = child(child(child(envelope, "Header", envelope.uri), "Security", Self.wsse), "UsernameToken", Self.wsse)
        guard let username = child(token, "Username", Self.wsse)?.stringValue, let passwordElement = child(token, "Password", Self.wsse),
            let password = passwordElement.stringValue, username == options.user
        else { return false }
        let type = passwordElement.attribute(forName: "Type")?.stringValue ?? ""
        guard type.hasSuffix("#PasswordDigest") else { return type.isEmpty || type.hasSuffix("#PasswordText") ? password == options.password : false }
        guard let nonceText = child(token, "Nonce", Self.wsse)?.stringValue, let nonce = Data(base64Encoded: nonceText),
            let created = child(token, "Created", Self.wsu)?.stringValue,
            let when = ISO8601DateFormatter().date(from: created), abs(when.timeIntervalSinceNow) < 300
        else { return false }
        let digest = Data(Insecure.SHA1.hash(data: nonce + Data(created.utf8) + Data(options.password.utf8))).base64EncodedString()
        guard digest == password else { return false }
        return sessions.firstUse(of: nonceText)
    }

    // MARK: Writing answers

    /// A parameter of an answer: a value, a structure, or a table of items.
    enum Field {
        case value(String, String)
        case structure(String, [(String, String)])
        case table(String, [[(String, String)]])
    }

    /// A BAPIRET2 row of type E, message class 01.
    static func error(_ number: Int, _ message: String) -> [(String, String)] {
        [("TYPE", "E"), ("ID", "01"), ("NUMBER", String(format: "%03d", number)), ("MESSAGE", message)]
    }

    static func success(_ number: Int, _ message: String) -> [(String, String)] {
        [("TYPE", "S"), ("ID", "01"), ("NUMBER", String(format: "%03d", number)), ("MESSAGE", message)]
    }

    func envelopeResponse(_ version: String, _ name: String, _ fields: [Field]) -> Response {
        var xml = "<n0:\(name) xmlns:n0=\"\(Self.rfc)\">"
        for field in fields {
            switch field {
            case .value(let key, let value): xml += "<\(key)>\(escape(value))</\(key)>"
            case .structure(let key, let members):
                xml += "<\(key)>" + members.map { "<\($0.0)>\(escape($0.1))</\($0.0)>" }.joined() + "</\(key)>"
            case .table(let key, let rows):
                xml += rows.isEmpty ? "<\(key)/>" : "<\(key)>" + rows.map { "<item>" + $0.map { "<\($0.0)>\(escape($0.1))</\($0.0)>" }.joined() + "</item>" }.joined() + "</\(key)>"
            }
        }
        xml += "</n0:\(name)>"
        return soapResponse(version, xml, status: .ok)
    }

    func fault(_ version: String, code: String, _ reason: String, status: HTTPResponse.Status) -> Response {
        let body =
            version == Self.soap12
            ? "<soap-env:Fault><soap-env:Code><soap-env:Value>soap-env:\(code == "Client" ? "Sender" : "Receiver")</soap-env:Value></soap-env:Code><soap-env:Reason><soap-env:Text xml:lang=\"en\">\(escape(reason))</soap-env:Text></soap-env:Reason></soap-env:Fault>"
            : "<soap-env:Fault><faultcode>soap-env:\(code)</faultcode><faultstring xml:lang=\"en\">\(escape(reason))</faultstring></soap-env:Fault>"
        return soapResponse(version, body, status: status)
    }

    func soapResponse(_ version: String, _ body: String, status: HTTPResponse.Status) -> Response {
        let text = "<soap-env:Envelope xmlns:soap-env=\"\(version)\"><soap-env:Header/><soap-env:Body>\(body)</soap-env:Body></soap-env:Envelope>"
        let type = version == Self.soap12 ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8"
        return Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    func escape(_ text: String) -> String {
        // Most values have nothing to escape: they are returned as they are.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}

/// Each caller's session (the `sap-contextid` cookie) and the changes it holds until it commits.
final class Sessions: Sendable {
    private let sessions = Mutex<[String: (changes: [Users.Change], used: ContinuousClock.Instant)]>([:])
    private let nonces = Mutex<[String: ContinuousClock.Instant]>([:])
    private let lastPruned = Mutex(ContinuousClock.now)

    /// Whether a WS-Security nonce is new (nonces are kept five minutes, as long as a token is valid).
    func firstUse(of nonce: String) -> Bool {
        nonces.withLock { seen in
            seen = seen.filter { ContinuousClock.now - $0.value < .seconds(300) }
            guard seen[nonce] == nil else { return false }
            seen[nonce] = .now
            return true
        }
    }

    /// The session a request's cookies name, or a new one. A session is kept once it holds a
    /// change (a read needs none), for as long as it is used within a minute.
    func session(for cookies: String?) -> (id: String, isNew: Bool) {
        let given = cookies?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("sap-contextid=") }.map { String($0.dropFirst("sap-contextid=".count)) }
        return sessions.withLock { sessions in
            // Sessions idle for a minute are gone, and what they held with them.
            if ContinuousClock.now - lastPruned.withLock({ $0 }) > .seconds(1) {
                sessions = sessions.filter { ContinuousClock.now - $0.value.used < .seconds(60) }
                lastPruned.withLock { $0 = .now }
            }
            if let given, sessions[given] != nil {
                sessions[given]!.used = .now
                return (given, false)
            }
            return (Self.newID(), true)
        }
    }

    /// 128 random bits as 32 hexadecimal digits, as SAP's context ids are written.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() as UInt64, radix: 16)
        let low = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low
    }

    func hold(_ session: String, _ change: Users.Change) {
        sessions.withLock { sessions in
            sessions[session, default: ([], .now)].changes.append(change)
            sessions[session]!.used = .now
        }
    }

    func take(_ session: String) -> [Users.Change] {
        sessions.withLock { sessions in
            defer { sessions[session]?.changes = [] }
            return sessions[session]?.changes ?? []
        }
    }

    func discard(_ session: String) {
        sessions.withLock { $0[session]?.changes = [] }
    }

    /// Whether the session holds a create of `username`, not committed yet.
    func creates(_ session: String, _ username: String) -> Bool {
        sessions.withLock { sessions in
            sessions[session]?.changes.contains { change in
                if case .create(let user, _) = change { return user.username == username }
                return false
            } ?? false
        }
    }
}
