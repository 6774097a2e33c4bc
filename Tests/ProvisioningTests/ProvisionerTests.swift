import Foundation
import MappingExpressions
import Provisioning
import SCIM
import JSONValues
import Testing

/// Each mapping rule of Entra's provisioning service, through `Provisioner`.
struct ProvisionerTests {
    static let coreSet = """
        mappings:
          - source: "[userPrincipalName]"
            target: userName
            matchingPrecedence: 1
          - source: Switch([IsSoftDeleted], , "False", "True", "True", "False")
            target: active
          - source: "[displayName]"
            target: displayName
          - source: "[mail]"
            target: emails[type eq "work"].value
          - source: "[givenName]"
            target: name.givenName
          - source: "[surname]"
            target: name.familyName
          - source: "[mailNickname]"
            target: externalId
          - source: "[employeeId]"
            target: urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber
        """

    /// The usual matching mapping, `userPrincipalName` to `userName` with precedence 1; the
    /// mappings of a test follow it.
    static let upnMatching = """
        mappings:
          - source: "[userPrincipalName]"
            target: userName
            matchingPrecedence: 1

        """

    static func requestsText(_ outcome: Outcome) -> [String] {
        outcome.requests.map { "\($0.method) \($0.path)" }
    }

    // MARK: Matching

