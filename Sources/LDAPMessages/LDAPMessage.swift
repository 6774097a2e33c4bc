/// One LDAP message (RFC 4511 §4.1.1): an id, an operation, and its controls. Every operation a
/// connector sends or receives is here, both ways, so that each one can be written and read back
/// and checked byte by byte without a server.
package struct LDAPMessage: Hashable, Sendable {
    package var id: Int
    package var operation: Operation
    package var controls: [LDAPControl]

    package init(id: Int, _ operation: Operation, controls: [LDAPControl] = []) {
        self.id = id
        self.operation = operation
        self.controls = controls
    }

    package enum Operation: Hashable, Sendable {
        case bindRequest(version: Int, name: String, authentication: Authentication)
        case bindResponse(LDAPResult, serverCredentials: [UInt8]?)
        case unbindRequest
        case searchRequest(SearchRequest)
        case searchResultEntry(LDAPEntry)
        case searchResultReference([String])
        case searchResultDone(LDAPResult)
        case modifyRequest(dn: String, changes: [Modification])
        case modifyResponse(LDAPResult)
        case addRequest(dn: String, attributes: [LDAPAttribute])
        case addResponse(LDAPResult)
        case deleteRequest(dn: String)
        case deleteResponse(LDAPResult)
        case modifyDNRequest(dn: String, newRDN: String, deleteOldRDN: Bool, newSuperior: String?)
        case modifyDNResponse(LDAPResult)
        case abandonRequest(id: Int)
        case extendedRequest(name: String, value: [UInt8]?)
        case extendedResponse(LDAPResult, name: String?, value: [UInt8]?)
        case intermediateResponse(name: String?, value: [UInt8]?)

        /// The result of a response, nil for a request or an entry.
        package var result: LDAPResult? {
            switch self {
            case .bindResponse(let result, _), .searchResultDone(let result), .modifyResponse(let result), .addResponse(let result),
                .deleteResponse(let result), .modifyDNResponse(let result), .extendedResponse(let result, _, _):
                result
            default: nil
            }
        }
    }

    /// How a bind authenticates (RFC 4511 §4.2).
    package enum Authentication: Hashable, Sendable {
        case simple(password: [UInt8])
        case sasl(mechanism: String, credentials: [UInt8]?)
    }

    // Tags of the operations: [APPLICATION n].
    enum Tags {
        static let bindRequest = BER.Tag.application(0)
        static let bindResponse = BER.Tag.application(1)
        static let unbindRequest = BER.Tag.application(2, constructed: false)
        static let searchRequest = BER.Tag.application(3)
        static let searchResultEntry = BER.Tag.application(4)
        static let searchResultDone = BER.Tag.application(5)
        static let modifyRequest = BER.Tag.application(6)
        static let modifyResponse = BER.Tag.application(7)
        static let addRequest = BER.Tag.application(8)
        static let addResponse = BER.Tag.application(9)
        static let deleteRequest = BER.Tag.application(10, constructed: false)
        static let deleteResponse = BER.Tag.application(11)
        static let modifyDNRequest = BER.Tag.application(12)
        static let modifyDNResponse = BER.Tag.application(13)
        static let abandonRequest = BER.Tag.application(16, constructed: false)
        static let searchResultReference = BER.Tag.application(19)
        static let extendedRequest = BER.Tag.application(23)
        static let extendedResponse = BER.Tag.application(24)
        static let intermediateResponse = BER.Tag.application(25)
    }

    // MARK: Writing

    /// The message as BER, ready for the wire.
    package var encoded: [UInt8] {
        var writer = BER.Writer()
        writer.sequence { message in
            message.integer(id)
            Self.write(operation, to: &message)
            if !controls.isEmpty {
                message.constructed(.context(0, constructed: true)) { list in
                    for control in controls { control.write(to: &list) }
                }
            }
        }
        return writer.bytes
    }

    static func write(_ operation: Operation, to writer: inout BER.Writer) {
        switch operation {
        case .bindRequest(let version, let name, let authentication):
            writer.constructed(Tags.bindRequest) { bind in
                bind.integer(version)
                bind.string(name)
                switch authentication {
                case .simple(let password): bind.octets(password, tag: .context(0))
                case .sasl(let mechanism, let credentials):
                    bind.constructed(.context(3, constructed: true)) { sasl in
                        sasl.string(mechanism)
                        if let credentials { sasl.octets(credentials) }
                    }
                }
            }
        case .bindResponse(let result, let credentials):
            writer.constructed(Tags.bindResponse) { response in
                result.write(to: &response)
                if let credentials { response.octets(credentials, tag: .context(7)) }
            }
        case .unbindRequest:
            writer.element(Tags.unbindRequest, contents: [])
        case .searchRequest(let search):
            writer.constructed(Tags.searchRequest) { search.write(to: &$0) }
        case .searchResultEntry(let entry):
            writer.constructed(Tags.searchResultEntry) { body in
                body.string(entry.dn)
                body.sequence { list in for attribute in entry.attributes { attribute.write(to: &list) } }
            }
        case .searchResultReference(let uris):
            writer.constructed(Tags.searchResultReference) { body in for uri in uris { body.string(uri) } }
        case .searchResultDone(let result):
            writer.constructed(Tags.searchResultDone) { result.write(to: &$0) }
        case .modifyRequest(let dn, let changes):
            writer.constructed(Tags.modifyRequest) { body in
                body.string(dn)
                body.sequence { list in
                    for change in changes {
                        list.sequence { item in
                            item.enumerated(change.operation.rawValue)
                            change.attribute.write(to: &item)
                        }
                    }
                }
            }
        case .modifyResponse(let result):
            writer.constructed(Tags.modifyResponse) { result.write(to: &$0) }
        case .addRequest(let dn, let attributes):
            writer.constructed(Tags.addRequest) { body in
                body.string(dn)
                body.sequence { list in for attribute in attributes { attribute.write(to: &list) } }
            }
        case .addResponse(let result):
            writer.constructed(Tags.addResponse) { result.write(to: &$0) }
        case .deleteRequest(let dn):
            writer.element(Tags.deleteRequest, contents: Array(dn.utf8))
        case .deleteResponse(let result):
            writer.constructed(Tags.deleteResponse) { result.write(to: &$0) }
        case .modifyDNRequest(let dn, let newRDN, let deleteOldRDN, let newSuperior):
            writer.constructed(Tags.modifyDNRequest) { body in
                body.string(dn)
                body.string(newRDN)
                body.boolean(deleteOldRDN)
                if let newSuperior { body.string(newSuperior, tag: .context(0)) }
            }
        case .modifyDNResponse(let result):
            writer.constructed(Tags.modifyDNResponse) { result.write(to: &$0) }
        case .abandonRequest(let id):
            writer.integer(id, tag: Tags.abandonRequest)
        case .extendedRequest(let name, let value):
            writer.constructed(Tags.extendedRequest) { body in
                body.string(name, tag: .context(0))
                if let value { body.octets(value, tag: .context(1)) }
            }
        case .extendedResponse(let result, let name, let value):
            writer.constructed(Tags.extendedResponse) { body in
                result.write(to: &body)
                if let name { body.string(name, tag: .context(10)) }
                if let value { body.octets(value, tag: .context(11)) }
            }
        case .intermediateResponse(let name, let value):
            writer.constructed(Tags.intermediateResponse) { body in
                if let name { body.string(name, tag: .context(0)) }
                if let value { body.octets(value, tag: .context(1)) }
            }
        }
    }

    // MARK: Reading

    /// A message read from exactly `bytes` (one frame; see ``BER/frameLength(_:)``).
    package init(decoding bytes: ArraySlice<UInt8>) throws(BER.DecodingError) {
        var outer = BER.Reader(bytes)
        var message = try outer.nested(.sequence)
        guard outer.isAtEnd else { throw BER.DecodingError("bytes after the message", at: outer.index) }
        id = try message.integer()
        operation = try Self.readOperation(&message)
        controls = []
        if let list = try message.optional(.context(0, constructed: true)) {
            var reader = BER.Reader(list)
            while !reader.isAtEnd { controls.append(try LDAPControl(reading: &reader)) }
        }
    }

    package init(decoding bytes: [UInt8]) throws(BER.DecodingError) { try self.init(decoding: bytes[...]) }

    static func readOperation(_ message: inout BER.Reader) throws(BER.DecodingError) -> Operation {
        let at = message.index
        let (tag, contents) = try message.element()
        var body = BER.Reader(contents)
        let operation: Operation
        switch tag {
        case Tags.bindRequest:
            let version = try body.integer()
            let name = try body.string()
            let authentication: Authentication
            switch body.nextTag {
            case BER.Tag.context(0): authentication = .simple(password: try body.octets(.context(0)))
            case BER.Tag.context(3, constructed: true):
                var sasl = try body.nested(.context(3, constructed: true))
                let mechanism = try sasl.string()
                authentication = .sasl(mechanism: mechanism, credentials: sasl.isAtEnd ? nil : try sasl.octets())
            default: throw BER.DecodingError("a bind with an authentication LDAP does not define", at: body.index)
            }
            operation = .bindRequest(version: version, name: name, authentication: authentication)
        case Tags.bindResponse:
            let result = try LDAPResult(reading: &body)
            operation = .bindResponse(result, serverCredentials: try body.optional(.context(7)).map(Array.init))
        case Tags.unbindRequest:
            operation = .unbindRequest
        case Tags.searchRequest:
            operation = .searchRequest(try SearchRequest(reading: &body))
        case Tags.searchResultEntry:
            let dn = try body.string()
            var list = try body.nested(.sequence)
            var attributes: [LDAPAttribute] = []
            while !list.isAtEnd { attributes.append(try LDAPAttribute(reading: &list)) }
            operation = .searchResultEntry(LDAPEntry(dn: dn, attributes: attributes))
        case Tags.searchResultReference:
            var uris: [String] = []
            while !body.isAtEnd { uris.append(try body.string()) }
            operation = .searchResultReference(uris)
        case Tags.searchResultDone:
            operation = .searchResultDone(try LDAPResult(reading: &body))
        case Tags.modifyRequest:
            let dn = try body.string()
            var list = try body.nested(.sequence)
            var changes: [Modification] = []
            while !list.isAtEnd {
                var item = try list.nested(.sequence)
                let code = try item.integer(.enumerated)
                guard let kind = Modification.Kind(rawValue: code) else {
                    throw BER.DecodingError("a modification of kind \(code), which LDAP does not define", at: item.index)
                }
                changes.append(Modification(kind, try LDAPAttribute(reading: &item)))
            }
            operation = .modifyRequest(dn: dn, changes: changes)
        case Tags.modifyResponse:
            operation = .modifyResponse(try LDAPResult(reading: &body))
        case Tags.addRequest:
            let dn = try body.string()
            var list = try body.nested(.sequence)
            var attributes: [LDAPAttribute] = []
            while !list.isAtEnd { attributes.append(try LDAPAttribute(reading: &list)) }
            operation = .addRequest(dn: dn, attributes: attributes)
        case Tags.addResponse:
            operation = .addResponse(try LDAPResult(reading: &body))
        case Tags.deleteRequest:
            operation = .deleteRequest(dn: String(decoding: contents, as: UTF8.self))
        case Tags.deleteResponse:
            operation = .deleteResponse(try LDAPResult(reading: &body))
        case Tags.modifyDNRequest:
            let dn = try body.string()
            let rdn = try body.string()
            let delete = try body.boolean()
            let superior = try body.optional(.context(0)).map { String(decoding: $0, as: UTF8.self) }
            operation = .modifyDNRequest(dn: dn, newRDN: rdn, deleteOldRDN: delete, newSuperior: superior)
        case Tags.modifyDNResponse:
            operation = .modifyDNResponse(try LDAPResult(reading: &body))
        case Tags.abandonRequest:
            operation = .abandonRequest(id: try BER.integer(contents, at: at))
        case Tags.extendedRequest:
            let name = try body.string(.context(0))
            operation = .extendedRequest(name: name, value: try body.optional(.context(1)).map(Array.init))
        case Tags.extendedResponse:
            let result = try LDAPResult(reading: &body)
            let name = try body.optional(.context(10)).map { String(decoding: $0, as: UTF8.self) }
            operation = .extendedResponse(result, name: name, value: try body.optional(.context(11)).map(Array.init))
        case Tags.intermediateResponse:
            let name = try body.optional(.context(0)).map { String(decoding: $0, as: UTF8.self) }
            operation = .intermediateResponse(name: name, value: try body.optional(.context(1)).map(Array.init))
        default:
            throw BER.DecodingError("an operation \(tag) that this client does not know", at: at)
        }
        return operation
    }
}

