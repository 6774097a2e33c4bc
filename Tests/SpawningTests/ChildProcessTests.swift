import Foundation
import Spawning
import Testing

/// Children started with exactly the descriptors they are given, their output and their end.
@Suite struct ChildProcessTests {
    @Test func aChildInheritsNoDescriptorButItsStandardThree() throws {
        // A socket and a pipe made the way SwiftNIO makes its sockets: not close-on-exec.
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { for descriptor in [socketDescriptor] + ends { close(descriptor) } }
        #expect(socketDescriptor >= 0)
        let child = try ChildProcess("/bin/sleep", ["10"])
        defer { child.stop(grace: 0) }
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(child.id)/fd").compactMap(Int.init).sorted()
        #expect(open == [0, 1, 2])
    }

    @Test func outputErrorAndInputGoWhereTheyAreAsked() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attrmap-spawn-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let script = #"read line; echo "out $line $GREETING $(pwd)"; echo "err" >&2; exit 3"#
        let ran = try ChildProcess.run("/bin/sh", ["-c", script], environment: ["GREETING": "hello", "PATH": "/usr/bin:/bin"], directory: folder, input: Array("ann\n".utf8))
        #expect(ran.termination == .exited(3))
        #expect(String(decoding: ran.output, as: UTF8.self) == "out ann hello \(folder)\n")
        #expect(String(decoding: ran.error, as: UTF8.self) == "err\n")

        // Standard error into standard output, both into a file.
        let child = try ChildProcess("/bin/sh", ["-c", "echo one; echo two >&2"], output: .file(folder + "/log"), error: .standardOutput)
        #expect(child.wait() == .exited(0))
        #expect(try String(contentsOfFile: folder + "/log", encoding: .utf8) == "one\ntwo\n")
    }

    @Test func aStoppedChildEndsBySignalAndItsEndIsKept() throws {
        let child = try ChildProcess("/bin/sleep", ["30"])
        #expect(child.isRunning)
        #expect(child.stop(grace: 5) == .signalled(SIGTERM))
        #expect(child.termination == .signalled(SIGTERM))
        #expect(child.wait().status == 128 + SIGTERM)
        // A signal to a child that has ended goes nowhere.
        child.signal(SIGKILL)
        #expect(!child.isRunning)
    }

    @Test func aSignalIgnoredHereHasItsDefaultActionInTheChild() throws {
        let before = signal(SIGHUP, SIG_IGN)
        defer { signal(SIGHUP, before) }
        let child = try ChildProcess("/bin/sleep", ["30"])
        child.signal(SIGHUP)
        #expect(child.wait() == .signalled(SIGHUP))
    }

    @Test func aProgramThatCannotStartIsAnErrorNamingIt() {
        #expect {
            try ChildProcess("/nonexistent/program")
        } throws: { error in
            "\(error)".contains("cannot start /nonexistent/program")
        }
    }
}
