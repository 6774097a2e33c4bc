package import GRDB
import Synchronization

/// Writes to an SQLite database, each committed before its call returns; writes that arrive
/// while the writer is busy are committed together (group commit): each in its own savepoint,
/// so that one failing leaves the others, and one commit (one synchronisation to disk, as the
/// database's `synchronous` setting asks) for all of them.
package final class GroupCommit: Sendable {
    private let pool: DatabasePool
    private let commits = Atomic<Int>(0)

    /// Writes through `pool`'s writer.
    package init(pool: DatabasePool) {
        self.pool = pool
    }

    /// The commits since the last time this was asked (for a checkpointer: whether there is work).
    package func takeCommits() -> Int {
        commits.exchange(0, ordering: .relaxed)
    }

    /// Runs `body` in a transaction of its own or shared with others waiting, committed before
    /// this returns; its error, or the commit's, is thrown.
    package func write(_ body: @escaping @Sendable (Database) throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let starts = queue.withLock { queue in
                queue.writes.append(Write(body: body, continuation: continuation))
                defer { queue.draining = true }
                return !queue.draining
            }
            if starts { pool.asyncWriteWithoutTransaction { db in self.drain(db) } }
        }
    }

    private struct Write: Sendable {
        var body: @Sendable (Database) throws -> Void
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// Writes waiting for the writer, and whether the writer is draining them.
    private let queue = Mutex<(writes: [Write], draining: Bool)>(([], false))

    /// On the writer: commits the waiting writes, batch after batch, until none is left.
    private func drain(_ db: Database) {
        while true {
            let batch = queue.withLock { queue in
                defer { queue.writes = [] }
                if queue.writes.isEmpty { queue.draining = false }
                return queue.writes
            }
            if batch.isEmpty { return }
            var results = [Result<Void, any Error>](repeating: .success(()), count: batch.count)
            // Transaction control through prepared statements: this runs for every batch.
            func run(_ sql: String) throws { try db.cachedStatement(sql: sql).execute() }
            do {
                try run("BEGIN IMMEDIATE")
                do {
                    if batch.count == 1 {
                        try batch[0].body(db)
                    } else {
                        for (index, write) in batch.enumerated() {
                            try run("SAVEPOINT groupwrite")
                            do {
                                try write.body(db)
                            } catch {
                                results[index] = .failure(error)
                                try run("ROLLBACK TO groupwrite")
                            }
                            try run("RELEASE groupwrite")
                        }
                    }
                    try run("COMMIT")
                } catch {
                    if db.isInsideTransaction { try? run("ROLLBACK") }
                    throw error
                }
            } catch {
                // The commit (or the only write) failed: nothing of the batch was written.
                results = Array(repeating: .failure(error), count: batch.count)
            }
            commits.add(1, ordering: .relaxed)
            for (write, result) in zip(batch, results) { write.continuation.resume(with: result) }
        }
    }
}
