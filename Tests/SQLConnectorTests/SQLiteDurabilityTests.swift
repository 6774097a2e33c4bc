import Foundation
@testable import SQLConnector
import Testing

/// The embedded store's durability setting, which GRDB's WAL set-up would otherwise override.
struct SQLiteDurabilityTests {
    @Test(arguments: [(SQLiteConnector.Synchronous.normal, 1), (.full, 2)])
    func theWriterCommitsAsChosen(synchronous: SQLiteConnector.Synchronous, pragma: Int) throws {
        let connector = try SQLiteConnector(
            path: SQLiteConnectorTests.temporaryPath("durable.sqlite"), configuration: .embeddedDefault,
            setUp: SQLConfiguration.embeddedDefaultTables, synchronous: synchronous)
        #expect(try connector.writerSynchronous() == pragma)
    }
}