/// The result of an operation (RFC 4511 §4.1.9).
package struct LDAPResult: Hashable, Sendable {
    package var code: ResultCode
    /// For `noSuchObject`, the part of the DN that exists.
    package var matchedDN: String
    package var diagnosticMessage: String
    package var referrals: [String]

    package init(_ code: ResultCode, matchedDN: String = "", diagnosticMessage: String = "", referrals: [String] = []) {
        self.code = code
        self.matchedDN = matchedDN
        self.diagnosticMessage = diagnosticMessage
        self.referrals = referrals
    }

    package init(reading reader: inout BER.Reader) throws(BER.DecodingError) {
        code = ResultCode(try reader.integer(.enumerated))
        matchedDN = try reader.string()
        diagnosticMessage = try reader.string()
        referrals = []
        if let list = try reader.optional(.context(3, constructed: true)) {
            var uris = BER.Reader(list)
            while !uris.isAtEnd { referrals.append(try uris.string()) }
        }
    }

    package func write(to writer: inout BER.Writer) {
        writer.enumerated(code.rawValue)
        writer.string(matchedDN)
        writer.string(diagnosticMessage)
        if !referrals.isEmpty {
            writer.constructed(.context(3, constructed: true)) { list in for uri in referrals { list.string(uri) } }
        }
    }
}

