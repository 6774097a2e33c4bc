import ConnectorWire
import Connectors
import Foundation
import JSONValues
import Logging
import Spawning
import Synchronization

/// One run of a connector's executable: its standard input carries requests, its standard output
/// responses (read by a thread of its own and handed to the request they answer, by id), and its
/// standard error is logged line by line. It ends when the child exits, breaks the protocol or
/// misses a deadline; every request in flight then fails, and the connector starts another.
final class ConnectorProcess: Sendable {
    /// A request waiting for its answer: the pages of an import go to `pages`, the last answer
    /// to the continuation.
    private struct Pending {
        var continuation: CheckedContinuation<WireResponse.Result, any Error>
        var pages: (@Sendable ([WireObject]) -> Void)?
        var timeout: Duration
        /// Its `op`, for the reason of a failure that is the process's, not the program's answer.
        var operation: String
        /// When it fails unanswered: `timeout` after it was sent, or after its last page.
        var deadline: ContinuousClock.Instant
    }

    private struct State {
        var pending: [Int: Pending] = [:]
        var nextID = 0
        /// Why it ended, once it has.
        var ended: ConnectorError?
        /// Set once it is to finish: requests still coming are refused with ``ConnectorProcess/draining``.
        var draining = false
        /// The last answer that matched no request, for the reason of a deadline missed since:
        /// a connector that answers under the wrong id is seen to hang otherwise.
        var stray: String?
    }

    /// What a request meets when the process has ended or is finishing what it has in flight (its
    /// program was replaced, the host shuts down): it was not sent, so it can go to the next process.
    static let draining = ConnectorError(.unavailable, "the connector process has ended or is being replaced")

    let child: ChildProcess
    let name: String
    private let state = Mutex(State())
    private let input = Input()
    private let logger: Logger

    /// Starts `command` and its readers.
    init(name: String, command: [String], environment: [String: String], directory: String?, limit: Int, logger: Logger) throws(ConnectorError) {
        self.name = name
        self.logger = logger
        do {
            child = try ChildProcess(command[0], Array(command.dropFirst()), environment: environment, directory: directory, input: .pipe, output: .pipe, error: .pipe)
        } catch {
            throw ConnectorError(.unavailable, "the connector process cannot start: \(error)")
        }
        let output = child.standardOutput!.fileDescriptor
        let errors = child.standardError!.fileDescriptor
        Thread.detachNewThread { [self] in readResponses(output, limit: limit) }
        Thread.detachNewThread { [self] in readLog(errors) }
        let stdin = child.standardInput!
        Thread.detachNewThread { [input] in
            input.run(stdin) { [weak self] in
                self?.end(ConnectorError(.unavailable, "the connector process does not read its input any more"))
            }
        }
        Task { [self] in await watchDeadlines() }
    }

