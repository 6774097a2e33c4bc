import LDAPMessages
import Testing

/// LDAP's messages, filters and names byte by byte, without a server: the bytes RFC 4511 asks
/// for, every operation written and read back, and each way bytes or text can be wrong reported
/// with its place.
struct LDAPMessagesTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
    }

    static func bytes(_ hex: String) -> [UInt8] {
        hex.split(separator: " ").map { UInt8($0, radix: 16)! }
    }

    /// Messages whose bytes are known: an anonymous bind, an unbind, a delete, a simple bind, a
    /// search with a filter, and responses as a server sends them.
    @Test(arguments: [
        (LDAPMessage(id: 1, .bindRequest(version: 3, name: "", authentication: .simple(password: []))),
         "30 0c 02 01 01 60 07 02 01 03 04 00 80 00"),
        (LDAPMessage(id: 3, .unbindRequest), "30 05 02 01 03 42 00"),
        (LDAPMessage(id: 2, .deleteRequest(dn: "cn=a")), "30 09 02 01 02 4a 04 63 6e 3d 61"),
        (LDAPMessage(id: 1, .bindRequest(version: 3, name: "cn=x", authentication: .simple(password: Array("pw".utf8)))),
         "30 12 02 01 01 60 0d 02 01 03 04 04 63 6e 3d 78 80 02 70 77"),
        (LDAPMessage(id: 2, .searchResultDone(LDAPResult(.success))), "30 0c 02 01 02 65 07 0a 01 00 04 00 04 00"),
        (LDAPMessage(id: 4, .addResponse(LDAPResult(.entryAlreadyExists, diagnosticMessage: "x"))),
         "30 0d 02 01 04 69 08 0a 01 44 04 00 04 01 78"),
        (LDAPMessage(id: 5, .searchRequest(SearchRequest(base: "dc=a", scope: .wholeSubtree, filter: .present("objectClass"), attributes: ["cn"]))),
         "30 2d 02 01 05 63 28 04 04 64 63 3d 61 0a 01 02 0a 01 00 02 01 00 02 01 00 01 01 00 87 0b 6f 62 6a 65 63 74 43 6c 61 73 73 30 04 04 02 63 6e"),
        (LDAPMessage(id: 300, .abandonRequest(id: 128)), "30 08 02 02 01 2c 50 02 00 80"),
    ] as [(LDAPMessage, String)])
    func writesTheBytesOfRFC4511(message: LDAPMessage, expected: String) throws {
        #expect(Self.hex(message.encoded) == expected)
        #expect(try LDAPMessage(decoding: Self.bytes(expected)) == message)
    }

    /// Every operation, with controls, read back as it was written.
    @Test func everyOperationIsReadBackAsWritten() throws {
        let attributes = [LDAPAttribute("objectClass", ["top", "inetOrgPerson"]), LDAPAttribute("cn", ["Ann Lee"]),
                          LDAPAttribute("jpegPhoto", values: [[0x00, 0xFF, 0x80]])]
        let operations: [LDAPMessage.Operation] = [
            .bindRequest(version: 3, name: "cn=admin,dc=contoso,dc=lab", authentication: .simple(password: Array("secret".utf8))),
            .bindRequest(version: 3, name: "", authentication: .sasl(mechanism: "EXTERNAL", credentials: nil)),
            .bindRequest(version: 3, name: "", authentication: .sasl(mechanism: "PLAIN", credentials: [0, 1])),
            .bindResponse(LDAPResult(.invalidCredentials, diagnosticMessage: "bad"), serverCredentials: nil),
            .bindResponse(LDAPResult(.success), serverCredentials: [9]),
            .unbindRequest,
            .searchRequest(SearchRequest(
                base: "dc=contoso,dc=lab", scope: .singleLevel,
                filter: try LDAPFilter(parsing: "(&(objectClass=inetOrgPerson)(|(uid=ann*)(!(mail=*)))(cn~=Ann)(uidNumber>=10)(uidNumber<=99)(cn:caseExactMatch:=Ann))"),
                attributes: ["*", "+"], sizeLimit: 10, timeLimit: 5, typesOnly: true)),
            .searchResultEntry(LDAPEntry(dn: "uid=ann,dc=contoso,dc=lab", attributes: attributes)),
            .searchResultReference(["ldap://other/dc=x", "ldap://third/dc=y"]),
            .searchResultDone(LDAPResult(.noSuchObject, matchedDN: "dc=contoso,dc=lab", diagnosticMessage: "", referrals: ["ldap://a"])),
            .modifyRequest(dn: "uid=ann,dc=contoso,dc=lab", changes: [
                Modification(.replace, LDAPAttribute("cn", ["Ann Smith", "ann"])), Modification(.add, LDAPAttribute("mail", ["a@b"])),
                Modification(.delete, LDAPAttribute("description", values: [])),
            ]),
            .modifyResponse(LDAPResult(.namingViolation, diagnosticMessage: "value of naming attribute 'cn' is not present in entry")),
            .addRequest(dn: "uid=ann,dc=contoso,dc=lab", attributes: attributes),
            .addResponse(LDAPResult(.success)),
            .deleteRequest(dn: "uid=ann,dc=contoso,dc=lab"),
            .deleteResponse(LDAPResult(.noSuchObject)),
            .modifyDNRequest(dn: "uid=ann,dc=contoso,dc=lab", newRDN: "uid=anne", deleteOldRDN: true, newSuperior: "ou=People,dc=contoso,dc=lab"),
            .modifyDNRequest(dn: "uid=ann,dc=contoso,dc=lab", newRDN: "uid=anne", deleteOldRDN: false, newSuperior: nil),
            .modifyDNResponse(LDAPResult(.success)),
            .abandonRequest(id: 7),
            .extendedRequest(name: ExtendedOperation.startTLS, value: nil),
            .extendedRequest(name: ExtendedOperation.passwordModify, value: ExtendedOperation.passwordModifyValue(user: "uid=ann", newPassword: Array("pw".utf8))),
            .extendedResponse(LDAPResult(.success), name: ExtendedOperation.startTLS, value: nil),
            .extendedResponse(LDAPResult(.unavailable, diagnosticMessage: "shutting down"), name: ExtendedOperation.noticeOfDisconnection, value: [1, 2]),
            .intermediateResponse(name: "1.2.3", value: [4]),
        ]
        for (index, operation) in operations.enumerated() {
            let controls = index % 3 == 0 ? [LDAPControl.pagedResults(size: 500, cookie: [1, 2, 3]), LDAPControl(oid: "1.2.3", critical: true)] : []
            let message = LDAPMessage(id: index + 1, operation, controls: controls)
            let bytes = message.encoded
            #expect(try BER.frameLength(bytes) == bytes.count, "\(operation)")
            #expect(try LDAPMessage(decoding: bytes) == message, "\(operation)")
        }
    }

    @Test func pagedResultsCarryTheirSizeAndCookie() throws {
        let control = LDAPControl.pagedResults(size: 1000, cookie: [0xAB, 0xCD])
        #expect(Self.hex(control.value ?? []) == "30 08 02 02 03 e8 04 02 ab cd")
        #expect(try control.pagedResults().size == 1000)
        #expect(try control.pagedResults().cookie == [0xAB, 0xCD])
    }

    /// Lengths of any size, and a stream cut into frames only once a whole message is there.
    @Test func framesAndLongLengths() throws {
        let long = LDAPMessage(id: 1, .addRequest(dn: "cn=" + String(repeating: "x", count: 70_000), attributes: []))
        let bytes = long.encoded
        #expect(bytes[1] == 0x83, "a three-byte length")
        #expect(try LDAPMessage(decoding: bytes) == long)
        #expect(try BER.frameLength(bytes.prefix(1)) == nil)
        #expect(try BER.frameLength(bytes.prefix(4)) == nil)
        #expect(try BER.frameLength(bytes.prefix(bytes.count - 1)) == nil)
        #expect(try BER.frameLength(bytes + [0x30]) == bytes.count)
        // A server may use the long form for a short length: read as well.
        #expect(try LDAPMessage(decoding: Self.bytes("30 84 00 00 00 0c 02 01 02 65 07 0a 01 00 04 00 04 00")) == LDAPMessage(id: 2, .searchResultDone(LDAPResult(.success))))
        #expect(Self.hex(BER.Writer.integerBytes(-1)) == "ff")
        #expect(Self.hex(BER.Writer.integerBytes(128)) == "00 80")
        #expect(Self.hex(BER.Writer.integerBytes(-129)) == "ff 7f")
        #expect(Self.hex(BER.Writer.integerBytes(0)) == "00")
    }

    @Test(arguments: [
        ("30 05 02 01 01 42", "SEQUENCE says 5 bytes, only 4 follow"),
        ("30 80 02 01 01 42 00 00 00", "an indefinite length"),
        ("30 03 02 01 01", "an element was expected, the data ended"),
        ("30 05 02 01 01 7f 00", "a tag number above 30"),
        ("30 05 02 01 01 6e 00", "an operation [APPLICATION 14] that this client does not know"),
        ("31 05 02 01 01 42 00", "SEQUENCE was expected, SET found"),
        ("30 05 02 01 01 42 00 00", "bytes after the message"),
    ])
    func refusesMalformedBytesWithTheirPlace(hex: String, reason: String) throws {
        let error = #expect(throws: BER.DecodingError.self) { try LDAPMessage(decoding: Self.bytes(hex)) }
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
    }

    // MARK: Filters

    /// RFC 4515 §4's examples, read and written back.
    @Test(arguments: [
        "(cn=Babs Jensen)", "(!(cn=Tim Howes))", "(&(objectClass=Person)(|(sn=Jensen)(cn=Babs J*)))", "(o=univ*of*mich*)",
        "(seeAlso=)", "(cn:caseExactMatch:=Fred Flintstone)", "(cn:=Betty Rubble)", "(sn:dn:2.4.6.8.10:=Barney Rubble)",
        "(o:dn:=Ace Industry)", "(:1.2.3:=Wilma Flintstone)", "(:DN:2.4.6.8.10:=Dino)", "(o=Parens R Us \\28for all your parenthetical needs\\29)",
        "(cn=*\\2a*)", "(filename=C:\\5cMyFile)", "(bin=\\00\\00\\00\\04)", "(sn=Lu\\c4\\8di\\c4\\87)", "(1.3.6.1.4.1.1466.0=\\04\\02\\48\\69)",
        "(cn=*)", "(cn=a*)", "(cn=*a)", "(uidNumber>=10)", "(uidNumber<=10)", "(cn~=ann)",
    ])
    func readsAndWritesTheFiltersOfRFC4515(text: String) throws {
        let filter = try LDAPFilter(parsing: text)
        let written = filter.description
        #expect(try LDAPFilter(parsing: written) == filter, "\(text) → \(written)")
        var writer = BER.Writer()
        filter.write(to: &writer)
        var reader = BER.Reader(writer.bytes)
        #expect(try LDAPFilter(reading: &reader) == filter)
    }

    @Test func filterValuesAreUnescapedAndEscaped() throws {
        #expect(try LDAPFilter(parsing: "(o=Parens R Us \\28for all\\29)") == .equal("o", "Parens R Us (for all)"))
        #expect(try LDAPFilter(parsing: "(sn=Lu\\c4\\8di\\c4\\87)") == .equal("sn", "Lučić"))
        #expect(try LDAPFilter(parsing: "uid=ann") == .equal("uid", "ann"))
        #expect(try LDAPFilter(parsing: "(cn=a*b*c)") == .substrings("cn", initial: Array("a".utf8), any: [Array("b".utf8)], final: Array("c".utf8)))
        #expect(LDAPFilter.equal("cn", "a*(b)\\c").description == "(cn=a\\2a\\28b\\29\\5cc)")
        #expect(LDAPFilter.equal("photo", [0xFF, 0x00]).description == "(photo=\\ff\\00)")
        #expect(LDAPFilter.everything.description == "(objectClass=*)")
    }

    @Test(arguments: [
        ("(cn=ann", "')' expected, the filter ended at character 8"),
        ("(cn=a(b)", "'(' must be escaped in a value (as \\28) at character 6"),
        ("(=ann)", "an attribute was expected at character 2"),
        ("(cn ann)", "'=' expected after 'cn ann' at character 8"),
        ("(cn=\\4)", "'\\' must be followed by two hexadecimal digits at character 5"),
        ("(&(cn=a)", "')' expected, the filter ended at character 9"),
        ("(cn=a**b)", "two '*' in a row in the value of 'cn' at character 2"),
        ("(cn=a))", "text after the filter at character 7"),
        ("(c n=a)", "'c n' is not an attribute description at character 2"),
    ])
    func refusesMalformedFiltersWithTheirPlace(text: String, message: String) {
        let error = #expect(throws: LDAPFilter.ParseError.self) { try LDAPFilter(parsing: text) }
        #expect(error?.description == message)
    }

    // MARK: Names

    /// RFC 4514 §4's examples, and names a server may give back otherwise than they were sent.
    @Test func readsComparesAndWritesNames() throws {
        let name = try DistinguishedName(parsing: "UID=jsmith,DC=example,DC=net")
        #expect(name.rdns.count == 3)
        #expect(name.rdnValue("uid") == "jsmith")
        #expect(name.parent.description == "DC=example,DC=net")
        let multi = try DistinguishedName(parsing: "OU=Sales+CN=J.  Smith,DC=example,DC=net")
        #expect(multi.rdn == [.init("OU", "Sales"), .init("CN", "J.  Smith")])
        let escaped = try DistinguishedName(parsing: "CN=James \\\"Jim\\\" Smith\\, III,DC=example,DC=net")
        #expect(escaped.rdnValue("cn") == "James \"Jim\" Smith, III")
        #expect(escaped.description == "CN=James \\\"Jim\\\" Smith\\, III,DC=example,DC=net")
        let carriage = try DistinguishedName(parsing: "CN=Before\\0dAfter,DC=example,DC=net")
        #expect(carriage.rdnValue("cn") == "Before\rAfter")
        let hexValue = try DistinguishedName(parsing: "1.3.6.1.4.1.1466.0=#04024869,DC=example,DC=com")
        #expect(hexValue.rdn.first?.value == "Hi", "a BER string in hex is its text")
        #expect(hexValue.description == "1.3.6.1.4.1.1466.0=Hi,DC=example,DC=com")
        let utf8 = try DistinguishedName(parsing: "CN=Lu\\C4\\8Di\\C4\\87")
        #expect(utf8.rdnValue("cn") == "Lučić")

        // How slapd may store what was sent: other case, other spacing.
        let sent = try DistinguishedName(parsing: "CN=Alice  Smith , dc=Contoso,DC=lab")
        let stored = try DistinguishedName(parsing: "cn=alice smith,dc=contoso,dc=lab")
        #expect(sent.matches(stored))
        #expect(sent.normalized == "cn=alice smith,dc=contoso,dc=lab")
        #expect(!sent.matches(try DistinguishedName(parsing: "cn=alice smith,dc=contoso")))
        #expect(sent.isWithin(try DistinguishedName(parsing: "DC=contoso,dc=LAB")))
        #expect(!sent.isWithin(try DistinguishedName(parsing: "dc=other,dc=lab")))
        // Escapes that are kept: leading and trailing spaces, a leading '#'.
        #expect(DistinguishedName.escaped(" a ") == "\\ a\\ ")
        #expect(DistinguishedName.escaped("#1") == "\\#1")
        #expect(try DistinguishedName(parsing: "cn=\\ a\\ ,dc=x").rdnValue("cn") == " a ")
        #expect(try DistinguishedName(parsing: "").rdns.isEmpty)
        #expect(try DistinguishedName(parsing: "cn=a,dc=x").child([.init("uid", "b,c")]).description == "uid=b\\,c,cn=a,dc=x")
    }

    @Test(arguments: [
        ("cn", "'=' expected after 'cn' at character 3"),
        ("cn=a,", "the name ends with a separator at character 6"),
        ("=a", "an attribute type was expected at character 1"),
        ("cn=a;b", "';' must be escaped in a value at character 5"),
        ("cn=a\\", "'\\' at the end of the name at character 5"),
        ("cn=a\\x", "'\\' must be followed by a special character or two hexadecimal digits at character 5"),
        ("c_n=a", "'c_n' is not an attribute type at character 1"),
    ])
    func refusesMalformedNamesWithTheirPlace(text: String, message: String) {
        let error = #expect(throws: DistinguishedName.ParseError.self) { try DistinguishedName(parsing: text) }
        #expect(error?.description == message)
    }

    @Test func resultCodesHaveTheirNames() {
        #expect(ResultCode.entryAlreadyExists.description == "entryAlreadyExists (68)")
        #expect(ResultCode(65).description == "objectClassViolation (65)")
        #expect(ResultCode(4242).description == "result (4242)")
    }
}