/// A control sent with a request or a response (RFC 4511 §4.1.11).
package struct LDAPControl: Hashable, Sendable {
    package var oid: String
    package var critical: Bool
    package var value: [UInt8]?

    package init(oid: String, critical: Bool = false, value: [UInt8]? = nil) {
        self.oid = oid
        self.critical = critical
        self.value = value
    }

    package init(reading reader: inout BER.Reader) throws(BER.DecodingError) {
        var control = try reader.nested(.sequence)
        oid = try control.string()
        critical = control.nextTag == .boolean ? try control.boolean() : false
        value = control.isAtEnd ? nil : try control.octets()
    }

    package func write(to writer: inout BER.Writer) {
        writer.sequence { control in
            control.string(oid)
            // DEFAULT FALSE is left out (RFC 4511 §5.1).
            if critical { control.boolean(true) }
            if let value { control.octets(value) }
        }
    }

    // MARK: Paged results (RFC 2696)

    package static let pagedResultsOID = "1.2.840.113556.1.4.319"

    /// Asks for a page of `size` entries, after the one `cookie` ends (empty for the first).
    package static func pagedResults(size: Int, cookie: [UInt8]) -> LDAPControl {
        var writer = BER.Writer()
        writer.sequence { value in
            value.integer(size)
            value.octets(cookie)
        }
        return LDAPControl(oid: pagedResultsOID, critical: false, value: writer.bytes)
    }

    /// The size estimate and the cookie of a paged results control; an empty cookie ends the search.
    package func pagedResults() throws(BER.DecodingError) -> (size: Int, cookie: [UInt8]) {
        var reader = BER.Reader(value ?? [])
        var sequence = try reader.nested(.sequence)
        return (try sequence.integer(), try sequence.octets())
    }
}

