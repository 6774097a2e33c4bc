import ArgumentParser
import ECMAImport
import Foundation

extension Attrmap {
    /// `attrmap import`: configurations of other tools, converted.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert the configuration of another tool into attrmap's.",
            subcommands: [ECMA.self])
    }
}

extension Attrmap.Import {
    struct ECMA: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ecma",
            abstract: "Turn an exported ECMA Connector Host or MIM connector configuration (XML) into an attrmap serve configuration.",
            discussion: """
                The export's connectors (Configuration/Connectors/Connector) become entries of attrmap serve --config, by \
                their extension library (ECMAConfig/LibraryName):
                  generic SQL        an SQL connector entry: the connection string's PostgreSQL or SQLite database, the \
                table, the anchor, the insert, update, delete and import queries as statements
                  web services       a webservice entry and a starter template (NAME.yaml) with the connection and schema; \
                the .wsconfig project's workflows cannot be read, so its operations are to be written
                  any other DLL      a process connector entry whose command is to be filled in; the export's parameters \
                become its settings, sent in hello
                and for each: the name (ECMAConfig/ProfileName), deprovisioning flows, DN template, autosync timer.

                No secret is written. The secret token and every encrypted parameter become ${VARIABLE} references \
                (ATTRMAP_<NAME>_TOKEN, …), listed at the top of the configuration and in the report. Every setting that is not \
                carried over is reported as FILE:LINE:COLUMN: note: … on standard error, and listed in the configuration's comments.

                The configuration goes to standard output, or to --output FILE; a web services template goes beside it (in the \
                current folder for standard output). Existing files are not replaced without --force. Check the result with \
                attrmap serve --config FILE --check.

                Exit codes: 0 converted (notes or not), 1 a file could not be written, 65 the file is not an export that can be read.

                Examples:
                  attrmap import ecma Examples/ecma-import/generic-sql.xml
                  attrmap import ecma hr-export.xml --output serve.yaml && attrmap serve --config serve.yaml --check
                """)

        @Argument(help: ArgumentHelp("The exported configuration (XML).", valueName: "file"))
        var file: String

        @Option(name: .shortAndLong, help: ArgumentHelp("Write the configuration to this file instead of standard output.", valueName: "file"))
        var output: String?

        @Flag(name: .long, help: "Replace files that exist.")
        var force = false

        func run() async throws {
            try await reportingFailures {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CommandFailure("cannot read \(file)", exitCode: ExitCode(66))
                }
                let export: ECMAExport
                do {
                    export = try ECMAExport.read(Array(data), name: file)
                } catch {
                    throw CommandFailure("\(error)", exitCode: .dataError)
                }
                let conversion = ECMAConversion.convert(export, source: (file as NSString).lastPathComponent)
                let folder = output.map { ($0 as NSString).deletingLastPathComponent } ?? ""
                var writes = conversion.files.map { (path: folder.isEmpty ? $0.name : (folder as NSString).appendingPathComponent($0.name), text: $0.text) }
                if let output { writes.insert((output, conversion.configuration), at: 0) }
                if !force, let existing = writes.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
                    throw CommandFailure("\(existing.path) exists; give --force to replace it")
                }
                for write in writes {
                    do {
                        try write.text.write(toFile: write.path, atomically: true, encoding: .utf8)
                    } catch {
                        throw CommandFailure("cannot write \(write.path): \(error.localizedDescription)")
                    }
                }
                for note in conversion.notes {
                    let place = note.location.map { "\(file):\($0.line):\($0.column)" } ?? file
                    Terminal.writeError("\(place): note: \(note.message)\n")
                }
                if output == nil { print(conversion.configuration, terminator: "") }
                let written = writes.map(\.path)
                let connectors = export.connectors.count
                Terminal.writeError(
                    "attrmap: converted \(connectors) connector\(connectors == 1 ? "" : "s")\(written.isEmpty ? "" : " into \(written.joined(separator: ", "))"); \(conversion.notes.count) note\(conversion.notes.count == 1 ? "" : "s"), \(conversion.variables.count) variable\(conversion.variables.count == 1 ? "" : "s") to set: \(conversion.variables.map(\.name).joined(separator: ", "))\n")
            }
        }
    }
}
