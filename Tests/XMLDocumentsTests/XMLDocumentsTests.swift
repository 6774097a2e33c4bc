import Testing
import XMLDocuments

/// The XML layer under SOAP and WSDL: names resolved to their namespaces, QName values, paths
/// with a prefix map, a writer whose output reads back the same, and documents refused with
/// their place.
@Suite struct XMLDocumentsTests {
    static let rfc = "urn:sap-com:document:sap:rfc:functions"
    static let soap = "http://schemas.xmlsoap.org/soap/envelope/"
    static let response = """
        <?xml version="1.0" encoding="utf-8"?>
        <soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">
          <soap-env:Header/>
          <soap-env:Body>
            <n0:BAPI_USER_GETLISTResponse xmlns:n0="urn:sap-com:document:sap:rfc:functions">
              <ROWS>2</ROWS>
              <USERLIST>
                <item><USERNAME>ALICE</USERNAME><FIRSTNAME>Alice &amp; Co</FIRSTNAME></item>
                <item><USERNAME>JOSÉ</USERNAME><FIRSTNAME><![CDATA[José <Núñez>]]></FIRSTNAME></item>
              </USERLIST>
              <RETURN>
                <item><TYPE>W</TYPE><MESSAGE>a warning</MESSAGE></item>
                <item><TYPE>E</TYPE><NUMBER>224</NUMBER><MESSAGE>User ALICE already exists</MESSAGE></item>
              </RETURN>
            </n0:BAPI_USER_GETLISTResponse>
          </soap-env:Body>
        </soap-env:Envelope>
        """

    static func parse(_ text: String) throws -> XML.Element {
        try XMLReader.parse(Array(text.utf8), name: "doc.xml")
    }

    @Test func namesAreResolvedToTheirNamespaces() throws {
        let root = try Self.parse(Self.response)
        #expect(root.name == XML.Name("Envelope", namespace: Self.soap))
        #expect(root.prefix == "soap-env")
        let body = try #require(root.child("Body", namespace: Self.soap))
        let list = try #require(body.child("BAPI_USER_GETLISTResponse"))
        #expect(list.name.namespace == Self.rfc)
        // SAP's children are unqualified: in no namespace.
        #expect(list.child("ROWS")?.name == XML.Name("ROWS"))
        #expect(list.child("ROWS")?.text == "2")
        #expect(list.line == 5)
    }

    @Test func pathsSelectWithAPrefixMapAndPredicates() throws {
        let root = try Self.parse(Self.response)
        let prefixes = ["s": Self.soap, "rfc": Self.rfc]
        let users = try XMLPath("/s:Envelope/s:Body/rfc:BAPI_USER_GETLISTResponse/USERLIST/item", prefixes: prefixes).elements(in: root)
        #expect(users.map { $0.child("USERNAME")?.text } == ["ALICE", "JOSÉ"])
        // Entities and CDATA come back as the text they stand for.
        #expect(users.map { $0.child("FIRSTNAME")?.text } == ["Alice & Co", "José <Núñez>"])
        let response = try #require(try XMLPath("Body/BAPI_USER_GETLISTResponse").elements(in: root).first)
        #expect(try XMLPath("RETURN/item[TYPE='E' or TYPE='A']/MESSAGE").values(in: response) == ["User ALICE already exists"])
        #expect(try XMLPath("USERLIST/item[last()]/USERNAME").values(in: response) == ["JOSÉ"])
        #expect(try XMLPath("USERLIST/item[1]/USERNAME").values(in: response) == ["ALICE"])
        #expect(try XMLPath("USERLIST/*").elements(in: response).count == 2)
        // A qualified step does not match the same local name in another namespace.
        #expect(try XMLPath("/rfc:Envelope", prefixes: prefixes).elements(in: root).isEmpty)
        #expect(throws: XMLProblem.self) { try XMLPath("x:Body", prefixes: prefixes) }
    }