/// An attribute and its values, which are bytes: most are UTF-8 text, some are binary (RFC 4511
/// §4.1.7).
package struct LDAPAttribute: Hashable, Sendable {
    package var type: String
    package var values: [[UInt8]]

    package init(_ type: String, values: [[UInt8]]) {
        self.type = type
        self.values = values
    }

    package init(_ type: String, _ values: [String]) {
        self.type = type
        self.values = values.map { Array($0.utf8) }
    }

    /// The values as UTF-8 text.
    package var strings: [String] { values.map { String(decoding: $0, as: UTF8.self) } }

    package init(reading reader: inout BER.Reader) throws(BER.DecodingError) {
        var attribute = try reader.nested(.sequence)
        type = try attribute.string()
        var set = try attribute.nested(.set)
        values = []
        while !set.isAtEnd { values.append(try set.octets()) }
    }

    package func write(to writer: inout BER.Writer) {
        writer.sequence { attribute in
            attribute.string(type)
            // In the order given: a SET's values are not sorted as DER would.
            attribute.constructed(.set) { set in for value in values { set.octets(value) } }
        }
    }
}

/// An entry as a search returns it.
package struct LDAPEntry: Hashable, Sendable {
    package var dn: String
    package var attributes: [LDAPAttribute]

    package init(dn: String, attributes: [LDAPAttribute]) {
        self.dn = dn
        self.attributes = attributes
    }

    /// The values of attribute `type` (its name compared without case), as text.
    package func strings(_ type: String) -> [String] {
        attributes.first { $0.type.lowercased() == type.lowercased() }?.strings ?? []
    }
}

