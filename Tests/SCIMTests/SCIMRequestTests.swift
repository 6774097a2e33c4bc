import JSONValues
import SCIM
import Testing

/// SCIM requests as values: one decoder from HTTP, one encoder to it, and the two agree.
struct SCIMRequestTests {
    static func decode(_ method: String, _ target: String, _ body: String? = nil) throws(SCIMError) -> SCIMRequest {
        let parts = target.split(separator: "?", maxSplits: 1)
        return try SCIMRequest(
            method: method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil, body: body.map { Array($0.utf8) })
    }

    static let user = #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}"#

    /// What Entra sends, decoded: the method, the endpoint, the typed operation.
    @Test(arguments: [
        ("GET", #"/Users?filter=userName+eq+"Test_User_dfeef4c5-5681-4387-b016-bdf221e82081""#, nil,
         SCIMRequest.search(.user, filter: .compare(AttributePath(name: "userName"), .eq, .string("Test_User_dfeef4c5-5681-4387-b016-bdf221e82081")))),
        ("GET", "/Users?filter=externalId%20eq%20%22x%22&startIndex=11&Count=5", nil,
         SCIMRequest.search(.user, filter: .compare(AttributePath(name: "externalId"), .eq, .string("x")), startIndex: 11, count: 5)),
        ("GET", "/users", nil, SCIMRequest.search(.user, filter: nil)),
        ("GET", "/Groups/ab%2Fc", nil, SCIMRequest.get(.group, id: "ab/c")),
        ("DELETE", "/Users/2819c223", nil, SCIMRequest.delete(.user, id: "2819c223")),
        ("POST", "/Users", user, SCIMRequest.create(.user, try! JSON.parse(user))),
        ("PUT", "/Users/2819c223", user, SCIMRequest.replace(.user, id: "2819c223", try! JSON.parse(user))),
        ("GET", "/ServiceProviderConfig", nil, SCIMRequest(nil, .serviceProviderConfig)),
        ("GET", "/ResourceTypes/User", nil, SCIMRequest(nil, .resourceTypes(name: "User"))),
        ("GET", "/Schemas", nil, SCIMRequest(nil, .schemas(id: nil))),
    ] as [(String, String, String?, SCIMRequest)])
    func decodes(method: String, target: String, body: String?, expected: SCIMRequest) throws {
        #expect(try Self.decode(method, target, body) == expected)
    }

