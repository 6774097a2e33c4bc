package import LDAPMessages
import Synchronization

/// What the LDAP connector asks of a directory: the small surface it is written against, so that
/// the client under it (this package's, on SwiftNIO) can be replaced without touching it.
package protocol LDAPDirectory: Sendable {
    /// A search with its controls: the entries, the referrals, the result and the controls of the
    /// final response (a paged search's cookie).
    func search(_ request: SearchRequest, controls: [LDAPControl]) async throws(LDAPFailure) -> LDAPSearchResult
    /// A paged search (RFC 2696), every page on one connection (a cookie is good only on the
    /// connection that got it), each handed to `page` as it comes.
    func pagedSearch(
        _ request: SearchRequest, pageSize: Int, page: ([LDAPEntry]) async throws(LDAPFailure) -> Void
    ) async throws(LDAPFailure)
    func add(dn: String, attributes: [LDAPAttribute]) async throws(LDAPFailure)
    func modify(dn: String, changes: [Modification]) async throws(LDAPFailure)
    func delete(dn: String) async throws(LDAPFailure)
    func modifyDN(dn: String, newRDN: String, deleteOldRDN: Bool, newSuperior: String?) async throws(LDAPFailure)
    /// An extended operation: the response's name and value.
    func extended(name: String, value: [UInt8]?) async throws(LDAPFailure) -> (name: String?, value: [UInt8]?)
    /// Lets the connections go.
    func close() async
}

/// A search's answer.
package struct LDAPSearchResult: Sendable {
    package var entries: [LDAPEntry]
    package var references: [String]
    package var controls: [LDAPControl]

    /// The cookie of a paged search's response: empty once the last page is in.
    package var pagedCookie: [UInt8]? {
        guard let control = controls.first(where: { $0.oid == LDAPControl.pagedResultsOID }) else { return nil }
        return try? control.pagedResults().cookie
    }
}

/// How the client authenticates on each connection it opens.
package enum LDAPBind: Sendable, Hashable {
    /// No bind: anonymous.
    case anonymous
    /// A DN and its password.
    case simple(dn: String, password: String)
    /// SASL EXTERNAL: the identity of the TLS client certificate.
    case external
}