    @Test func qualifiedNameValuesAreResolvedInScope() throws {
        let root = try Self.parse("""
            <definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:users" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
              <message name="CreateUser"><part name="user" type="tns:User" xsd:nil="false"/><part name="n" type="xsd:int"/></message>
            </definitions>
            """)
        let parts = try #require(root.child("message")).elements
        #expect(root.name == XML.Name("definitions", namespace: "http://schemas.xmlsoap.org/wsdl/"))
        #expect(parts[0].resolve(qualifiedName: parts[0].attribute("type")!) == XML.Name("User", namespace: "urn:users"))
        #expect(parts[1].resolve(qualifiedName: "xsd:int") == XML.Name("int", namespace: "http://www.w3.org/2001/XMLSchema"))
        #expect(parts[0].resolve(qualifiedName: "nope:User") == nil)
        #expect(parts[0].attribute("nil", namespace: "http://www.w3.org/2001/XMLSchema") == "false")
    }

    @Test func writtenDocumentsReadBackTheSame() throws {
        let root = try Self.parse(Self.response)
        let written = XMLWriter.document(root)
        #expect(try XMLReader.parse(written, name: "again.xml") == root)

        // Built by hand: the writer declares what the names need.
        let request = XML.Element(XML.Name("Envelope", namespace: Self.soap), prefix: "soapenv", children: [
            .element(XML.Element(XML.Name("Body", namespace: Self.soap), prefix: "soapenv", children: [
                .element(XML.Element(XML.Name("BAPI_USER_CREATE1", namespace: Self.rfc), prefix: "rfc", children: [
                    .element(XML.Element(XML.Name("USERNAME"), children: [.text("O'Brien & <Sons> \"x\"")])),
                ], declarations: [])),
            ])),
        ])
        let text = String(decoding: XMLWriter.fragment(request), as: UTF8.self)
        #expect(text == #"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><rfc:BAPI_USER_CREATE1 xmlns:rfc="urn:sap-com:document:sap:rfc:functions"><USERNAME>O'Brien &amp; &lt;Sons&gt; "x"</USERNAME></rfc:BAPI_USER_CREATE1></soapenv:Body></soapenv:Envelope>"#)
        #expect(try XMLReader.parse(Array(text.utf8), name: "built.xml") == request)

        // An unqualified child under a default namespace is written with xmlns="".
        let defaulted = XML.Element(XML.Name("a", namespace: "urn:x"), children: [.element(XML.Element(XML.Name("b")))])
        let written2 = String(decoding: XMLWriter.fragment(defaulted), as: UTF8.self)
        #expect(written2 == #"<a xmlns="urn:x"><b xmlns=""/></a>"#)
        #expect(try XMLReader.parse(Array(written2.utf8), name: "d.xml") == defaulted)
    }