    /// Sends `operation` and waits for its answer, at most `timeout` (between two pages, for an
    /// import); pages go to `pages` as they come.
    func send(
        _ operation: WireRequest.Operation, timeout: Duration, pages: (@Sendable ([WireObject]) -> Void)? = nil
    ) async throws(ConnectorError) -> WireResponse.Result {
        let result = await outcome {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WireResponse.Result, any Error>) in
                let id: Int? = state.withLock { state in
                    if state.draining, operation.name != "shutdown" { return -1 }
                    if state.ended != nil { return nil }
                    state.nextID += 1
                    state.pending[state.nextID] = Pending(continuation: continuation, pages: pages, timeout: timeout, operation: operation.name, deadline: .now + timeout)
                    return state.nextID
                }
                // Not sent: the caller may send it to the next process.
                guard let id, id != -1 else {
                    continuation.resume(throwing: Self.draining)
                    return
                }
                write(WireRequest(id: id, operation))
            }
        }
        switch result {
        case .success(let result): return result
        case .failure(let error as ConnectorError): throw error
        case .failure(let error): throw ConnectorError(.failed, "\(error)")
        }
    }

    /// Ends the process when a request has gone unanswered (no page, for an import) past its
    /// deadline: a connector that misses one is taken as hung.
    private func watchDeadlines() async {
        while ended == nil {
            try? await Task.sleep(for: .milliseconds(100))
            let now = ContinuousClock.now
            let late = state.withLock { state in state.pending.values.first { $0.deadline < now }.map { ($0.timeout, state.stray) } }
            if let (timeout, stray) = late {
                let seen = stray.map { " (it did send \($0))" } ?? ""
                end(ConnectorError(.timedOut, "the connector did not answer within \(timeout)\(seen); its process is restarted"))
            }
        }
    }

    private func write(_ request: WireRequest) {
        let data: Data
        do {
            data = try WireLines.encode(request)
        } catch {
            fail(request.id, ConnectorError(.failed, "the request cannot be written: \(error)"))
            return
        }
        input.enqueue(data)
    }

    /// The requests on their way to the child's standard input, written in order by a thread of
    /// their own: a child slow to read (its pipe full) holds up that thread, never a caller's.
    final class Input: Sendable {
        private struct Queue {
            var waiting: [Data] = []
            var closed = false
        }

        private let queue = Mutex(Queue())
        private let signal = DispatchSemaphore(value: 0)

        func enqueue(_ data: Data) {
            let accepted = queue.withLock { queue in
                guard !queue.closed else { return false }
                queue.waiting.append(data)
                return true
            }
            if accepted { signal.signal() }
        }

        /// No more writes; the thread ends once it has written what is queued.
        func close() {
            queue.withLock { $0.closed = true }
            signal.signal()
        }

        /// Writes to `handle` until closed, or until a write fails (`failed` is called then).
        func run(_ handle: FileHandle, failed: @escaping @Sendable () -> Void) {
            while true {
                signal.wait()
                let (next, closed): (Data?, Bool) = queue.withLock { queue in
                    (queue.waiting.isEmpty ? nil : queue.waiting.removeFirst(), queue.closed)
                }
                if let next {
                    if (try? handle.write(contentsOf: next)) == nil {
                        queue.withLock { $0.closed = true }
                        failed()
                        return
                    }
                } else if closed {
                    return
                }
            }
        }
    }

    /// Fails the request `id` with `error`; with `naming`, the reason says which request it was
    /// (the program's own errors carry their reason already).
    private func fail(_ id: Int, _ error: ConnectorError, naming: Bool = false) {
        guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
        pending.continuation.resume(throwing: naming ? Self.naming(pending, error) : error)
    }

    /// `error` as the failure of one request: `get failed: the connector process ended (…)`.
    private static func naming(_ pending: Pending, _ error: ConnectorError) -> ConnectorError {
        ConnectorError(error.kind, "\(pending.operation) failed: \(error.message)", retryAfter: error.retryAfter)
    }

    /// Ends the process: every request in flight fails with `error`, the child is stopped.
    func end(_ error: ConnectorError) {
        let pending: [Pending] = state.withLock { state in
            guard state.ended == nil else { return [] }
            state.ended = error
            defer { state.pending = [:] }
            return Array(state.pending.values)
        }
        for request in pending { request.continuation.resume(throwing: Self.naming(request, error)) }
        input.close()
        if child.isRunning {
            logger.warning("connector process stopped", metadata: ["connector": "\(name)", "reason": "\(error.message)"])
            Thread.detachNewThread { [child] in child.stop(grace: 2) }
        }
    }

    /// Why it ended; nil while it serves.
    var ended: ConnectorError? { state.withLock { $0.ended } }

    /// Asks it to finish and exit, then stops it if it has not a few seconds later.
    func shutdown() async {
        // New requests are refused; the ones in flight are answered first (up to a minute).
        state.withLock { $0.draining = true }
        for _ in 0..<3000 where state.withLock({ !$0.pending.isEmpty && $0.ended == nil }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if ended == nil { _ = try? await send(.shutdown, timeout: .seconds(5)) }
        try? child.standardInput?.close()
        for _ in 0..<100 where child.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        end(ConnectorError(.unavailable, "the connector has shut down"))
        child.stop(grace: 2)
    }

    private func readResponses(_ descriptor: Int32, limit: Int) {
        var reader = WireLineReader(descriptor: descriptor, limit: limit)
        while let item = reader.next() {
            switch item {
            case .tooLong(let problem):
                logger.error("connector sent a line that is too long", metadata: ["connector": "\(name)", "problem": "\(problem)"])
                end(ConnectorError(.failed, "the connector broke the protocol: \(problem.message)"))
            case .line(let line):
                if line.isEmpty { continue }
                let response: WireResponse
                do {
                    response = try WireLines.response(line)
                } catch {
                    logger.error("connector sent a line that is not a response", metadata: ["connector": "\(name)", "problem": "\(error)"])
                    let failure = ConnectorError(.failed, "the connector broke the protocol: \(error.message)")
                    if let id = WireLines.id(of: line) { fail(id, failure, naming: true) } else { end(failure) }
                    continue
                }
                deliver(response)
            }
        }
        let termination = child.wait()
        end(ConnectorError(.unavailable, "the connector process ended (\(termination))"))
    }

    private func deliver(_ response: WireResponse) {
        switch response.body {
        case .page(let objects):
            let pages: (@Sendable ([WireObject]) -> Void)? = state.withLock { state in
                guard let timeout = state.pending[response.id]?.timeout else { return nil }
                state.pending[response.id]?.deadline = .now + timeout
                return state.pending[response.id]?.pages
            }
            guard let pages else {
                logger.error("connector sent a page no import asked for", metadata: ["connector": "\(name)", "id": "\(response.id)"])
                state.withLock { $0.stray = "a page for id \(response.id), which no import in flight has" }
                return
            }
            pages(objects)
        case .ok(let result):
            let pending = state.withLock { $0.pending.removeValue(forKey: response.id) }
            guard let pending else {
                logger.error("connector answered a request it was not asked", metadata: ["connector": "\(name)", "id": "\(response.id)"])
                state.withLock { $0.stray = "an answer for id \(response.id), which no request in flight has" }
                return
            }
            pending.continuation.resume(returning: result)
        case .error(let error):
            // The protocol's codes are the kinds' names; an unknown one counts as failed.
            fail(response.id, ConnectorError(ConnectorError.Kind(rawValue: error.code) ?? .failed, error.message, retryAfter: error.retryAfter))
        }
    }


    private func readLog(_ descriptor: Int32) {
        var reader = WireLineReader(descriptor: descriptor, limit: 64 << 10)
        while let item = reader.next() {
            if case .line(let line) = item, !line.isEmpty {
                logger.info("\(String(decoding: line, as: UTF8.self))", metadata: ["connector": "\(name)"])
            }
        }
    }
}