/// One change of a modify (RFC 4511 §4.6).
package struct Modification: Hashable, Sendable {
    package enum Kind: Int, Hashable, Sendable {
        case add = 0
        case delete = 1
        case replace = 2
    }

    package var operation: Kind
    package var attribute: LDAPAttribute

    package init(_ operation: Kind, _ attribute: LDAPAttribute) {
        self.operation = operation
        self.attribute = attribute
    }
}

/// A search (RFC 4511 §4.5.1).
package struct SearchRequest: Hashable, Sendable {
    package enum Scope: Int, Hashable, Sendable {
        case baseObject = 0
        case singleLevel = 1
        case wholeSubtree = 2
    }

    package var base: String
    package var scope: Scope
    /// 0: never dereference aliases.
    package var derefAliases: Int
    package var sizeLimit: Int
    package var timeLimit: Int
    package var typesOnly: Bool
    package var filter: LDAPFilter
    /// The attributes to return; empty for all user attributes, `+` for the operational ones.
    package var attributes: [String]

    package init(
        base: String, scope: Scope, filter: LDAPFilter, attributes: [String] = [], sizeLimit: Int = 0, timeLimit: Int = 0,
        typesOnly: Bool = false, derefAliases: Int = 0
    ) {
        self.base = base
        self.scope = scope
        self.derefAliases = derefAliases
        self.sizeLimit = sizeLimit
        self.timeLimit = timeLimit
        self.typesOnly = typesOnly
        self.filter = filter
        self.attributes = attributes
    }

    package init(reading reader: inout BER.Reader) throws(BER.DecodingError) {
        base = try reader.string()
        let scopeCode = try reader.integer(.enumerated)
        guard let scope = Scope(rawValue: scopeCode) else { throw BER.DecodingError("a search scope \(scopeCode)", at: reader.index) }
        self.scope = scope
        derefAliases = try reader.integer(.enumerated)
        sizeLimit = try reader.integer()
        timeLimit = try reader.integer()
        typesOnly = try reader.boolean()
        filter = try LDAPFilter(reading: &reader)
        var list = try reader.nested(.sequence)
        attributes = []
        while !list.isAtEnd { attributes.append(try list.string()) }
    }

    package func write(to writer: inout BER.Writer) {
        writer.string(base)
        writer.enumerated(scope.rawValue)
        writer.enumerated(derefAliases)
        writer.integer(sizeLimit)
        writer.integer(timeLimit)
        writer.boolean(typesOnly)
        filter.write(to: &writer)
        writer.sequence { list in for attribute in attributes { list.string(attribute) } }
    }
}

// MARK: Extended operations

package enum ExtendedOperation {
    /// StartTLS (RFC 4511 §4.14).
    package static let startTLS = "1.3.6.1.4.1.1466.20037"
    /// Password Modify (RFC 3062).
    package static let passwordModify = "1.3.6.1.4.1.4203.1.11.1"
    /// Who am I? (RFC 4532).
    package static let whoAmI = "1.3.6.1.4.1.4203.1.11.3"
    /// The server's notice that it closes the connection (RFC 4511 §4.4.1), with id 0.
    package static let noticeOfDisconnection = "1.3.6.1.4.1.1466.20036"

    /// The value of a Password Modify request that sets `user`'s password to `password`.
    package static func passwordModifyValue(user: String, newPassword: [UInt8]) -> [UInt8] {
        var writer = BER.Writer()
        writer.sequence { value in
            value.string(user, tag: .context(0))
            value.octets(newPassword, tag: .context(2))
        }
        return writer.bytes
    }
}
