#if Server
import Connectors
import ProcessConnector
import SQLConnector
import WebServices

extension Attrmap {
    /// The connector kinds this executable ships, by the name a configuration gives them
    /// (`sqlite: FILE`, `postgres: {…}`, `webservice: TEMPLATE`, `process: {command: […]}`, `kind: memory`). A new kind is a module and a line here.
    static let connectorKinds = ConnectorKinds([
        SQLiteKind(),
        PostgresKind(),
        WebServiceKind(),
        ProcessKind(),
        InMemoryKind(),
    ])
}
#endif
