import Connectors

/// How a SQL connector maps object types to tables, as the generic SQL connector is configured:
/// a table (or view) per object type, its anchor column, the attributes and their columns, the
/// multi-valued attributes kept in a child table, an optional JSON column for the rest of each
/// SCIM resource, an optional password column, and optional statements (a select, and inserts,
/// updates, deletes with `@Attribute` placeholders) in place of the generated ones.
package struct SQLConfiguration: Sendable, Hashable {
    package var objectTypes: [ObjectTypeMapping]

    package init(objectTypes: [ObjectTypeMapping]) {
        self.objectTypes = objectTypes
    }

    package struct ObjectTypeMapping: Sendable, Hashable {
        /// `User` or `Group`.
        package var objectType: String
        package var table: String
        /// The anchor column; its value is the SCIM `id`.
        package var anchorColumn: String
        /// Whether the host generates the anchor (a UUID) for a new object.
        package var generatesAnchor: Bool
        /// Attribute name → column. Empty: every column of the table but the anchor and document
        /// columns, each under its own name.
        package var columns: [String: String]
        /// Multi-valued attributes, kept as rows of `<table>_values(anchor, attribute, position, value)`.
        package var multiValued: [String]
        /// A JSON column holding the rest of the SCIM resource, or nil to drop it.
        package var documentColumn: String?
        /// Where `setPassword` writes, or nil to ignore passwords.
        package var passwordColumn: String?
        /// Statements that replace the ones generated from the table.
        package var statements: SQLStatements

        package init(
            objectType: String, table: String, anchorColumn: String, generatesAnchor: Bool = false, columns: [String: String] = [:],
            multiValued: [String] = [], documentColumn: String? = nil, passwordColumn: String? = nil,
            statements: SQLStatements = SQLStatements()
        ) {
            self.objectType = objectType
            self.table = table
            self.anchorColumn = anchorColumn
            self.generatesAnchor = generatesAnchor
            self.columns = columns
            self.multiValued = multiValued
            self.documentColumn = documentColumn
            self.passwordColumn = passwordColumn
            self.statements = statements
        }

        package var valuesTable: String { "\(table)_values" }
    }

    /// The embedded default: users and groups in tables attrmap creates, with columns for the
    /// attributes Entra's on-premises mappings usually target, a multi-valued `proxyAddresses`,
    /// and whole SCIM resources in a `document` column so that every attribute round-trips.
    package static let embeddedDefault = SQLConfiguration(objectTypes: [
        .init(objectType: "User", table: "users", anchorColumn: "id", generatesAnchor: true, multiValued: ["proxyAddresses"],
              documentColumn: "document", passwordColumn: "password"),
        .init(objectType: "Group", table: "groups", anchorColumn: "id", generatesAnchor: true, documentColumn: "document"),
    ])

    /// The tables of ``embeddedDefault`` on SQLite, with the indexes its queries use.
    package static let embeddedDefaultTables = embeddedDefaultTableDefinitions + embeddedDefaultIndexes(.sqlite)

    /// The tables of ``embeddedDefault`` on PostgreSQL, with the indexes its queries use.
    package static let embeddedDefaultPostgresTables = embeddedDefaultTableDefinitions + embeddedDefaultIndexes(.postgres)

    /// Mixed-case names in double quotes, so that PostgreSQL keeps them as written.
    package static let embeddedDefaultTableDefinitions = """
        CREATE TABLE IF NOT EXISTS users (
            id TEXT PRIMARY KEY NOT NULL,
            "userName" TEXT, "displayName" TEXT, "givenName" TEXT, "familyName" TEXT, email TEXT, city TEXT, department TEXT,
            "expirationTime" TEXT, active BOOLEAN,
            document TEXT, password TEXT
        );
        CREATE TABLE IF NOT EXISTS users_values (
            anchor TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, attribute TEXT NOT NULL, position INTEGER NOT NULL,
            value TEXT, PRIMARY KEY (anchor, attribute, position)
        );
        CREATE TABLE IF NOT EXISTS groups (
            id TEXT PRIMARY KEY NOT NULL, "displayName" TEXT, document TEXT
        );
        CREATE TABLE IF NOT EXISTS groups_values (
            anchor TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE, attribute TEXT NOT NULL, position INTEGER NOT NULL,
            value TEXT, PRIMARY KEY (anchor, attribute, position)
        );

        """

    /// The indexes of the embedded default: for the queries Entra matches with (a user's
    /// `userName`, `externalId`, `displayName` in the document, the attribute columns under the
    /// ECMA2Host extension, a value of `proxyAddresses`), each on the expression the search
    /// compares (`lower(…)`, since `eq` ignores case). `userName` and a group's `displayName` are
    /// unique: the store refuses a second one, whichever host writes it.
    package static func embeddedDefaultIndexes(_ dialect: SQLDialect) -> String {
        func member(_ name: String) -> String { "lower(\(dialect.documentMember("document", name)))" }
        return """
            CREATE UNIQUE INDEX IF NOT EXISTS users_document_userName ON users (\(member("userName")));
            CREATE INDEX IF NOT EXISTS users_document_externalId ON users (\(member("externalId")));
            CREATE INDEX IF NOT EXISTS users_document_displayName ON users (\(member("displayName")));
            CREATE INDEX IF NOT EXISTS users_userName ON users (lower("userName"));
            CREATE INDEX IF NOT EXISTS users_email ON users (lower(email));
            CREATE INDEX IF NOT EXISTS users_displayName ON users (lower("displayName"));
            CREATE INDEX IF NOT EXISTS users_values_value ON users_values (attribute, lower(value));
            CREATE UNIQUE INDEX IF NOT EXISTS groups_document_displayName ON groups (\(member("displayName")));
            CREATE INDEX IF NOT EXISTS groups_document_externalId ON groups (\(member("externalId")));
            CREATE INDEX IF NOT EXISTS groups_values_value ON groups_values (attribute, lower(value))
            """
    }
}

extension SQLConfiguration.ObjectTypeMapping {
    /// Attribute name → column, in table order: the configured map, or every column of the table
    /// but the anchor (when generated), document and password columns. Both engines use it.
    func attributeColumns(columns: [String]) -> [(String, String)] {
        if !self.columns.isEmpty { return self.columns.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
        let excluded = Set([documentColumn, passwordColumn, generatesAnchor ? anchorColumn : nil].compactMap { $0?.lowercased() })
        return columns.filter { !excluded.contains($0.lowercased()) }.map { ($0, $0) }
    }
}

extension SQLConfiguration {
    /// The connector data type of a declared SQL column type (SQLite affinity names or
    /// PostgreSQL's information_schema names).
    static func dataType(_ declared: String) -> ConnectorSchema.Attribute.DataType {
        let type = declared.uppercased()
        if type.contains("BOOL") { return .boolean }
        if type.contains("INT") { return .integer }
        if type.contains("DATE") || type.contains("TIME") { return .dateTime }
        return .string
    }
}
