internal import CSpawning
package import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program started as a child of this process that gets nothing of it but what it is given:
/// standard input, output and error as asked, and every other descriptor closed in the child
/// before the program runs.
///
/// That last part is why this exists beside Foundation's `Process`. SwiftNIO's sockets are not
/// close-on-exec, and `Process` closes in the child only the descriptors open when it looked, so
/// a socket opened meanwhile on another thread went on living in the child: a long-running child
/// (a database server, an application) then held a copy of a connection, and closing it here no
/// longer closed it for the peer.
package final class ChildProcess: Sendable {
    /// Where the child's standard input comes from.
    package enum Input: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe whose writing end is ``standardInput``.
        case pipe
    }

    /// Where the child's standard output or error goes.
    package enum Output: Sendable {
        /// `/dev/null`.
        case null
        /// A pipe whose reading end is ``standardOutput`` (or ``standardError``).
        case pipe
        /// A file, created or truncated.
        case file(String)
        /// This process's own.
        case inherit
        /// For standard error: wherever standard output goes.
        case standardOutput
    }

    /// How the child ended.
    package enum Termination: Equatable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        /// The exit status, or 128 + the signal's number as a shell reports it.
        package var status: Int32 {
            switch self {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        }

        package var description: String {
            switch self {
            case .exited(let code): "exit status \(code)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// The child's process id.
    package let id: Int32
    /// The writing end of its standard input, with ``Input/pipe``.
    package let standardInput: FileHandle?
    /// The reading end of its standard output, with ``Output/pipe``.
    package let standardOutput: FileHandle?
    /// The reading end of its standard error, with ``Output/pipe``.
    package let standardError: FileHandle?
    private let ended = Mutex<Termination?>(nil)

    /// Starts `executable` (a path, or a name looked up in `PATH`) with `arguments`, in
    /// `directory` (this process's when nil), with `environment` (this process's when nil).
    package init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, directory: String? = nil,
        input: Input = .null, output: Output = .null, error: Output = .null
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Descriptors of this process that stay with it: the pipes' other ends. Any failure
        // closes every pipe made so far.
        var ours: [Int32] = []
        var theirs: [Int32] = []
        defer { for descriptor in theirs { close(descriptor) } }
        func pipe() throws -> (read: Int32, write: Int32) {
            var descriptors: [Int32] = [-1, -1]
            guard attrmap_pipe(&descriptors) == 0 else {
                let reason = String(cString: strerror(errno))
                for descriptor in ours { close(descriptor) }
                throw Failure(description: "cannot make a pipe for \(executable): \(reason)")
            }
            return (descriptors[0], descriptors[1])
        }
        var inputEnd: Int32?
        switch input {
        case .null: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .pipe:
            let (read, write) = try pipe()
            ours.append(write)
            theirs.append(read)
            inputEnd = write
            posix_spawn_file_actions_adddup2(&actions, read, 0)
        }
        func direct(_ output: Output, to target: Int32) throws -> Int32? {
            switch output {
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .file(let path): posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .inherit: break
            case .standardOutput: posix_spawn_file_actions_adddup2(&actions, 1, target)
            case .pipe:
                let (read, write) = try pipe()
                ours.append(read)
                theirs.append(write)
                posix_spawn_file_actions_adddup2(&actions, write, target)
                return read
            }
            return nil
        }
        let outputEnd = try direct(output, to: 1)
        let errorEnd = try direct(error, to: 2)
        attrmap_spawn_close_from(&actions, 3)
        if let directory { attrmap_spawn_change_directory(&actions, directory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Nor does it inherit this process's blocked or ignored signals (a test runner's, or the
        // SIGPIPE that ``run(_:_:environment:directory:input:)`` ignores): every signal has its
        // default action and none is blocked.
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for variable in variables { free(variable) } }
        var pid: pid_t = 0
        let spawned = executable.contains("/")
            ? posix_spawn(&pid, executable, &actions, &attributes, argv, variables)
            : posix_spawnp(&pid, executable, &actions, &attributes, argv, variables)
        guard spawned == 0 else {
            for descriptor in ours { close(descriptor) }
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        id = pid
        standardInput = inputEnd.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardOutput = outputEnd.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardError = errorEnd.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
    }

    /// Sends `signal` to the child, unless it has ended.
    package func signal(_ signal: Int32) {
        guard termination == nil else { return }
        kill(id, signal)
    }

    /// How the child ended; nil while it runs.
    package var termination: Termination? {
        if let ended = ended.withLock({ $0 }) { return ended }
        return reap(blocking: false)
    }

    package var isRunning: Bool { termination == nil }

    /// Waits for the child to end.
    @discardableResult
    package func wait() -> Termination {
        if let ended = ended.withLock({ $0 }) { return ended }
        while true {
            if let ended = reap(blocking: true) { return ended }
        }
    }

    /// Stops the child: `SIGTERM`, then `SIGKILL` if it still runs after `grace` seconds.
    @discardableResult
    package func stop(grace: Double = 5) -> Termination {
        signal(SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning, Date() < deadline { usleep(10_000) }
        signal(SIGKILL)
        return wait()
    }

    private func reap(blocking: Bool) -> Termination? {
        var status: Int32 = 0
        let result = waitpid(id, &status, blocking ? 0 : WNOHANG)
        if result == id {
            // WIFSIGNALED / WEXITSTATUS, which Swift does not import as functions.
            let signal = status & 0x7F
            let termination: Termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
            ended.withLock { $0 = termination }
            return termination
        }
        if result == -1, errno == ECHILD {
            // Another thread reaped it: its record is about to be there.
            while true {
                if let ended = ended.withLock({ $0 }) { return ended }
                usleep(1000)
            }
        }
        return nil
    }

    /// Runs `executable` to its end with `input` on its standard input; what it wrote to its
    /// standard output and error.
    package static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, directory: String? = nil, input: [UInt8]? = nil
    ) throws -> (termination: Termination, output: Data, error: Data) {
        let child = try ChildProcess(
            executable, arguments, environment: environment, directory: directory, input: input == nil ? .null : .pipe, output: .pipe, error: .pipe)
        let errors = Collected()
        let reader = errors.reading(child.standardError!)
        if let input, let handle = child.standardInput {
            // A child that exits without reading all of its input makes the write fail, not
            // this process end.
            ignoreBrokenPipes()
            try? handle.write(contentsOf: input)
            try? handle.close()
        }
        var output = Data()
        readToEnd(child.standardOutput!.fileDescriptor) { output.append($0) }
        reader.wait()
        return (child.wait(), output, errors.data)
    }

    /// Bytes a thread reads from a pipe until its end, for a caller to look at as they come.
    package final class Collected: Sendable {
        private let bytes = Mutex(Data())

        package init() {}

        /// Everything read so far.
        package var data: Data { bytes.withLock { $0 } }

        package var text: String { String(decoding: data, as: UTF8.self) }

        /// Starts a thread that appends what `handle` gives until its end.
        @discardableResult
        package func reading(_ handle: FileHandle) -> Reader {
            let reader = Reader()
            let thread = Thread { [self] in
                readToEnd(handle.fileDescriptor) { chunk in self.bytes.withLock { $0.append(chunk) } }
                // The handle lives until its end has been read.
                withExtendedLifetime(handle) {}
                reader.finish()
            }
            thread.start()
            return reader
        }
    }

    /// The end of a ``Collected/reading(_:)`` thread.
    package final class Reader: Sendable {
        private let done = Mutex(false)
        private let condition = NSCondition()

        func finish() {
            condition.lock()
            done.withLock { $0 = true }
            condition.broadcast()
            condition.unlock()
        }

        /// Waits until the pipe has ended.
        package func wait() {
            condition.lock()
            while !done.withLock({ $0 }) { condition.wait() }
            condition.unlock()
        }
    }
}

/// Reads `descriptor` until its end (or an error other than an interruption), handing each
/// chunk to `each` as it comes.
private func readToEnd(_ descriptor: Int32, each: (Data) -> Void) {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { return }
        each(Data(buffer[..<count]))
    }
}

private func ignoreBrokenPipes() {
    _ = signal(SIGPIPE, SIG_IGN)
}
