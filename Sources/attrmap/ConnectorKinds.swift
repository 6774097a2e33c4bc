#if Server
import Connectors
import LDAPConnector
import ProcessConnector
import SQLConnector
import WebServices

extension Attrmap {
    /// The connector kinds this executable ships, by the name a configuration gives them
    /// (`sqlite: FILE`, `postgres: {…}`, `webservice: TEMPLATE`, `process: {command: […]}`, `ldap: {…}`,
    /// `kind: memory`). A new kind is a module and a line here.
    static let connectorKinds = ConnectorKinds([
        SQLiteKind(),
        PostgresKind(),
        WebServiceKind(),
        ProcessKind(),
        LDAPKind(),
        InMemoryKind(),
    ])
}
#endif