/// A directory through a few connections of its own, each bound as configured, opened on first
/// use and again after one ends; calls go to them in turn. A connection that fails takes the
/// call's failure with it; the next call opens another.
package final class LDAPClient: LDAPDirectory {
    package let endpoint: LDAPEndpoint
    let bind: LDAPBind
    /// How long a call may go unanswered.
    let timeout: Duration
    private let slots: [Slot]
    private let turn = Atomic<Int>(0)

    /// One connection, opened by the first call that needs it; later calls wait for the same opening.
    final class Slot: Sendable {
        let state = Mutex<Task<LDAPConnection, any Error>?>(nil)
    }

    package init(endpoint: LDAPEndpoint, bind: LDAPBind, connections: Int = 4, timeout: Duration = .seconds(30)) {
        self.endpoint = endpoint
        self.bind = bind
        self.timeout = timeout
        slots = (0..<max(1, connections)).map { _ in Slot() }
    }

    /// A bound connection: the slot's, or a new one.
    func connection() async throws(LDAPFailure) -> LDAPConnection {
        let slot = slots[turn.wrappingAdd(1, ordering: .relaxed).oldValue % slots.count]
        let task = slot.state.withLock { task in
            if let existing = task { return existing }
            let opening = Task { try await self.open() }
            task = opening
            return opening
        }
        switch await task.result {
        case .success(let connection) where connection.isActive:
            return connection
        case .success:
            slot.state.withLock { if $0 == task { $0 = nil } }
            return try await connection()
        case .failure(let error):
            slot.state.withLock { if $0 == task { $0 = nil } }
            throw error as? LDAPFailure ?? .connect("\(error)")
        }
    }

    private func open() async throws(LDAPFailure) -> LDAPConnection {
        let connection = try await LDAPConnection.connect(endpoint)
        do {
            switch bind {
            case .anonymous: break
            case .simple(let dn, let password):
                try Self.check(try await connection.send(
                    .bindRequest(version: 3, name: dn, authentication: .simple(password: Array(password.utf8))), timeout: timeout), "bind")
            case .external:
                try Self.check(try await connection.send(
                    .bindRequest(version: 3, name: "", authentication: .sasl(mechanism: "EXTERNAL", credentials: [])), timeout: timeout), "bind")
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// The final result of an answer, thrown when it is not success.
    @discardableResult
    static func check(_ messages: [LDAPMessage], _ operation: String) throws(LDAPFailure) -> LDAPMessage {
        guard let last = messages.last, let result = last.operation.result else { throw .protocolError("the \(operation) got no result") }
        guard result.code == .success else { throw .result(result, operation: operation) }
        return last
    }

    private func call(_ operation: LDAPMessage.Operation, controls: [LDAPControl] = []) async throws(LDAPFailure) -> [LDAPMessage] {
        let connection = try await connection()
        return try await connection.send(operation, controls: controls, timeout: timeout)
    }

    package func search(_ request: SearchRequest, controls: [LDAPControl]) async throws(LDAPFailure) -> LDAPSearchResult {
        let messages = try await call(.searchRequest(request), controls: controls)
        return Self.result(messages, done: try Self.check(messages, "search"))
    }

    package func pagedSearch(
        _ request: SearchRequest, pageSize: Int, page: ([LDAPEntry]) async throws(LDAPFailure) -> Void
    ) async throws(LDAPFailure) {
        let connection = try await connection()
        var cookie: [UInt8] = []
        repeat {
            let messages = try await connection.send(
                .searchRequest(request), controls: [LDAPControl.pagedResults(size: pageSize, cookie: cookie)], timeout: timeout)
            let result = Self.result(messages, done: try Self.check(messages, "search"))
            try await page(result.entries)
            cookie = result.pagedCookie ?? []
        } while !cookie.isEmpty
    }

    static func result(_ messages: [LDAPMessage], done: LDAPMessage) -> LDAPSearchResult {
        var result = LDAPSearchResult(entries: [], references: [], controls: done.controls)
        for message in messages {
            switch message.operation {
            case .searchResultEntry(let entry): result.entries.append(entry)
            case .searchResultReference(let uris): result.references += uris
            default: break
            }
        }
        return result
    }

    package func add(dn: String, attributes: [LDAPAttribute]) async throws(LDAPFailure) {
        try Self.check(try await call(.addRequest(dn: dn, attributes: attributes)), "add")
    }

    package func modify(dn: String, changes: [Modification]) async throws(LDAPFailure) {
        try Self.check(try await call(.modifyRequest(dn: dn, changes: changes)), "modify")
    }

    package func delete(dn: String) async throws(LDAPFailure) {
        try Self.check(try await call(.deleteRequest(dn: dn)), "delete")
    }

    package func modifyDN(dn: String, newRDN: String, deleteOldRDN: Bool, newSuperior: String?) async throws(LDAPFailure) {
        try Self.check(try await call(.modifyDNRequest(dn: dn, newRDN: newRDN, deleteOldRDN: deleteOldRDN, newSuperior: newSuperior)), "rename (modify DN)")
    }

    package func extended(name: String, value: [UInt8]?) async throws(LDAPFailure) -> (name: String?, value: [UInt8]?) {
        let operation = LDAPMessage.Operation.extendedRequest(name: name, value: value)
        let last = try Self.check(try await call(operation), LDAPExchange.name(operation))
        if case .extendedResponse(_, let responseName, let responseValue) = last.operation { return (responseName, responseValue) }
        return (nil, nil)
    }

    package func close() async {
        for slot in slots {
            let task = slot.state.withLock { task in
                defer { task = nil }
                return task
            }
            if let connection = try? await task?.value { connection.close() }
        }
    }
}