    @Test func aDocumentTypeDeclarationIsRefused() {
        let laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
            <lolz>&lol2;</lolz>
            """
        #expect(throws: XMLProblem(message: "doc.xml:2:1: a document type declaration (<!DOCTYPE>) is not read: it could define entities")) {
            try Self.parse(laughs)
        }
    }

    @Test func aDocumentThatIsNotWellFormedIsLocated() throws {
        do {
            _ = try Self.parse("<a>\n  <b></a>\n")
            Issue.record("read")
        } catch let error as XMLProblem {
            #expect(error.message.hasPrefix("doc.xml:2:"), "\(error.message)")
            #expect(error.message.contains("not well-formed XML"))
        }
        do {
            _ = try Self.parse(#"<a x:y="1"/>"#)
            Issue.record("read")
        } catch let error as XMLProblem {
            #expect(error.message.contains("not well-formed XML"), "\(error.message)")
        }
    }

    /// Each kind of mistake, at its exact place.
    @Test(arguments: [
        ("<a>\n  <b></a>\n", "doc.xml:2:6: not well-formed XML: the end tag 'a' does not close the element 'b'"),
        (#"<a x:y="1"/>"#, "doc.xml:1:4: not well-formed XML: the prefix 'x' of the attribute 'x:y' is not declared"),
        ("<p:a/>", "doc.xml:1:2: not well-formed XML: the prefix 'p' of the element 'p:a' is not declared"),
        (#"<a b="1" b="2"/>"#, "doc.xml:1:10: not well-formed XML: the attribute 'b' is given twice"),
        ("<a>&nbsp;</a>", "doc.xml:1:4: not well-formed XML: the entity '&nbsp;' is not defined (only &amp; &lt; &gt; &quot; &apos; are)"),
        ("<a>AT&T</a>", "doc.xml:1:6: not well-formed XML: '&' starts no entity or character reference (write &amp;)"),
        ("<a>&#0;</a>", "doc.xml:1:4: not well-formed XML: '&#0;' is not a character XML allows"),
        ("<a/><b/>", "doc.xml:1:5: not well-formed XML: content after the root element"),
        ("<a>\n<b>", "doc.xml:2:1: not well-formed XML: the element 'b' is not closed"),
        (#"<a b="1/>"#, "doc.xml:1:6: not well-formed XML: the attribute value is not closed"),
        (#"<a b="x<y"/>"#, "doc.xml:1:8: not well-formed XML: '<' is not allowed in an attribute value"),
        ("<a><!-- open </a>", "doc.xml:1:4: not well-formed XML: a comment is not closed"),
        ("text<a/>", "doc.xml:1:1: not well-formed XML: text before the root element"),
        ("", "doc.xml:1:1: not well-formed XML: the document has no root element"),
        ("<a><![CDATA[x</a>", "doc.xml:1:4: not well-formed XML: a CDATA section is not closed"),
        (#"<a xmlns:p=""/>"#, "doc.xml:1:4: not well-formed XML: the prefix 'p' cannot be declared empty (Namespaces in XML 1.0)"),
        ("<é>\u{1F600}<ü x='1'y='2'/></é>", "doc.xml:1:13: not well-formed XML: a space is needed before an attribute in the start tag of 'ü'"),
    ])
    func eachMistakeIsLocated(text: String, message: String) {
        #expect(throws: XMLProblem(message: message)) { try Self.parse(text) }
    }

    @Test func referencesLineEndsAndAttributeValuesAreReadAsXMLSays() throws {
        let root = try Self.parse("<?xml version='1.0'?>\r\n<!-- a comment --><?app hint?>\r\n<a v='one\ttwo\r\nthree &amp; &#x263A;'>x &lt;&gt;&quot;&apos; &#233;\r\ny<!-- between -->z<?pi here?><![CDATA[<&>]]></a>\n<!-- after -->\n")
        #expect(root.attribute("v") == "one two three & ☺")
        // Text is joined across comments and processing instructions; CR LF is LF.
        #expect(root.children == [.text("x <>\"' é\nyz<&>")])
        #expect(root.line == 3 && root.column == 1)
    }

    @Test func elementsRememberWhereTheyBeginOnALongLine() throws {
        let line = "<r>" + String(repeating: "<i>ü</i>", count: 500) + "<last/></r>"
        let root = try Self.parse(line)
        let last = try #require(root.child("last"))
        #expect(last.line == 1)
        #expect(last.column == 4 + 500 * 8)
    }

    @Test func otherEncodingsAreConvertedAndBadBytesRefused() throws {
        // ISO-8859-1, as its declaration says: é is one byte, 0xE9.
        let latin1: [UInt8] = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Jos".utf8) + [0xE9] + Array("</a>".utf8)
        #expect(try XMLReader.parse(latin1, name: "l.xml").text == "José")
        // UTF-16 with its byte order mark.
        let utf16: [UInt8] = [0xFF, 0xFE] + "<a>Ñ</a>".utf16.flatMap { unit -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(try XMLReader.parse(utf16, name: "u.xml").text == "Ñ")
        // UTF-8 with its byte order mark.
        #expect(try XMLReader.parse([0xEF, 0xBB, 0xBF] + Array("<a>ok</a>".utf8), name: "b.xml").text == "ok")
        #expect(throws: XMLProblem(message: "x.xml:1:1: not well-formed XML: the document is not valid UTF-8")) {
            try XMLReader.parse(Array("<a>".utf8) + [0xC3, 0x28] + Array("</a>".utf8), name: "x.xml")
        }
        #expect(throws: XMLProblem(message: "e.xml:1:1: not well-formed XML: the encoding 'EBCDIC-US' is not read (UTF-8, UTF-16, ISO-8859-1 and windows-1252 are)")) {
            try XMLReader.parse(Array("<?xml version='1.0' encoding='EBCDIC-US'?><a/>".utf8), name: "e.xml")
        }
    }
}
