import Foundation

/// An ECMA or MIM export turned into an `attrmap serve` configuration: the generic SQL connector
/// becomes an SQL connector entry, the web services connector a `webservice:` entry with a
/// starter template whose operations are to be filled in, and any other extension DLL a
/// `process:` entry whose command is to be filled in.
///
/// Nothing secret is written: the export's secret token and every encrypted parameter become
/// `${VARIABLE}` references, named in the result. Every setting that is not carried over is a
/// note at its place in the export.
package struct ECMAConversion: Sendable {
    /// The configuration file's text (YAML).
    package var configuration: String
    /// Other files to write beside it: a web services connector's starter template.
    package var files: [(name: String, text: String)]
    package var notes: [Note]
    /// The variables the configuration reads, and what each is to hold.
    package var variables: [(name: String, meaning: String)]

    package struct Note: Sendable, CustomStringConvertible {
        package var location: ECMAExport.Location?
        package var message: String
        package var description: String { location.map { "\($0): \(message)" } ?? message }
    }

    /// The kinds of connector an export names, by its extension library.
    package enum Library: Sendable, Equatable {
        /// Generic SQL, web services, or any other extension DLL (a process connector).
        case genericSQL, webServices, other

        init(_ name: String?) {
            let name = (name ?? "").lowercased()
            if name.contains("genericsql") {
                self = .genericSQL
            } else if name.contains("webservice") {
                self = .webServices
            } else {
                self = .other
            }
        }
    }

    /// Converts `export` (read from the file `source`, named in the output's comments).
    package static func convert(_ export: ECMAExport, source: String) -> ECMAConversion {
        var conversion = ECMAConversion(configuration: "", files: [], notes: [], variables: [])
        var entries: [String] = []
        var used: Set<String> = []
        for (index, connector) in export.connectors.enumerated() {
            var name = identifier(connector.name ?? "APP\(index + 1)")
            while used.contains(name) { name += "_\(index + 1)" }
            used.insert(name)
            // A process connector serves one partition an entry (the ECMA host served one in all).
            let partitions: [String?] = Library(connector.library) == .other && connector.partitions.count > 1 ? connector.partitions.map(\.name) : [nil]
            for partition in partitions {
                var writer = EntryWriter(connector: connector, name: name, partition: partition)
                writer.write()
                entries.append(writer.lines.joined(separator: "\n"))
                for note in writer.notes where !conversion.notes.contains(where: { $0.location == note.location && $0.message == note.message }) {
                    conversion.notes.append(note)
                }
                for variable in writer.variables where !conversion.variables.contains(where: { $0.name == variable.name }) {
                    conversion.variables.append(variable)
                }
                conversion.files += writer.files
            }
        }
        conversion.notes.sort { ($0.location?.line ?? 0, $0.location?.column ?? 0) < ($1.location?.line ?? 0, $1.location?.column ?? 0) }
        var header = ["# attrmap serve configuration converted from \(source) by attrmap import ecma."]
        if !conversion.variables.isEmpty {
            header.append("# Set these variables in attrmap serve's environment; the export's values are not carried over:")
            let width = conversion.variables.map(\.name.count).max() ?? 0
            for variable in conversion.variables {
                header.append("#   \(variable.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(variable.meaning)")
            }
        }
        if !conversion.notes.isEmpty {
            header.append("# Not carried over, or to be checked (line:column in \(source)):")
            for note in conversion.notes { header.append("#   \(note)") }
        }
        conversion.configuration = (header + ["connectors:"] + entries).joined(separator: "\n") + "\n"
        return conversion
    }

    /// A name fit for the host's URL and for a variable: letters, digits and `_`.
    static func identifier(_ text: String) -> String {
        let mapped = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        return mapped.isEmpty ? "APP" : mapped
    }

    /// One connector's entry, its notes and variables.
    struct EntryWriter {
        let connector: ECMAExport.Connector
        let library: Library
        /// The connector's name in the notes and its variables.
        let name: String
        /// The partition this entry serves, when the connector has several; else nil.
        let partition: String?
        /// The entry's name: the connector's, with the partition's when there are several.
        var entryName: String { partition.map { "\(name)_\(ECMAConversion.identifier($0))" } ?? name }
        var lines: [String] = []
        var notes: [Note] = []
        var variables: [(name: String, meaning: String)] = []
        var files: [(name: String, text: String)] = []
        /// The parameters read; the others are reported as not carried over.
        var consumed: Set<String> = []

        init(connector: ECMAExport.Connector, name: String, partition: String?) {
            self.connector = connector
            library = Library(connector.library)
            self.name = name
            self.partition = partition
        }

        mutating func note(_ location: ECMAExport.Location?, _ message: String) {
            notes.append(Note(location: location, message: "\(name): \(message)"))
        }

        /// A variable for a secret, and its mention.
        mutating func variable(_ suffix: String, _ meaning: String) -> String {
            let variable = "ATTRMAP_\(name.uppercased())_\(ECMAConversion.identifier(suffix).uppercased())"
            if !variables.contains(where: { $0.name == variable }) { variables.append((variable, meaning)) }
            return "${\(variable)}"
        }

        /// The parameter of any of `names`, marked as carried over.
        mutating func take(_ names: String...) -> ECMAExport.Parameter? {
            guard let parameter = connector.parameter(names) else { return nil }
            consumed.insert(parameter.name.lowercased())
            return parameter
        }

        mutating func write() {
            lines.append("  - name: \(entryName)")
            let token = variable(partition.map { "\(ECMAConversion.identifier($0))_TOKEN" } ?? "TOKEN", "the secret token Entra's provisioning sends as its bearer token\(partition.map { " for the partition \($0)" } ?? "") (ECMAConfig/SecretToken)")
            lines.append("    token: \(YAMLText.quoted(token))")
            if let secret = connector.secretToken {
                note(secret, "the secret token is encrypted in the export and not carried over: set \(partition == nil ? "\(token.dropFirst(2).dropLast())" : "each entry's ATTRMAP_…_TOKEN") to it, or to a new one given to Entra")
            }
            switch library {
            case .genericSQL: writeSQL()
            case .webServices: writeWebServices()
            case .other: writeProcess()
            }
            writeHostSettings()
            for parameter in connector.parameters where !consumed.contains(parameter.name.lowercased()) {
                if parameter.encrypted {
                    note(parameter.location, "the encrypted parameter '\(parameter.name)' is not carried over (no setting of attrmap takes it)")
                } else {
                    let value = parameter.value.map { " = \(YAMLText.quoted($0))" } ?? ""
                    note(parameter.location, "the parameter '\(parameter.name)'\(value) is not carried over")
                }
            }
        }

        // MARK: Generic SQL

        mutating func writeSQL() {
            let user = take("User Name", "UserName", "User")?.value
            let password = take("Password").map { variable("DB_PASSWORD", "the database password (the encrypted parameter '\($0.name)')") }
            if let connection = take("Connection String", "ConnectionString") {
                writeConnection(connection, user: user, password: password)
            } else if let dsn = take("DSN File", "DSN", "File DSN") {
                note(dsn.location, "the ODBC DSN file \(YAMLText.quoted(dsn.value ?? "")) cannot be read here: the entry uses a SQLite file; for PostgreSQL write postgres: {host, port, user, password, database} instead")
                lines.append("    sqlite: \(YAMLText.quoted(name.lowercased() + ".sqlite"))   # to replace: the export's database is named by a DSN file")
            } else {
                note(connector.location, "the export names no connection (DSN File or Connection String): the entry uses a SQLite file")
                lines.append("    sqlite: \(YAMLText.quoted(name.lowercased() + ".sqlite"))")
            }
            if let dnIsAnchor = take("DN is Anchor"), dnIsAnchor.value?.lowercased() == "true" {
                note(dnIsAnchor.location, "'DN is Anchor': the anchor column serves as the DN; attrmap keeps no separate DN")
            }
            let objectReplace = take("Export Type: Object Replace", "Export Type:Object Replace")
            if let objectReplace, objectReplace.value?.lowercased() == "true" {
                note(objectReplace.location, "'Export Type: Object Replace': attrmap's SQL connector writes every mapped column on each update, which is the same")
            }
            let table = take("Table/View/SP", "Table", "Table Name", "View")?.value
            let select = take("Full Import Query", "Import Query", "SQL Query")?.value
            let insert = take("Insert Query", "Add Query")?.value
            let update = take("Update Query")?.value
            let delete = take("Delete Query")?.value
            for procedure in ["Add SP", "Update SP", "Delete SP", "Stored Procedure", "Import SP"] {
                if let parameter = take(procedure) {
                    note(parameter.location, "the stored procedure '\(parameter.value ?? "")' (\(parameter.name)) is not carried over: write its call as a statement (insert, update, delete) with @Attribute placeholders")
                }
            }
            if let strategy = take("Delta Strategy") {
                note(strategy.location, "delta strategy '\(strategy.value ?? "")': attrmap asks the database for every read instead of keeping a cache, so a delta import is not needed")
            }
            for global in ["Water Mark Query", "Watermark Query", "Date Format", "DateTime Format", "Time Zone", "Object Type Detection", "Attribute Detection", "Fixed Value", "Operation Method", "Export Type"] {
                if let parameter = take(global) {
                    note(parameter.location, "'\(parameter.name)' = \(YAMLText.quoted(parameter.value ?? "")) is not needed: attrmap reads the table's columns and types from the database")
                }
            }
            lines.append("    objectTypes:")
            for type in connector.objectTypes {
                lines.append("      - objectType: \(YAMLText.quoted(type.externalName))")
                let tableName = table ?? type.objectType ?? type.externalName
                lines.append("        table: \(YAMLText.quoted(tableName))")
                if table == nil {
                    note(type.location, "no 'Table/View/SP' parameter: the table is taken to be '\(tableName)', the object type's name")
                }
                if let anchor = type.anchor {
                    lines.append("        anchor: \(YAMLText.quoted(anchor.name))")
                } else {
                    note(type.location, "the object type '\(type.externalName)' has no anchor attribute (IsAnchor): write the anchor column")
                    lines.append("        anchor: \(YAMLText.quoted("ANCHOR-COLUMN"))   # to fill in")
                }
                for attribute in type.attributes where attribute.multiValued {
                    note(attribute.location, "the multi-valued attribute '\(attribute.name)' comes from a table joined to the object's: give it a select statement that returns its values, or serve it from a view")
                }
                let statements = [("select", select), ("insert", insert), ("update", update), ("delete", delete)].compactMap { key, text in text.map { (key, $0) } }
                if !statements.isEmpty {
                    lines.append("        statements:")
                    for (key, text) in statements {
                        // One statement a line, as the generic SQL connector takes them: a list.
                        let each = text.split(whereSeparator: \.isNewline).map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
                        let value = each.count == 1 ? YAMLText.quoted(each[0]) : "[" + each.map(YAMLText.quoted).joined(separator: ", ") + "]"
                        lines.append("          \(key): \(value)")
                    }
                }
                writeDeprovisioning(type)
            }
            if connector.objectTypes.isEmpty {
                note(connector.location, "the export has no Schema/EntriesSchema: the entry has no object type; write one")
            }
            if connector.objectTypes.count > 1 {
                note(connector.objectTypes[1].location, "attrmap's host serves the first User type of an entry; each other object type needs an entry of its own")
            }
        }

        /// An ODBC connection string: PostgreSQL and SQLite carry over; another database is
        /// named for moving.
        mutating func writeConnection(_ parameter: ECMAExport.Parameter, user: String?, password: String?) {
            var pairs: [String: String] = [:]
            for part in (parameter.value ?? "").split(separator: ";") {
                let pieces = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingWhitespace }
                if pieces.count == 2 { pairs[pieces[0].lowercased()] = pieces[1].trimmingCharacters(in: "{}") }
            }
            let driver = pairs["driver"] ?? ""
            if driver.lowercased().contains("sqlite") {
                lines.append("    sqlite: \(YAMLText.quoted(pairs["database"] ?? name.lowercased() + ".sqlite"))")
                return
            }
            if !driver.lowercased().contains("postgres") {
                note(parameter.location, "the database is \(driver.isEmpty ? "not named" : "'\(driver)'"): attrmap's SQL connector speaks PostgreSQL and SQLite; the entry points at PostgreSQL on the same server, to check")
            }
            var members = ["host: \(YAMLText.quoted(pairs["server"] ?? pairs["servername"] ?? pairs["host"] ?? "127.0.0.1"))"]
            if let port = pairs["port"].flatMap({ Int($0) }) { members.append("port: \(port)") }
            members.append("database: \(YAMLText.quoted(pairs["database"] ?? pairs["initial catalog"] ?? name.lowercased()))")
            members.append("user: \(YAMLText.quoted(user ?? pairs["uid"] ?? pairs["user id"] ?? name.lowercased()))")
            if pairs["pwd"] != nil || pairs["password"] != nil {
                note(parameter.location, "the connection string holds a password: it is not carried over")
            }
            if let password = password ?? ((pairs["pwd"] ?? pairs["password"]) != nil ? variable("DB_PASSWORD", "the database password (in the export's connection string)") : nil) {
                members.append("password: \(YAMLText.quoted(password))")
            }
            lines.append("    postgres: {\(members.joined(separator: ", "))}")
        }

        // MARK: Web services

        mutating func writeWebServices() {
            let file = name.lowercased() + ".yaml"
            lines.append("    webservice: \(YAMLText.quoted(file))   # a starter template: fill in its operations")
            let project = take("Web Service Project", "Project", "wsconfig")
            let host = take("Host", "Server")?.value
            let port = take("Port")?.value.flatMap { Int($0) }
            let username = take("Username", "User Name", "UserName")?.value
            let password = take("Password").map { variable("PASSWORD", "the application's password (the encrypted parameter '\($0.name)')") }
            let scheme = port == 80 ? "http" : "https"
            let base = "\(scheme)://\(host ?? "APPLICATION-HOST")\(port.map { $0 == 80 || $0 == 443 ? "" : ":\($0)" } ?? "")"
            note(project?.location ?? connector.location, "the workflows of \(project?.value.map { "'\($0)'" } ?? "the .wsconfig project") (a ZIP of .NET workflows) cannot be read: \(file) is a starter template with the schema, the connection and guessed REST calls; write each operation's steps (Examples/web-services, attrmap discover)")
            var template = [
                "# Starter template for \(name), converted from its ECMA export by attrmap import ecma.",
                "# Its operations are to be written: each is a list of REST or SOAP steps whose values are",
                "# expressions of the mapping language; see Examples/web-services and attrmap discover.",
                "name: \(YAMLText.quoted(name.lowercased()))",
                "connection:",
                "  baseURL: \(YAMLText.quoted(base))",
            ]
            if host == nil { note(connector.location, "no 'Host' parameter: write the application's base URL in \(file)") }
            if let username {
                template.append("  authentication: {type: basic, username: \(YAMLText.quoted(username)), password: \(YAMLText.quoted(password ?? variable("PASSWORD", "the application's password")))}")
            }
            template.append("objectTypes:")
            for type in connector.objectTypes {
                template.append("  - name: \(YAMLText.quoted(type.externalName))")
                template.append("    anchor: \(YAMLText.quoted(type.anchor?.name ?? type.attributes.first?.name ?? "id"))")
                template.append("    attributes:")
                for attribute in type.attributes {
                    var members = ["name: \(YAMLText.quoted(attribute.name))"]
                    if let kind = Self.dataType(attribute.dataType) { members.append("type: \(kind)") }
                    if attribute.multiValued { members.append("multiValued: true") }
                    if attribute.isAnchor { members.append("required: true") }
                    template.append("      - {\(members.joined(separator: ", "))}")
                }
                // The calls are a guess (a REST resource named after the type): the template is
                // accepted as it is, and each path and body is to be replaced by the application's.
                let anchor = type.anchor?.name ?? type.attributes.first?.name ?? "id"
                let resource = "/" + type.externalName.lowercased() + "s"
                let item = "\(resource)/{[\(anchor)]}"
                func body(_ attributes: [ECMAExport.Attribute]) -> String {
                    "{" + attributes.map { "\(YAMLText.quoted($0.name)): \(YAMLText.quoted("[\($0.name)]"))" }.joined(separator: ", ") + "}"
                }
                template += [
                    "    # Every call below is a guess, to be replaced by the application's own (paths, bodies, records, paging).",
                    "    operations:",
                    "      test: [{GET: \(resource), query: {limit: 1}}]",
                    "      import: {steps: [{GET: \(resource)}], records: /items}",
                    "      get: [{GET: \(YAMLText.quoted(item))}]",
                    "      create: [{POST: \(resource), body: \(body(type.attributes))}]",
                    "      update: {send: changed, steps: [{PATCH: \(YAMLText.quoted(item)), body: \(body(type.attributes.filter { !$0.isAnchor }))}]}",
                    "      delete: [{DELETE: \(YAMLText.quoted(item))}]",
                ]
                if connector.supportsPassword == true {
                    template.append("      setPassword: [{PUT: \(YAMLText.quoted(item + "/password")), body: {password: \"[password]\"}}]")
                }
                writeDeprovisioning(type)
            }
            files.append((file, template.joined(separator: "\n") + "\n"))
        }

        static func dataType(_ type: String?) -> String? {
            switch type?.lowercased() {
            case "boolean", "bool": "boolean"
            case "integer", "int", "int32", "int64", "number": "integer"
            case "datetime", "date": "dateTime"
            case "reference": "reference"
            case "binary": "binary"
            default: nil
            }
        }

        // MARK: Any other extension

        mutating func writeProcess() {
            let dll = connector.library ?? "the connector's extension"
            let program = "./\(name.lowercased())-connector"
            note(connector.libraryLocation ?? connector.location, "\(dll) is an ECMA2 DLL, which runs only under .NET on Windows: write a process connector in any language (Documentation/process-connector-protocol.md, Examples/process-connectors) and name it in 'command'")
            lines.append("    process:")
            lines.append("      command: [\(YAMLText.quoted(program))]   # to fill in: the program that replaces \(dll)")
            var settings: [String] = []
            var environment: [String] = []
            for parameter in connector.parameters where parameter.runConfiguration == nil {
                consumed.insert(parameter.name.lowercased())
                if parameter.encrypted {
                    let reference = variable(parameter.name, "the encrypted parameter '\(parameter.name)'")
                    environment.append("\(YAMLText.quoted(ECMAConversion.identifier(parameter.name).uppercased())): \(YAMLText.quoted(reference))")
                    note(parameter.location, "the encrypted parameter '\(parameter.name)' reaches the program in its environment as \(ECMAConversion.identifier(parameter.name).uppercased()), from \(reference)")
                } else if let value = parameter.value {
                    let text = parameter.type?.lowercased() == "checkbox" ? (value.lowercased() == "true" ? "true" : "false") : YAMLText.quoted(value)
                    settings.append("\(YAMLText.quoted(parameter.name)): \(text)")
                }
            }
            if !environment.isEmpty { lines.append("      environment: {\(environment.joined(separator: ", "))}") }
            if let partition { settings.append("partition: \(YAMLText.quoted(partition))") }
            if !settings.isEmpty { lines.append("      settings: {\(settings.joined(separator: ", "))}   # the export's parameters, sent in hello") }
            for type in connector.objectTypes {
                let attributes = type.attributes.map { attribute in
                    attribute.name + (attribute.isAnchor ? " (anchor)" : "") + (attribute.multiValued ? " (multi-valued)" : "")
                }
                lines.append("    # the program declares in its schema: \(type.externalName) — \(attributes.joined(separator: ", "))")
                writeDeprovisioning(type)
            }
            if connector.partitions.count > 1 {
                note(connector.partitions[1].location, "the export has \(connector.partitions.count) partitions (\(connector.partitions.map(\.name).joined(separator: ", "))): each is an entry of its own, with the same command and its name in settings.partition; the program lists them in hello's capabilities (partitions)")
            }
            if let first = connector.exportPasswordInFirstPass, first.value {
                note(first.location, "ExportPasswordInFirstPass: the program declares passwordWithCreate in hello's capabilities, and the password comes with the create")
            }
        }

        // MARK: What every entry has

        mutating func writeDeprovisioning(_ type: ECMAExport.ObjectType) {
            if let dn = type.distinguishedName, type.dnAutogenerated, !dn.isAnchor, !lines.contains(where: { $0.hasPrefix("    distinguishedName:") }) {
                lines.append("    distinguishedName: {attribute: \(YAMLText.quoted(dn.name)), template: \(YAMLText.quoted("CN={anchor},OBJECT=\(type.externalName.uppercased())"))}")
            }
            guard let model = type.deprovisioning, !lines.contains(where: { $0.hasPrefix("    deprovisioning:") }) else { return }
            func flow(_ action: String?, attribute: String?, value: String?, what: String) -> String {
                if let attribute {
                    let flag = value?.lowercased() == "false" ? "false" : "true"
                    if value == nil { note(model.location, "the \(what) flow sets '\(attribute)' with no value in the export: true is written, to check") }
                    return "{set: \(YAMLText.quoted(attribute)), value: \(flag)}"
                }
                switch action?.lowercased() ?? "" {
                case "delete", "treatashard", "harddelete": return "delete"
                case "", "none": return "none"
                default:
                    note(model.location, "the \(what) flow '\(action ?? "")' is not known: none is written")
                    return "none"
                }
            }
            let disable = flow(model.softDelete, attribute: model.softDeleteAttribute, value: model.softDeleteValue, what: "disable")
            let delete = flow(model.hardDelete, attribute: model.hardDeleteAttribute, value: model.hardDeleteValue, what: "delete")
            lines.append("    deprovisioning: {disable: \(disable), delete: \(delete)}")
        }

        mutating func writeHostSettings() {
            if let autosync = connector.autosyncMinutes { lines.append("    autosyncMinutes: \(max(0, autosync.value))") }
            if let port = connector.port, port.value != 8585 {
                note(port.location, "the ECMA host listened on port \(port.value): start attrmap serve with --port \(port.value)")
            }
            if let certificate = connector.certificate {
                note(certificate.location, "the certificate \(certificate.thumbprint.prefix(8))… is one of the Windows certificate store: give attrmap serve --cert and --key PEM files (attrmap cert makes one)")
            }
            for run in connector.runConfigurations {
                if let size = run.batchSize {
                    note(run.location, "the run configuration '\(run.name)' pages by \(size): attrmap's connectors page on their own")
                }
                if run.name.lowercased().contains("delta") {
                    note(run.location, "the run configuration '\(run.name)': attrmap refreshes its cache by the connector's delta import where it has one, else by a full import, every autosyncMinutes")
                }
            }
            // A process connector's partitions have their own note; the others serve one.
            if connector.partitions.count > 1, library != .other {
                note(connector.partitions[1].location, "only the partition '\(connector.partitions[0].name)' is carried over: give each other one an entry of its own")
            }
        }
    }
}

/// Scalars for the configuration: plain when YAML reads them back as the same text, else
/// double-quoted with escapes.
package enum YAMLText {
    package static func quoted(_ text: String) -> String {
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]
        let plain = !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_./-".contains($0)) }
            && !reserved.contains(text.lowercased()) && !(text.first.map { $0.isNumber || $0 == "-" || $0 == "." } ?? true)
        if plain { return text }
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 {
                    result += "\\x" + String(scalar.value, radix: 16).uppercased().leftPadded(2)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }

    fileprivate func trimmingCharacters(in set: String) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text.removeFirst() }
        while let last = text.last, set.contains(last) { text.removeLast() }
        return String(text)
    }

}
