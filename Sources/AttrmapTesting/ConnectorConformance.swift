@_exported import ConformanceSuite
package import Testing

extension ConnectorConformance {
    /// Runs every check against `subject`, in order, on the one store; each failed expectation
    /// is a test issue at the caller's line, named by its check.
    package static func check(_ subject: Subject, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for outcome in await run(subject) {
            for failure in outcome.failures {
                Issue.record("\(outcome.check): \(failure)", sourceLocation: sourceLocation)
            }
        }
    }
}
