import ArgumentParser

/// The `attrmap` command: try, lint and test Microsoft Entra attribute mappings offline, and see the
/// SCIM requests they produce.
@main
struct Attrmap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attrmap",
        abstract: "Evaluate, lint and test Microsoft Entra attribute mappings offline, and see the SCIM requests they produce.",
        discussion: """
            Examples:
              attrmap eval 'ToUpper(Word([userPrincipalName], 1, "@"), )' --set userPrincipalName=alice@contoso.com
              attrmap eval 'Join(" ", [givenName], [surname])' --user Examples/quick-start/alice.json
              attrmap check 'IIF([country]="US", "United States", [country]'
              attrmap check --mapping Examples/quick-start/mapping.yaml
              attrmap transform --mapping Examples/quick-start/mapping.yaml Examples/quick-start/users.json --format text
              attrmap repl --user Examples/quick-start/alice.json --mapping Examples/quick-start/mapping.yaml
              attrmap test Examples/quick-start/cases.json

            Exit codes: 0 success, 1 failure (a test or a check failed, an evaluation error, a user that could not be transformed), 64 usage error, 65 invalid expression, mapping file or input data.
            """,
        version: "0.1.0",
        subcommands: [Eval.self, Check.self, Transform.self, Repl.self, Serve.self, Cert.self, WebService.self, Discover.self, ConnectorCommand.self, Import.self, Test.self, Functions.self]
    )
}
