import ArgumentParser

/// The `attrmap` command: try, lint and test Microsoft Entra attribute-mapping expressions offline.
@main
struct Attrmap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attrmap",
        abstract: "Evaluate, lint and test Microsoft Entra attribute-mapping expressions offline.",
        discussion: """
            Examples:
              attrmap eval 'ToUpper(Word([userPrincipalName], 1, "@"), )' --set userPrincipalName=alice@contoso.com
              attrmap eval 'Join(" ", [givenName], [surname])' --user Examples/quick-start/alice.json
              attrmap check 'IIF([country]="US", "United States", [country]'
              attrmap test Examples/quick-start/cases.json

            Exit codes: 0 success, 1 failure (a test or a check failed, an evaluation error), 64 usage error, 65 invalid expression or input data.
            """,
        version: "0.1.0",
        subcommands: [Eval.self, Check.self, Transform.self, Repl.self, Test.self, Functions.self]
    )
}