    @Test func matchingQueriesFollowAscendingPrecedence() throws {
        let set = try Support.mappingSet("""
            mappings:
              - source: "[mail]"
                target: emails[type eq "work"].value
                matchingPrecedence: 2
              - source: "[userPrincipalName]"
                target: userName
                matchingPrecedence: 1
              - source: "[employeeId]"
                target: externalId
                matchingPrecedence: 3
            """)
        let user = #"{"userPrincipalName": "ann@contoso.com", "mail": "ann@contoso.com", "employeeId": "42"}"#
        let outcome = try Support.provision(set, user)
        #expect(outcome.action == .create)
        #expect(Self.requestsText(outcome) == [
            #"GET /Users?filter=userName eq "ann@contoso.com""#,
            #"GET /Users?filter=emails[type eq "work"].value eq "ann@contoso.com""#,
            #"GET /Users?filter=externalId eq "42""#,
            "POST /Users",
        ])
        // With target data, the search stops at the first attribute that finds an object.
        let target = #"[{"id": "u-1", "userName": "other@contoso.com", "emails": [{"type": "work", "value": "ANN@contoso.com"}], "externalId": "42"}]"#
        let matched = try Support.provision(set, user, target: target)
        #expect(Self.requestsText(matched).prefix(2) == [
            #"GET /Users?filter=userName eq "ann@contoso.com""#,
            #"GET /Users?filter=emails[type eq "work"].value eq "ann@contoso.com""#,
        ])
        #expect(matched.action == .update)
        #expect(Self.requestsText(matched).last == "PATCH /Users/u-1")
    }

    @Test func aMatchingAttributeWithoutValueIsSkippedAndNoValueAtAllSkipsTheUser() throws {
        let set = try Support.mappingSet("""
            mappings:
              - source: "[employeeId]"
                target: externalId
                matchingPrecedence: 1
              - source: "[userPrincipalName]"
                target: userName
                matchingPrecedence: 2
            """)
        let outcome = try Support.provision(set, #"{"userPrincipalName": "ann@contoso.com"}"#)
        #expect(Self.requestsText(outcome) == [#"GET /Users?filter=userName eq "ann@contoso.com""#, "POST /Users"])
        let none = try Support.provision(set, #"{"displayName": "Nobody"}"#)
        #expect(none.action == .skip)
        #expect(none.requests.isEmpty)
        #expect(none.reason?.contains("ImportSkipped") == true)
    }

    @Test func twoTargetObjectsWithTheMatchingValueIsAnError() throws {
        let set = try Support.mappingSet(Self.coreSet)
        let target = #"[{"id": "1", "userName": "ann@contoso.com"}, {"id": "2", "userName": "ANN@contoso.com"}]"#
        let outcome = try Support.provision(set, #"{"userPrincipalName": "ann@contoso.com"}"#, target: target)
        #expect(outcome.action == .error)
        #expect(outcome.errors.first?.message.hasPrefix("DuplicateTargetEntries") == true)
    }

    // MARK: Create

    @Test func createBodyHasEntrasShape() throws {
        let set = try Support.mappingSet(Self.coreSet + """

              - source: Join(" ", [givenName], [surname])
                target: name.formatted
            """)
        let user = #"""
            {"userPrincipalName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee", "mailNickname": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
             "mail": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com", "givenName": "givenName", "surname": "familyName",
             "accountEnabled": true}
            """#
        let outcome = try Support.provision(set, user)
        let body = try #require(outcome.requests.last?.body)
        var documented = try Support.exchangeBody("user-create")
        // Entra "may send" an empty roles list; no mapping here produces one.
        if case .object(let members) = documented { documented = .object(members.filter { $0.0 != "roles" }) }
        #expect(body.normalized == documented.normalized)
        #expect(body.objectValue?.first?.0 == "schemas")
    }

    @Test func extensionAttributesNestUnderTheirURN() throws {
        let set = try Support.mappingSet("""
            mappings:
              - source: "[userPrincipalName]"
                target: urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:ContosoLogin
                matchingPrecedence: 1
              - source: "[department]"
                target: urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department
              - source: "[extensionAttribute1]"
                target: urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:tag
            """)
        let outcome = try Support.provision(set, #"{"userPrincipalName": "a@contoso.com", "department": "Sales", "extensionAttribute1": "x"}"#)
        let body = try #require(outcome.requests.last?.body)
        #expect(body.member("urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User") == .object([("ContosoLogin", .string("a@contoso.com"))]))
        #expect(body.member("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User") == .object([("department", .string("Sales"))]))
        #expect(body.member("urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User") == .object([("tag", .string("x"))]))
        // A custom extension is not listed in `schemas`: Entra does not send it.
        let schemas = body.member("schemas")?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(!schemas.contains { $0.contains("CustomExtensionName") })
        #expect(schemas.contains(SchemaURN.ecma2HostUser))
    }

    @Test func defaultsApplyOnCreateOnlyAndNullsNeverFlow() throws {
        let set = try Support.mappingSet(Self.upnMatching + """
              - source: "[jobTitle]"
                target: title
                default: Staff
              - source: "[department]"
                target: urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department
            """)
        let user = #"{"userPrincipalName": "ann@contoso.com", "department": null}"#
        let created = try Support.provision(set, user)
        let body = try #require(created.requests.last?.body)
        #expect(body.member("title") == .string("Staff"))
        #expect(body.member("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User") == nil)
        // On update: no default, and a null source sends nothing (no remove, no null).
        let target = #"[{"id": "7", "userName": "ann@contoso.com", "title": "Boss", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales"}}]"#
        let updated = try Support.provision(set, user, target: target)
        #expect(updated.action == .skip)
        #expect(Self.requestsText(updated) == [#"GET /Users?filter=userName eq "ann@contoso.com""#])
        #expect(updated.reason?.contains("up to date") == true)
    }

    @Test func onCreateMappingsAreSkippedOnUpdate() throws {
        let set = try Support.mappingSet(Self.upnMatching + """
                apply: onCreate
              - source: Redact("Pass@w0rd1")
                target: password
                apply: onCreate
              - source: "[city]"
                target: addresses[type eq "work"].locality
            """)
        let target = #"[{"id": "9", "userName": "ann@contoso.com", "addresses": [{"type": "work", "locality": "Oslo"}]}]"#
        let outcome = try Support.provision(set, #"{"userPrincipalName": "ann@contoso.com", "city": "Bergen"}"#, target: target)
        #expect(outcome.action == .update)
        let body = try #require(outcome.requests.last?.body)
        #expect(body == JSON.object([
            ("schemas", .array([.string(SchemaURN.patchOp)])),
            ("Operations", .array([.object([("op", .string("Replace")), ("path", .string(#"addresses[type eq "work"].locality"#)), ("value", .string("Bergen"))])])),
        ]))
    }

    @Test func ignoreFlowDropsTheAttribute() throws {
        let set = try Support.mappingSet(Self.upnMatching + """
              - source: IgnoreFlowIfNullOrEmpty([jobTitle])
                target: title
              - source: IIF([department]="", IgnoreAttributeFlow, [department])
                target: urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department
            """)
        let outcome = try Support.provision(set, #"{"userPrincipalName": "a@contoso.com", "jobTitle": "", "department": ""}"#)
        let body = try #require(outcome.requests.last?.body)
        #expect(body.member("title") == nil)
        #expect(body.member(SchemaURN.enterpriseUser) == nil)
        let skipped = try Support.provision(try Support.mappingSet(Self.upnMatching + """
              - source: IIF([userType]="Guest", IgnoreObjectFlow, "member")
                target: title
            """), #"{"userPrincipalName": "a@contoso.com", "userType": "Guest"}"#)
        #expect(skipped.action == .skip)
        #expect(skipped.requests.isEmpty)
    }

    // MARK: Profiles, against Microsoft's documented requests

    static let multiTarget = #"""
        [{"id": "6764549bef60420686bc", "userName": "ann@contoso.com", "displayName": "Old", "externalId": "old",
          "name": {"givenName": "Old", "familyName": "Old"}, "emails": [{"type": "work", "value": "old@contoso.com"}],
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "0"}, "active": true}]
        """#

    @Test func legacyProfileSendsOneCapitalisedOperationPerAttribute() throws {
        let set = try Support.mappingSet(Self.coreSet)
        let user = #"""
            {"userPrincipalName": "ann@contoso.com", "displayName": "Pvlo", "mail": "TestBcwqnm@test.microsoft.com", "givenName": "Gtfd",
             "surname": "Pkqf", "mailNickname": "Eqpj", "employeeId": "Eqpj", "accountEnabled": true}
            """#
        let outcome = try Support.provision(set, user, target: Self.multiTarget)
        #expect(outcome.action == .update)
        #expect(outcome.requests.last?.body == (try Support.exchangeBody("compat-replace-multi-legacy")))
    }

    @Test func compliantProfileMergesReplacesIntoOnePathlessOperation() throws {
        var set = try Support.mappingSet(Self.coreSet.replacingOccurrences(of: """
              - source: "[mailNickname]"
                target: externalId

            """, with: ""))
        set.profile = .compliant
        let user = #"""
            {"userPrincipalName": "ann@contoso.com", "displayName": "Bjfe", "mail": "TestMhvaes@test.microsoft.com", "givenName": "Kkom",
             "surname": "Unua", "employeeId": "Aklq", "accountEnabled": true}
            """#
        let outcome = try Support.provision(set, user, target: Self.multiTarget)
        #expect(outcome.requests.last?.body == (try Support.exchangeBody("compat-replace-multi-flag")))
    }

    @Test func compliantProfileAddsAMissingAttributeWithLowercaseOp() throws {
        let set = try Support.mappingSet("""
            profile: compliant
            mappings:
              - source: "[userPrincipalName]"
                target: userName
                matchingPrecedence: 1
              - source: "[nickName]"
                target: nickName
            """)
        let outcome = try Support.provision(set, #"{"userPrincipalName": "b@contoso.com", "nickName": "Babs"}"#, target: #"[{"id": "1", "userName": "b@contoso.com"}]"#)
        #expect(outcome.requests.last?.body == (try Support.exchangeBody("compat-add-single-flag")))
    }

    @Test(arguments: [(Profile.legacy, "compat-disable-legacy"), (.compliant, "compat-disable-flag")])
    func disablingSendsActiveFalseInTheProfilesShape(profile: Profile, exchange: String) throws {
        var set = try Support.mappingSet(Self.coreSet)
        set.profile = profile
        let user = #"{"userPrincipalName": "ann@contoso.com", "displayName": "Changed", "accountEnabled": false}"#
        let outcome = try Support.provision(set, user, target: Self.multiTarget)
        #expect(outcome.action == .disable)
        // Only the mappings that read IsSoftDeleted flow on a disable.
        #expect(outcome.requests.last?.body == (try Support.exchangeBody(exchange)))
    }

    @Test func reenablingSendsActiveTrue() throws {
        let set = try Support.mappingSet(Self.coreSet)
        let target = #"[{"id": "1", "userName": "ann@contoso.com", "active": false}]"#
        let outcome = try Support.provision(set, #"{"userPrincipalName": "ann@contoso.com", "accountEnabled": true}"#, target: target)
        #expect(outcome.action == .update)
        #expect(outcome.requests.last?.body == (try Support.exchangeBody("rule-reenable")))
    }

    @Test func aDisabledUserWithoutTargetObjectIsNotCreated() throws {
        let set = try Support.mappingSet(Self.coreSet)
        let outcome = try Support.provision(set, #"{"userPrincipalName": "ann@contoso.com", "accountEnabled": false}"#)
        #expect(outcome.action == .skip)
        #expect(outcome.requests.isEmpty)
        let softDeleted = try Support.provision(set, #"{"userPrincipalName": "ann@contoso.com", "deletedDateTime": "2026-11-01T00:00:00Z"}"#)
        #expect(softDeleted.action == .skip)
    }

    @Test func withoutAnIsSoftDeletedMappingADisableSendsNothing() throws {
        let set = try Support.mappingSet(Self.upnMatching + """
            """)
        let outcome = try Support.provision(set, #"{"userPrincipalName": "a@contoso.com", "accountEnabled": false}"#, target: #"[{"id": "1", "userName": "a@contoso.com"}]"#)
        #expect(outcome.action == .skip)
        #expect(outcome.reason?.contains("no mapping reads IsSoftDeleted") == true)
    }

    // MARK: Scoping

    @Test func outOfScopeUsersAreSkippedOrDisabled() throws {
        let set = try Support.mappingSet(Self.coreSet + """

            scope:
              - - {attribute: department, operator: EQUALS, value: Sales}
            """)
        let user = #"{"userPrincipalName": "ann@contoso.com", "department": "Marketing", "accountEnabled": true}"#
        let skipped = try Support.provision(set, user)
        #expect(skipped.action == .skip)
        #expect(skipped.reason == "the user is out of scope")
        let disabled = try Support.provision(set, user, target: #"[{"id": "1", "userName": "ann@contoso.com", "active": true}]"#)
        #expect(disabled.action == .disable)
        #expect(disabled.requests.last?.body == (try Support.exchangeBody("compat-disable-legacy")))
    }

    @Test(arguments: [
        ("EQUALS", "Sales", "Sales", true), ("EQUALS", "Sales", "sales", false), ("EQUALS", "Sales", nil, false),
        ("NOT EQUALS", "Sales", "Marketing", true), ("NOT EQUALS", "Sales", nil, false),
        ("IS TRUE", nil, "True", true), ("IS TRUE", nil, "false", false),
        ("IS FALSE", nil, "False", true), ("IS FALSE", nil, nil, false),
        ("IS NULL", nil, nil, true), ("IS NULL", nil, "", true), ("IS NULL", nil, "x", false),
        ("IS NOT NULL", nil, "x", true), ("IS NOT NULL", nil, nil, false),
        ("REGEX MATCH", "^[0-9]{3}$", "123", true), ("REGEX MATCH", "^[0-9]{3}$", "12a", false),
        ("NOT REGEX MATCH", "^[0-9]{3}$", "12a", true), ("NOT REGEX MATCH", "^[0-9]{3}$", nil, false),
        ("Includes", "ale", "Sales", true), ("Includes", "ALE", "Sales", false),
        ("ENDS_WITH", "@contoso.com", "a@contoso.com", true), ("ENDS_WITH", "@contoso.com", "a@fabrikam.com", false),
        ("Greater_Than", "10", "11", true), ("Greater_Than", "10", "10", false), ("Greater_Than", "10", "abc", false),
        ("Greater_Than_OR_EQUALS", "10", "10", true), ("Greater_Than_OR_EQUALS", "10", "9", false),
        ("&", "2", "514", true), ("&", "2", "512", false),
        ("!&", "2", "512", true), ("!&", "2", "514", false),
    ] as [(String, String?, String?, Bool)])
    func scopingOperators(op: String, operand: String?, actual: String?, expected: Bool) throws {
        let clause = try ScopingFilter.Clause(attribute: "a", operator: #require(ScopingFilter.Operator(spelling: op)), value: operand)
        #expect(clause.evaluate(actual.map(Value.string) ?? .null) == expected)
    }

    @Test func scopingGroupsAreOredAndClausesAnded() throws {
        let filter = ScopingFilter(groups: [
            [try .init(attribute: "department", operator: .equals, value: "Sales"), try .init(attribute: "country", operator: .equals, value: "NO")],
            [try .init(attribute: "jobTitle", operator: .includes, value: "Director")],
        ])
        #expect(filter.evaluate(["department": .string("Sales"), "country": .string("NO")]).inScope)
        #expect(!filter.evaluate(["department": .string("Sales"), "country": .string("SE")]).inScope)
        #expect(filter.evaluate(["jobTitle": .string("Sales Director")]).inScope)
    }

    // MARK: Secrets and B2B

    @Test func redactedValuesAreMaskedUnlessAskedFor() throws {
        let set = try Support.mappingSet(Self.upnMatching + """
              - source: Redact([password])
                target: password
            """)
        let user = #"{"userPrincipalName": "a@contoso.com", "password": "S3cret!"}"#
        let masked = try Support.provision(set, user)
        #expect(masked.requests.last?.body?.member("password") == .string("[Redact]"))
        let everything = JSON.array(masked.steps).serialized + (masked.requests.last?.body?.serialized ?? "")
        #expect(!everything.contains("S3cret!"))
        let shown = try Support.provision(set, user, showSecrets: true)
        #expect(shown.requests.last?.body?.member("password") == .string("S3cret!"))
    }

    @Test func guestPrincipalNamesLoseTheirExtSuffix() throws {
        let user = try Support.user(#"{"userPrincipalName": "noor_fabrikam.com#EXT#@contoso.onmicrosoft.com"}"#)
        #expect(user.attributes["userPrincipalName"] == .string("noor@fabrikam.com"))
        #expect(user.attributes["originalUserPrincipalName"] == .string("noor_fabrikam.com#EXT#@contoso.onmicrosoft.com"))
    }

    @Test func anEvaluationErrorIsReportedAtItsPlaceInTheMappingFile() throws {
        let set = try Support.mappingSet(Self.upnMatching + """
              - source: FormatDateTime([hireDate], , "yyyyMMdd", "yyyy-MM-dd")
                target: urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate
            """)
        let outcome = try Support.provision(set, #"{"userPrincipalName": "a@contoso.com", "hireDate": "next week"}"#)
        #expect(outcome.action == .error)
        #expect(outcome.requests.isEmpty)
        #expect(outcome.errors.first?.target == "urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate")
        #expect(outcome.errors.first?.location == "mapping.yaml:5:13")
        #expect(outcome.errors.first?.message.contains("does not match the input format") == true)
    }
}

extension JSON {
    /// The same value with object members sorted by key, for comparisons that ignore order.
    var normalized: JSON {
        switch self {
        case .object(let members): .object(members.map { ($0.0, $0.1.normalized) }.sorted { $0.0 < $1.0 })
        case .array(let elements): .array(elements.map(\.normalized))
        default: self
        }
    }
}
