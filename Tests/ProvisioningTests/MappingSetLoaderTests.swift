import Foundation
import JSONValues
import MappingExpressions
import Provisioning
import SCIM
import Testing

struct MappingSetLoaderTests {
    @Test func readsTheQuickStartMappingSet() throws {
        let path = Support.packageRoot.appendingPathComponent("Examples/quick-start/mapping.yaml").path
        let result = try MappingSetLoader().load(path: path)
        #expect(result.diagnostics.isEmpty)
        let set = try #require(result.mappingSet)
        #expect(set.mappings.map(\.targetText) == [
            "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:userName",
            "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:export_password",
            "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:city",
            "urn:ietf:params:scim:schemas:extension:ECMA2Host:2.0:User:expirationTime",
        ])
        #expect(set.mappings.map(\.kind) == [.expression, .expression, .direct, .expression])
        #expect(set.mappings.map(\.apply) == [.onCreate, .onCreate, .always, .always])
        #expect(set.mappings[0].matchingPrecedence == 1)
        #expect(set.mappings[1].isSecret)
        #expect(set.profile == .legacy)
        #expect(set.usesSoftDelete)
    }

    /// Each diagnostic as `line:col id`, in file order.
    static func located(_ text: String, schema: Set<String>? = nil) -> [String] {
        let result = MappingSetLoader(options: CompileOptions(schema: schema)).load(text: text, name: "m.yaml")
        return result.diagnostics.map { "\($0.location) \($0.diagnostic.id)" }
    }

    @Test func expressionErrorsPointIntoTheYAMLFile() {
        let yaml = """
            mappings:
              - source: ToUpper(Word([userPrincipalName], 1, "@")
                target: userName
                matchingPrecedence: 1
              - source: 'Join(" ", [givenName], [surnam])'
                target: name.formatted
              - source: "IIF([a]=\\"x\\", [b], [c]"
                target: title
            """
        #expect(Self.located(yaml, schema: ["userPrincipalName", "givenName", "surname", "a", "b", "c"]) == [
            "2:54 parse.expectedClosingParen",
            "5:37 check.unknownAttribute",
            // Inside an escaped double-quoted string, columns are still those of the file.
            "7:37 parse.expectedClosingParen",
        ])
    }

    @Test func theRenderedDiagnosticShowsTheMappingFileLine() throws {
        let result = MappingSetLoader().load(text: "mappings:\n  - source: Lenght([x])\n    target: userName\n    matchingPrecedence: 1\n", name: "m.yaml")
        let item = try #require(result.diagnostics.first)
        let rendered = DiagnosticRenderer().render(item.diagnostic, in: item.source)
        #expect(rendered.contains(" --> m.yaml:2:13"))
        #expect(rendered.contains("2 |   - source: Lenght([x])"))
        #expect(rendered.contains("  |             ^^^^^^"))
    }

    @Test func setLevelProblemsAreLocated() {
        let yaml = """
            profile: modern
            mappings:
              - source: "[userPrincipalName]"
                target: userName
                matchingPrecedence: 1
              - source: "[mail]"
                target: USERNAME
                matchingPrecedence: 1
              - source: SelectUniqueValue([a], [b])
                target: nickName
                matchingPrecedence: 2
              - source: "[x]"
                target: id
              - source: "[y]"
                target: emails[type eq "work"
                apply: sometimes
                colour: blue
            scope:
              - {attribute: department, operator: LIKE, value: Sales}
              - {attribute: employeeId, operator: Greater_Than, value: ten}
            """
        #expect(Self.located(yaml) == [
            "1:10 mapping.invalidValue",
            "7:13 mapping.duplicateTarget",
            "8:25 mapping.duplicatePrecedence",
            "9:13 mapping.selectUniqueValueMatching",
            "9:13 mapping.selectUniqueValueNotOnCreate",
            "13:13 mapping.targetIsID",
            "15:34 mapping.invalidTarget",
            "16:12 mapping.invalidValue",
            "17:5 mapping.unknownKey",
            "19:39 mapping.invalidScope",
            "20:60 mapping.invalidScope",
        ])
    }

    @Test func aSetWithoutMatchingAttributeIsAnError() {
        #expect(Self.located("mappings:\n  - source: \"[a]\"\n    target: userName\n") == ["2:3 mapping.noMatchingAttribute"])
    }

    @Test func yamlSyntaxErrorsAreLocated() {
        #expect(Self.located("mappings:\n  - source: [a\n    target: x\n").first?.hasSuffix("mapping.syntax") == true)
        #expect(Self.located("just a string") == ["1:1 mapping.invalidDocument"])
    }

    @Test func readsTheNativeFormatWrittenAsJSON() throws {
        let json = #"""
            {"profile": "compliant",
             "mappings": [
               {"source": "[userPrincipalName]", "target": "userName", "matchingPrecedence": 1},
               {"target": "title", "default": "Staff"}
             ],
             "scope": [[{"attribute": "accountEnabled", "operator": "IS TRUE"}]]}
            """#
        let result = MappingSetLoader().load(text: json, name: "m.json")
        let set = try #require(result.mappingSet, "\(result.diagnostics.map(\.diagnostic.message))")
        #expect(set.profile == .compliant)
        #expect(set.mappings[1].kind == .none)
        #expect(set.mappings[1].defaultValue == "Staff")
        #expect(set.scope?.groups.first?.first?.operator == .isTrue)
    }

    @Test func readsEntrasExportedProvisioningConfiguration() throws {
        let path = Support.packageRoot.appendingPathComponent("Fixtures/graph-export.json").path
        let result = try MappingSetLoader().load(path: path)
        #expect(result.diagnostics.isEmpty)
        let set = try #require(result.mappingSet)
        // The user object mapping only: the group mapping is not read.
        #expect(set.mappings.count == 9)
        #expect(set.matchingMappings.map(\.targetText) == ["userName", #"emails[type eq "work"].value"#])
        let externalId = try #require(set.mappings.first { $0.targetText == "externalId" })
        #expect(externalId.apply == .onCreate)
        // A source given only as a tree is rebuilt into an expression.
        #expect(externalId.sourceText == #"Join(".", [givenName], [surname])"#)
        #expect(set.mappings.first { $0.targetText == "name.givenName" }?.sourceText == "[givenName]")
        #expect(set.mappings.first { $0.targetText == "title" }?.defaultValue == "Staff")
        let scope = try #require(set.scope)
        #expect(scope.groups.map(\.count) == [2, 1])
        #expect(scope.groups[0][1].operator == .isNotNull)
        #expect(scope.groups[1][0].operator == .endsWith)

        let outcome = Provisioner(mappingSet: set).provision(try Support.user(
            #"{"userPrincipalName": "ann@sales.contoso.com", "mail": "ann@contoso.com", "givenName": "Ann", "surname": "Lee"}"#))
        #expect(outcome.action == .create)
        let body = try #require(outcome.requests.last?.body)
        #expect(body.member("externalId") == .string("Ann.Lee"))
        #expect(body.member("active") == .bool(true))
        #expect(body.member("title") == .string("Staff"))
        let outOfScope = Provisioner(mappingSet: set).provision(try Support.user(#"{"userPrincipalName": "bob@contoso.com"}"#))
        #expect(outOfScope.action == .skip)
    }
}
