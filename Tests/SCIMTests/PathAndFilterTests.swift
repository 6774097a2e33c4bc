import SCIM
import JSONValues
import Testing

struct PathAndFilterTests {
    @Test(arguments: [
        ("userName", nil, "userName", nil, nil),
        ("name.givenName", nil, "name", nil, "givenName"),
        (#"emails[type eq "work"].value"#, nil, "emails", #"type eq "work""#, "value"),
        (#"emails[type eq "other"].Value"#, nil, "emails", #"type eq "other""#, "Value"),
        (#"roles[primary eq "True"].display"#, nil, "roles", #"primary eq "True""#, "display"),
        ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "employeeNumber", nil, nil),
        ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "manager", nil, "value"),
        ("urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:-dn-",
         "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User", "-dn-", nil, nil),
        ("urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:msDS-UserAccountDisabled",
         "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User", "msDS-UserAccountDisabled", nil, nil),
    ] as [(String, String?, String, String?, String?)])
    func parsesTargetPaths(text: String, schema: String?, name: String, filter: String?, sub: String?) throws {
        let path = try AttributePath.parse(text)
        #expect(path.schema == schema)
        #expect(path.name == name)
        #expect(path.filter?.description == filter)
        #expect(path.subAttribute == sub)
        #expect(path.description == text)
    }

    @Test(arguments: [
        ("", "expected an attribute name"),
        (#"emails[type eq "work".value"#, "expected ']' to close the value filter"),
        ("name..givenName", "invalid attribute path"),
        ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:", "expected an attribute name after the schema URN"),
        (#"emails[type zz "work"]"#, "unknown operator 'zz'"),
    ])
    func rejectsInvalidPaths(text: String, message: String) {
        #expect {
            try AttributePath.parse(text)
        } throws: { error in
            (error as? FilterSyntaxError)?.message.contains(message) == true
        }
    }

    @Test func parsesFiltersWithPrecedenceAndEntraForms() throws {
        let filter = try Filter.parse(#"userName eq "a" or name.givenName sw "b" and not (active eq false)"#)
        #expect(filter.description == #"userName eq "a" or name.givenName sw "b" and not (active eq false)"#)
        guard case .or(_, .and) = filter else {
            Issue.record("'and' must bind tighter than 'or': \(filter)")
            return
        }
        let valuePath = try Filter.parse(#"emails[type eq "work"].value eq "x@contoso.com""#)
        #expect(valuePath.description == #"emails[type eq "work"].value eq "x@contoso.com""#)
        // An old documentation sample sends an unquoted value.
        #expect(try Filter.parse("externalId eq jyoung") == .compare(AttributePath(name: "externalId"), .eq, .string("jyoung")))
        #expect(try Filter.parse("PLACEHOLDER eq \"8646d011\"").description == #"PLACEHOLDER eq "8646d011""#)
    }

    @Test func readsValuesFromResources() throws {
        let resource = try JSON.parse(#"""
            {"userName": "bjensen", "name": {"givenName": "Barbara"},
             "emails": [{"type": "home", "value": "b@home"}, {"type": "work", "value": "b@work"}],
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984"}}
            """#)
        #expect(Resource.values(at: try AttributePath.parse("USERNAME"), in: resource) == [.string("bjensen")])
        #expect(Resource.values(at: try AttributePath.parse("name.givenName"), in: resource) == [.string("Barbara")])
        #expect(Resource.values(at: try AttributePath.parse(#"emails[type eq "WORK"].value"#), in: resource) == [.string("b@work")])
        #expect(Resource.values(at: try AttributePath.parse("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"), in: resource) == [.string("701984")])
        #expect(Resource.matches(try Filter.parse(#"emails[type eq "work" and value ew "@work"]"#), resource))
        #expect(!Resource.matches(try Filter.parse(#"userName ne "BJENSEN""#), resource))
    }
}