    /// A connector's own types are served at their plural; a host names the types it serves, and
    /// a request for any other endpoint is a 404 that lists them.
    @Test func decodesTheTypesAHostServes() throws {
        #expect(["Device", "Address", "Policy", "Day", "Box", "Switch", "user", "GROUP"].map { ResourceType.named($0).endpoint }
            == ["/Devices", "/Addresses", "/Policies", "/Days", "/Boxes", "/Switches", "/Users", "/Groups"])
        let role = ResourceType.named("Role")
        let types = ResourceType.all + [role]
        #expect(try SCIMRequest(method: "GET", path: "/roles/approver", query: nil, body: nil, types: types) == .get(role, id: "approver"))
        #expect(try SCIMRequest(method: "DELETE", path: "/Roles/approver", query: nil, body: nil, types: types) == .delete(role, id: "approver"))
        #expect(throws: SCIMError.notFound("no resource type 'Roles'; this host serves /Users and /Groups")) {
            try SCIMRequest(method: "GET", path: "/Roles", query: nil, body: nil)
        }
        #expect(throws: SCIMError.notFound("no resource type 'Devices'; this host serves /Users, /Groups, /Roles")) {
            try SCIMRequest(method: "GET", path: "/Devices", query: nil, body: nil, types: types)
        }
    }

    @Test func decodesPatchOperationsAndProjections() throws {
        let body = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"x"},{"op":"remove","path":"emails[type eq \"work\"]"}]}"#
        let request = try Self.decode("PATCH", "/Users/7?attributes=userName,%20emails.value&excludedAttributes=groups", body)
        guard case .patch(let id, let patch) = request.operation else { Issue.record("not a patch: \(request)"); return }
        #expect(id == "7")
        #expect(patch.operations.map(\.op) == [.replace, .remove])
        #expect(patch.operations.map { $0.path?.description } == ["displayName", #"emails[type eq "work"]"#])
        #expect(request.attributes.map(\.description) == ["userName", "emails.value"])
        #expect(request.excludedAttributes.map(\.description) == ["groups"])
    }

    @Test func decodesSearchesByPost() throws {
        let body = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"displayName sw \"A\"","attributes":["displayName"],"count":2}"#
        let typed = try Self.decode("POST", "/Groups/.search", body)
        #expect(typed == SCIMRequest(
            .group, .search(.init(filter: .compare(AttributePath(name: "displayName"), .sw, .string("A")), count: 2, usesPost: true)),
            attributes: [AttributePath(name: "displayName")]))
        let all = try Self.decode("POST", "/.search", #"{"filter":"userName pr"}"#)
        #expect(all == SCIMRequest(nil, .search(.init(filter: .present(AttributePath(name: "userName")), usesPost: true))))
    }

    /// Every malformed request is the SCIM error its client should get.
    @Test(arguments: [
        ("GET", "/Widgets", nil, 404, nil), ("GET", "/", nil, 404, nil), ("GET", "/Users/a/b", nil, 404, nil),
        ("DELETE", "/Users", nil, 405, nil), ("POST", "/Users/x", "{}", 405, nil), ("PUT", "/Schemas", "{}", 405, nil),
        ("GET", "/Users?filter=userName%20zz%20%22x%22", nil, 400, "invalidFilter"),
        ("GET", "/Users?filter=userName%20eq", nil, 400, "invalidFilter"),
        ("GET", "/Users?startIndex=abc", nil, 400, "invalidValue"),
        ("GET", "/Users/x?attributes=emails[type", nil, 400, "invalidPath"),
        ("POST", "/Users", nil, 400, "invalidSyntax"), ("POST", "/Users", "", 400, "invalidSyntax"),
        ("POST", "/Users", #"{"userName": "x",, }"#, 400, "invalidSyntax"),
        ("PATCH", "/Users/x", #"{"Operations":[{"op":"jump","path":"title"}]}"#, 400, "invalidSyntax"),
        ("PATCH", "/Users/x", #"{"Operations":[{"op":"remove"}]}"#, 400, "noTarget"),
    ] as [(String, String, String?, Int, String?)])
    func refusesMalformedRequests(method: String, target: String, body: String?, status: Int, scimType: String?) throws {
        let error = try #require(throws: SCIMError.self) { try Self.decode(method, target, body) }
        #expect(error.status == status)
        #expect(error.scimType?.rawValue == scimType)
    }

    /// The encoder writes what Entra's logs show (and `attrmap transform` writes), and a form to send.
    @Test func encodesReadablyAndForTheWire() throws {
        let search = SCIMRequest.search(.user, filter: .compare(AttributePath(name: "userName"), .eq, .string("Zoë & co")))
        #expect(search.http.method == "GET")
        #expect(search.http.target == #"/Users?filter=userName eq "Zoë & co""#)
        #expect(search.http.encodedTarget == "/Users?filter=userName%20eq%20%22Zo%C3%AB%20%26%20co%22")
        #expect(search.http.body == nil)
        let patch = SCIMRequest.patch(.user, id: "a b", .init([PatchOperation(op: .add, path: AttributePath(name: "title"), value: .string("x"))], opSpelling: .capitalized))
        #expect(patch.http.target == "/Users/a b")
        #expect(patch.http.encodedTarget == "/Users/a%20b")
        #expect(patch.http.body?.serialized == #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"title","value":"x"}]}"#)
        #expect(SCIMRequest.delete(.group, id: "g1").json.serialized == #"{"method":"DELETE","path":"/Groups/g1"}"#)
    }

    /// Decoding what was encoded gives the request back (the op's spelling aside).
    @Test(arguments: [
        SCIMRequest.search(.user, filter: .compare(AttributePath(schema: "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User", name: "userName"), .eq, .string("ALICE")), startIndex: 3, count: 10),
        SCIMRequest(.group, .search(.init(filter: .present(AttributePath(name: "members")), usesPost: true)), attributes: [AttributePath(name: "displayName")]),
        SCIMRequest.get(.user, id: "Zoë/1"),
        SCIMRequest(.user, .get(id: "1"), attributes: [AttributePath(name: "userName")], excludedAttributes: [AttributePath(name: "emails")]),
        SCIMRequest.create(.group, .object([("displayName", .string("Sales"))])),
        SCIMRequest.patch(.user, id: "1", .init([
            PatchOperation(op: .replace, path: nil, value: .object([("title", .string("x"))])),
            PatchOperation(op: .remove, path: try! AttributePath.parse(#"emails[type eq "work"]"#), value: nil),
        ])),
        SCIMRequest.delete(.user, id: "1"),
        SCIMRequest(nil, .schemas(id: "urn:ietf:params:scim:schemas:core:2.0:User")),
    ])
    func decodingWhatWasEncodedGivesItBack(request: SCIMRequest) throws {
        let http = request.http
        let parts = http.encodedTarget.split(separator: "?", maxSplits: 1)
        let body = http.body.map { Array($0.serialized.utf8) }
        let decoded = try SCIMRequest(method: http.method, path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : nil, body: body)
        #expect(decoded == request)
    }
}
