import MappingExpressions
import Testing

struct EvaluatorTests {
    func evaluate(_ text: String, _ attributes: [String: Value] = [:], dialect: Dialect = .provisioning) throws -> Value {
        try CompiledExpression(text, options: CompileOptions(dialect: dialect)).evaluate(EvaluationContext(attributes: attributes))
    }

    @Test func nullIsDistinctFromEmpty() throws {
        #expect(try evaluate("[missing]") == .null)
        #expect(try evaluate("IsNull([a])", ["a": ""]) == .boolean(false))
        #expect(try evaluate("IsNullOrEmpty([a])", ["a": ""]) == .boolean(true))
        #expect(try evaluate("Coalesce([a], [b])", ["a": "", "b": "x"]) == .string(""))
        #expect(try evaluate("Coalesce([a], [b], \"default\")") == .string("default"))
    }

    @Test func branchesAreLazy() throws {
        // The untaken branch would fail: Item index out of range.
        #expect(try evaluate("IIF([a]=\"x\", \"ok\", Item([list], 9))", ["a": "x", "list": ["1"]]) == "ok")
        #expect(try evaluate("Switch([a], Item([list], 9), \"x\", \"ok\")", ["a": "x", "list": ["1"]]) == "ok")
        #expect(try evaluate("IIF(IsPresent([n]), [n], Error(\"n is required\"))", ["n": "v"], dialect: .cloudSync) == "v")
    }

    @Test func switchTreatsNullAsEmpty() throws {
        #expect(try evaluate("Switch([a], \"default\", \"\", \"empty\")") == "empty")
        #expect(try evaluate("Switch([a], , \"x\", \"y\")", ["a": "z"]) == .null)
    }

    @Test func comparisonsAreNumericWhenBothSidesAreIntegers() throws {
        #expect(try evaluate("IIF([a]=1, \"one\", \"other\")", ["a": "1"]) == "one")
        #expect(try evaluate("IIF([a] > 9, \"big\", \"small\")", ["a": "10"]) == "big")
        #expect(try evaluate("IIF([a] > \"9\", \"after\", \"before\")", ["a": "10a"]) == "before")
        #expect(try evaluate("CBool([a] <> [b])", ["a": "x", "b": "X"]) == .boolean(true))
    }

    @Test func flowDirectives() throws {
        #expect(try evaluate("IgnoreFlowIfNullOrEmpty([a])") == .ignoreFlow)
        #expect(try evaluate("Join(\"-\", [a], IgnoreAttributeFlow)", ["a": "x"]) == .ignoreFlow)
        #expect(try evaluate("IIF([a]=\"x\", IgnoreObjectFlow, \"keep\")", ["a": "x"]) == .ignoreObjectFlow)
    }

    @Test func multiValuedValues() throws {
        let list: Value = ["SMTP:a@x.com", "smtp:b@x.com", "SMTP:a@x.com"]
        #expect(try evaluate("Count([p])", ["p": list]) == .number(3))
        #expect(try evaluate("Join(\";\", RemoveDuplicates([p]))", ["p": list]) == "SMTP:a@x.com;smtp:b@x.com")
        #expect(try evaluate("Item([p], 2)", ["p": list]) == "smtp:b@x.com")
        #expect(try evaluate("ToLower([p])", ["p": list]) == ["smtp:a@x.com", "smtp:b@x.com", "smtp:a@x.com"])
        let error = try #require(throws: EvaluationError.self) { try evaluate("Left([p], 2)", ["p": list]) }
        #expect(error.id == .evalMultiValuedArgument)
    }

    @Test func evaluationErrorsCarryTheRangeOfTheFailingCall() throws {
        let text = "Join(\"\", \"a\", Item([p], 5))"
        let error = try #require(throws: EvaluationError.self) { try evaluate(text, ["p": ["1"]]) }
        #expect(error.id == .evalIndexOutOfRange)
        let source = SourceFile(text: text)
        #expect(source.text(in: error.range) == "Item([p], 5)")
    }

    @Test func injectedSources() throws {
        let guid = try CompiledExpression("Join(\"|\", Guid(), Guid())")
        let context = EvaluationContext(guids: .sequence(["one", "two"]))
        #expect(try guid.evaluate(context) == "one|two")

        let random = try CompiledExpression("RandomString(12, 3, 2, 2, 2, \"0O1lI\")")
        let first = try random.evaluate(EvaluationContext(random: .seeded(7)))
        let again = try random.evaluate(EvaluationContext(random: .seeded(7)))
        #expect(first == again)
        let text = try #require(first.text)
        #expect(text.count == 12)
        #expect(text.filter(\.isNumber).count >= 3)
        #expect(text.filter(\.isUppercase).count >= 2)
        #expect(!text.contains { "0O1lI".contains($0) })

        let unique = try CompiledExpression("SelectUniqueValue(\"a\", \"b\", \"c\")")
        #expect(try unique.evaluate(EvaluationContext().withExistingValues(["a", "b"])) == "c")
        #expect(throws: EvaluationError.self) { try unique.evaluate(EvaluationContext().withExistingValues(["a", "b", "c"])) }
    }

    @Test func constantsFoldButImpureCallsDoNot() throws {
        let expression = try CompiledExpression("Join(\"-\", Guid(), ToUpper(\"abc\"))")
        let a = try expression.evaluate(EvaluationContext(guids: .sequence(["1"])))
        let b = try expression.evaluate(EvaluationContext(guids: .sequence(["2"])))
        #expect(a == "1-ABC")
        #expect(b == "2-ABC")
    }

    @Test func caseMappingFollowsDotNet() throws {
        #expect(try evaluate("ToUpper(\"straße\")") == "STRAßE")
        #expect(try evaluate("ToUpper(\"istanbul\", \"tr-TR\")") == "İSTANBUL")
        #expect(try evaluate("ToLower(\"ÉCOLE\")") == "école")
        #expect(try evaluate("PCase(\"john o'neil-smith\")") == "John O'neil-Smith")
    }

    @Test func textPositionsCountUTF16CodeUnits() throws {
        #expect(try evaluate("Mid(\"a😀b\", 4, 1)") == "b")
        #expect(try evaluate("InStr(\"a😀b\", \"b\")") == .number(4))
        #expect(try evaluate("Left(\"Zoë\", 2)") == "Zo")
        #expect(try evaluate("Mid(\"abc\", 0, 2)") == "ab")
        #expect(try evaluate("Mid(\"abc\", 5, 2)") == "")
    }

    @Test func compiledExpressionsAreSafeToShareAcrossThreads() async throws {
        let expression = try CompiledExpression("ToUpper(Join(\".\", [a], Replace([b], , \"(\\\\d+)\", , \"#$1\", , )))")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    for round in 0..<200 {
                        let value = try expression.evaluate(attributes: ["a": .string("n\(index)"), "b": .string("x\(round)")])
                        #expect(value == .string("N\(index).X#\(round)"))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}

extension EvaluatorTests {
    @Test func errorsInsideReplaceKeepTheirOwnRange() throws {
        let text = "Replace(Item([p], 4), \"a\", , , \"b\", , )"
        let error = try #require(throws: EvaluationError.self) { try evaluate(text, ["p": ["1"]]) }
        #expect(SourceFile(text: text).text(in: error.range) == "Item([p], 4)")
    }
}
