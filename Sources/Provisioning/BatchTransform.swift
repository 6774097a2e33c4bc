import Dispatch
import Foundation
import JSONValues

/// The batch transform: reads users from files one batch at a time, provisions each batch on all
/// cores, and writes one result per user, in input order. Memory stays bounded by the batch size,
/// whatever the number of users.
public struct BatchTransform: Sendable {
    public let provisioner: Provisioner
    public var format: Format
    public var workers: Int
    public var batchSize = 4096
    /// How CSV inputs' rows become users.
    public var csv = CSVOptions()

    /// One worker per active processor core.
    public static var defaultWorkers: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// How each result is written.
    public enum Format: String, Sendable, CaseIterable {
        /// One JSON object per user and line.
        case ndjson
        /// A readable report.
        case text
    }

    /// A transform that runs `provisioner` on `workers` threads and writes `format`.
    public init(provisioner: Provisioner, format: Format = .ndjson, workers: Int = BatchTransform.defaultWorkers) {
        self.provisioner = provisioner
        self.format = format
        self.workers = max(1, workers)
    }

    /// Counts by action, for the closing summary.
    public struct Summary: Sendable {
        public var users = 0
        public var counts: [Outcome.Action: Int] = [:]
        public var failed: Int { counts[.error] ?? 0 }
        /// Source names that the mapping reads in another case, each with the first file that
        /// holds it, in the order found (empty with ``Provisioner/Options/ignoreAttributeCase``).
        public var misspellings: [(mismatch: AttributeSpelling.Mismatch, file: String)] = []

        mutating func add(_ result: Result, file: String) {
            users += 1
            counts[result.action, default: 0] += 1
            for mismatch in result.misspellings where !misspellings.contains(where: { $0.mismatch == mismatch }) {
                misspellings.append((mismatch, file))
            }
        }
    }

    /// Where the run is, for a progress bar.
    public struct Progress: Sendable {
        public var users: Int
        public var bytesRead: Int
        public var file: String
    }

    /// Transforms every user of `files`, writing each result (UTF-8 bytes) through `write`.
    ///
    /// A pipeline: while the workers provision one batch, this thread writes the results of the
    /// previous batch and reads the next, so reading and writing cost no worker time. Results
    /// are written in input order; at most two batches are in memory.
    public func run(
        files: [String], write: ([UInt8]) -> Void, progress: ((Progress) -> Void)? = nil
    ) throws(UserReaderError) -> Summary {
        var summary = Summary()
        var bytesBefore = 0
        var pending: [Result] = []
        var pendingFile = ""
        func flush() {
            for result in pending {
                summary.add(result, file: pendingFile)
                write(result.text)
            }
            pending = []
        }
        for file in files {
            var reader = try UserReader(path: file, csv: csv)
            var batch = readBatch(&reader)
            while !batch.isEmpty {
                let running = start(batch)
                flush()
                let next = readBatch(&reader)
                pending = running.finish()
                pendingFile = file
                progress?(Progress(users: summary.users + pending.count, bytesRead: bytesBefore + reader.bytesRead, file: file))
                batch = next
            }
            bytesBefore += reader.bytesRead
        }
        flush()
        return summary
    }

    private func readBatch(_ reader: inout UserReader) -> [UserReader.Record] {
        var batch: [UserReader.Record] = []
        batch.reserveCapacity(batchSize)
        while batch.count < batchSize, let record = reader.next() { batch.append(record) }
        return batch
    }

    /// A batch being provisioned on the workers.
    struct RunningBatch {
        let group: DispatchGroup
        let results: ResultSlots

        func finish() -> [Result] {
            group.wait()
            return results.values
        }
    }

    /// Starts provisioning `batch` on `workers` threads and returns at once.
    func start(_ batch: [UserReader.Record]) -> RunningBatch {
        let slices = min(workers, batch.count)
        let results = ResultSlots(count: batch.count)
        let group = DispatchGroup()
        for slice in 0..<slices {
            DispatchQueue.global().async(group: group) {
                let lower = batch.count * slice / slices
                let upper = batch.count * (slice + 1) / slices
                for index in lower..<upper {
                    results.store(transform(batch[index]), at: index)
                }
            }
        }
        return RunningBatch(group: group, results: results)
    }

    /// One user's result: its action, its rendered text, and the source names it spells in
    /// another case than the mapping reads them.
    public struct Result: Sendable {
        public var action: Outcome.Action
        public var text: [UInt8]
        public var misspellings: [AttributeSpelling.Mismatch] = []
    }

    /// One user: parse, provision, render.
    package func transform(_ record: UserReader.Record) -> Result {
        let source = OutcomeReport.Source(file: record.file, index: record.index, line: record.line)
        if let readError = record.readError {
            return failure(source, at: "\(record.file):\(record.line):\(record.column)", readError)
        }
        let json: JSON
        do {
            json = try JSON.parse(record.bytes)
        } catch {
            let line = record.line + error.line - 1
            let column = error.line == 1 ? record.column + error.column - 1 : error.column
            return failure(source, at: "\(record.file):\(line):\(column)", "invalid JSON: \(error.message)")
        }
        let user: SourceUser
        let ignoreCase = provisioner.options.ignoreAttributeCase
        do {
            user = try SourceUser(json: json, respelling: ignoreCase ? provisioner.spelling : nil)
        } catch {
            return failure(source, at: "\(record.file):\(record.line):\(record.column)", error.message)
        }
        var identified = source
        identified.id = user.identity
        let outcome = provisioner.provision(user)
        let misspellings = ignoreCase ? [] : provisioner.spelling.mismatches(in: user.attributes.keys)
        return Result(action: outcome.action, text: OutcomeReport(source: identified, outcome: outcome).render(format), misspellings: misspellings)
    }

    private func failure(_ source: OutcomeReport.Source, at location: String, _ message: String) -> Result {
        var outcome = Outcome(action: .error)
        outcome.errors = [Outcome.Problem(message: message, location: location)]
        return Result(action: .error, text: OutcomeReport(source: source, outcome: outcome).render(format))
    }
}

/// Slots written by several threads, each at its own index.
/// Each index is written by exactly one thread, and read only after all threads have finished.
final class ResultSlots: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<BatchTransform.Result>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: BatchTransform.Result(action: .skip, text: []))
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    func store(_ result: BatchTransform.Result, at index: Int) {
        storage[index] = result
    }

    var values: [BatchTransform.Result] { Array(storage) }
}
