import Foundation
@testable import SQLConnector
import Testing

/// The embedded store's durability setting, which GRDB's WAL set-up would otherwise lower.
struct SQLiteDurabilityTests {
    @Test func everyCommitIsSyncedToDisk() throws {
        let connector = try SQLiteConnector(
            path: ConnectorSuiteTests.temporaryPath("durable.sqlite"), configuration: .embeddedDefault,
            setUp: SQLConfiguration.embeddedDefaultTables)
        #expect(try connector.writerSynchronous() == 2)
    }
}
