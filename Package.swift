// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "attrmap",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MappingExpressions", targets: ["MappingExpressions"]),
        .library(name: "SCIM", targets: ["SCIM"]),
        .library(name: "Provisioning", targets: ["Provisioning"]),
        // For connectors written in Swift: the process connector protocol's messages and runtime.
        .library(name: "ConnectorKit", targets: ["ConnectorKit"]),
        .executable(name: "attrmap", targets: ["attrmap"]),
        .executable(name: "attrmap-benchmark", targets: ["attrmap-benchmark"]),
    ],
    // `Server` brings `attrmap serve` and `attrmap cert`: the SCIM host, its SQL connectors and
    // their dependencies (Hummingbird, SwiftNIO, BoringSSL twice, GRDB, postgres-nio), which take
    // most of a first build. It is on by default; the quick start builds without it
    // (`--disable-default-traits`) so that a newcomer's first results come in minutes.
    traits: [
        .trait(name: "Server", description: "attrmap serve and attrmap cert: the SCIM host and its connectors."),
        .default(enabledTraits: ["Server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // OpenAPI 3.0 to 3.2 documents, for `attrmap discover rest`; external references are not
        // loaded, so its ExternalLoading trait (and its compile time) stays off.
        .package(url: "https://github.com/mattpolzin/OpenAPIKit", from: "6.4.0", traits: []),
        // `swift package generate-documentation`: the DocC catalogs of the library products.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // JSON that keeps key order and number text, with located parse errors. No dependencies.
        .target(
            name: "JSONValues",
            swiftSettings: swiftSettings
        ),

        // The language: lexer, parser, diagnostics, checker, evaluator. No package dependencies.
        .target(
            name: "MappingExpressions",
            dependencies: ["JSONValues"],
            swiftSettings: swiftSettings
        ),

        // SCIM 2.0: attribute paths, filters, resources, PATCH operations. No package dependencies.
        .target(
            name: "SCIM",
            dependencies: ["JSONValues"],
            swiftSettings: swiftSettings
        ),

        // Mapping sets (native YAML/JSON and Entra's exported configuration), scoping, matching and
        // the SCIM requests Entra would send; the streaming batch transform.
        .target(
            name: "Provisioning",
            dependencies: ["MappingExpressions", "SCIM", "Yams"],
            swiftSettings: swiftSettings
        ),

        // The connector protocol (in the spirit of ConnId) and the in-memory connector.
        .target(
            name: "Connectors",
            dependencies: [
                "JSONValues", "Yams", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Group commit for SQLite writers (GRDB): the SQL connector's and the local copy's.
        .target(
            name: "SQLiteGroupCommit",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),

        // The SQL connector, one module for both engines: SQLite through GRDB (the embedded
        // default) and PostgreSQL through postgres-nio.
        .target(
            name: "SQLConnector",
            dependencies: [
                "Connectors", "SQLiteGroupCommit", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // A local SQLite copy of a connector whose store cannot answer queries, so that the host
        // serves it in bounded memory.
        .target(
            name: "LocalCache",
            dependencies: [
                "Connectors", "JSONValues", "SQLiteGroupCommit", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The web services connector: an application's REST or SOAP API driven by a template
        // (operation flows of calls whose parameters are expressions of the language, responses
        // read by JSON Pointer or XML path, paging, error rules, authentication, retries and rate
        // limits).
        .target(
            name: "WebServices",
            dependencies: [
                "Connectors", "JSONValues", "MappingExpressions", "XMLDocuments",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Discovery: an application's OpenAPI document read as a tree and a starter template; a
        // WSDL read as a tree.
        .target(
            name: "ServiceDiscovery",
            dependencies: [
                "Yams", "XMLDocuments", .product(name: "OpenAPIKit", package: "OpenAPIKit"), .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                .product(name: "OpenAPIKitCompat", package: "OpenAPIKit"),
            ],
            swiftSettings: swiftSettings
        ),

        // XML with namespaces resolved, a writer, and paths with a prefix map (FoundationXML's
        // parser), for SOAP messages and WSDL documents.
        .target(
            name: "XMLDocuments",
            swiftSettings: swiftSettings
        ),

        // LDAPv3's messages (RFC 4511) in BER, search filters (RFC 4515) and distinguished names
        // (RFC 4514), read and written byte by byte. No dependencies.
        .target(
            name: "LDAPMessages",
            swiftSettings: swiftSettings
        ),

        // The generic LDAP connector: a client on SwiftNIO (LDAPS, StartTLS, simple and SASL
        // EXTERNAL binds, paged searches), schema discovery, the accesslog for deltas.
        .target(
            name: "LDAPConnector",
            dependencies: [
                "LDAPMessages", "Connectors", "JSONValues",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The ECMA engine, with no HTTP in it: a connector behind a cache, import and autosync,
        // uniqueness, deprovisioning; executes SCIMRequests.
        .target(
            name: "ConnectorHost",
            dependencies: [
                "SCIM", "Connectors", "JSONValues", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        // The SCIM host's HTTP side (Hummingbird): routes, authentication, decode → execute → encode.
        .target(
            name: "SCIMHost",
            dependencies: [
                "SCIM", "ConnectorHost", "JSONValues",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),

        // attrmap serve's configuration file: named connectors, their stores and flows.
        .target(
            name: "HostSetup",
            dependencies: [
                "SCIMHost", "ConnectorHost", "Connectors", "LocalCache", "JSONValues", "Yams", .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),

        // libedit, for the REPL's line editing (Debian: libedit-dev).
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(
            name: "LineEditing",
            dependencies: ["CLibEdit"],
            swiftSettings: swiftSettings
        ),

        // The REPL's commands and state, independent of the terminal.
        .target(
            name: "REPL",
            dependencies: ["MappingExpressions", "Provisioning", "JSONValues"],
            swiftSettings: swiftSettings
        ),

        // The command-line tool: ArgumentParser commands only, the logic lives in the libraries.
        .executableTarget(
            name: "attrmap",
            dependencies: [
                "MappingExpressions",
                "Provisioning",
                "JSONValues",
                "REPL",
                "LineEditing",
                "ECMAImport",
                .target(name: "SCIMHost", condition: .when(traits: ["Server"])),
                .target(name: "ConnectorHost", condition: .when(traits: ["Server"])),
                .target(name: "SQLConnector", condition: .when(traits: ["Server"])),
                .target(name: "HostSetup", condition: .when(traits: ["Server"])),
                .target(name: "Connectors", condition: .when(traits: ["Server"])),
                .target(name: "WebServices", condition: .when(traits: ["Server"])),
                .target(name: "ProcessConnector", condition: .when(traits: ["Server"])),
                .target(name: "LDAPConnector", condition: .when(traits: ["Server"])),
                .target(name: "ConnectorWire", condition: .when(traits: ["Server"])),
                .target(name: "ConformanceSuite", condition: .when(traits: ["Server"])),
                .target(name: "ServiceDiscovery", condition: .when(traits: ["Server"])),
                .product(name: "Logging", package: "swift-log", condition: .when(traits: ["Server"])),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle", condition: .when(traits: ["Server"])),
                .product(name: "UnixSignals", package: "swift-service-lifecycle", condition: .when(traits: ["Server"])),
                .product(name: "Metrics", package: "swift-metrics", condition: .when(traits: ["Server"])),
                .product(name: "Prometheus", package: "swift-prometheus", condition: .when(traits: ["Server"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // Benchmarks: `swift run -c release attrmap-benchmark`.
        .executableTarget(
            name: "attrmap-benchmark",
            dependencies: [
                "MappingExpressions", "Provisioning", "JSONValues", "SQLConnector", "LocalPostgreSQL", "LocalSlapd",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // A real PostgreSQL server from the system's packages, started on loopback in a temporary
        // folder: for the tests and the benchmarks.
        // The messages of the process connector protocol (Documentation/process-connector-protocol.md),
        // public for connectors written in Swift.
        .target(
            name: "ConnectorWire",
            dependencies: ["JSONValues"],
            swiftSettings: swiftSettings
        ),

        // A process connector in Swift is a few functions: the runtime that reads the requests,
        // runs them within the declared concurrency and writes the answers.
        .target(
            name: "ConnectorKit",
            dependencies: ["ConnectorWire", "JSONValues"],
            swiftSettings: swiftSettings
        ),
        // The Swift example of Examples/process-connectors, on ConnectorKit alone.
        .executableTarget(
            name: "swift-users-connector",
            dependencies: ["ConnectorKit"],
            path: "Examples/process-connectors/swift-users",
            swiftSettings: swiftSettings
        ),

        // A connector that is a program of its own, in any language, over ConnectorWire.
        .target(
            name: "ProcessConnector",
            dependencies: [
                "Connectors", "ConnectorWire", "ConformanceSuite", "Spawning", "JSONValues", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Child processes that inherit nothing but their standard input, output and error (the
        // tests' servers, PostgreSQL); a C shim for what Glibc's module does not declare.
        .target(name: "CSpawning"),
        .target(
            name: "Spawning",
            dependencies: ["CSpawning"],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "LocalPostgreSQL",
            dependencies: ["SQLConnector", "Spawning"],
            swiftSettings: swiftSettings
        ),

        // A real OpenLDAP server (slapd) from the system's packages, configured in a temporary
        // folder and started on loopback: for the tests and the benchmarks.
        .target(
            name: "LocalSlapd",
            dependencies: ["Spawning"],
            swiftSettings: swiftSettings
        ),

        // The sample applications of Examples/web-services, real peers for the web services
        // connector with storage of their own. They share no code with attrmap.
        .executableTarget(
            name: "sample-hr-app",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Examples/web-services/hr-app",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "sample-sap-app",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Examples/web-services/sap-app",
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),

        // `attrmap import ecma`: an ECMA Connector Host or MIM export (XML) turned into an
        // `attrmap serve` configuration. On the project's XML reader alone.
        .target(
            name: "ECMAImport",
            dependencies: ["XMLDocuments"],
            swiftSettings: swiftSettings
        ),

        // The connector contract every connector kind meets, with no test framework: the kinds'
        // tests run it through AttrmapTesting, `attrmap connector test` prints it.
        .target(
            name: "ConformanceSuite",
            dependencies: ["Connectors", "JSONValues"],
            swiftSettings: swiftSettings
        ),

        // Test support: the shared connector contract as test issues, the binary runner, a
        // pseudo-terminal driver.
        .target(
            name: "AttrmapTesting",
            dependencies: [
                "Connectors", "ConformanceSuite", "JSONValues", "Spawning", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "X509", package: "swift-certificates"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),

        // Tests
        .testTarget(
            name: "MappingExpressionsTests",
            dependencies: ["MappingExpressions"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SCIMTests",
            dependencies: ["SCIM", "JSONValues"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JSONValuesTests",
            dependencies: ["JSONValues"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SCIMHostTests",
            dependencies: [
                "SCIMHost", "ConnectorHost", "SCIM", "Connectors", "SQLConnector", "HostSetup", "JSONValues", "AttrmapTesting", "LocalPostgreSQL", "LocalCache",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectorHostTests",
            dependencies: ["ConnectorHost", "Connectors", "SCIM", "JSONValues", "AttrmapTesting", "LocalCache", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectorsTests",
            dependencies: ["Connectors", "JSONValues", "AttrmapTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SQLConnectorTests",
            dependencies: [
                "SQLConnector", "Connectors", "JSONValues", "AttrmapTesting", "LocalPostgreSQL",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "WebServicesTests",
            dependencies: [
                "WebServices", "ServiceDiscovery", "Connectors", "JSONValues", "AttrmapTesting", "MappingExpressions", "LocalCache",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "XMLDocumentsTests",
            dependencies: ["XMLDocuments"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LDAPMessagesTests",
            dependencies: ["LDAPMessages"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LDAPConnectorTests",
            dependencies: [
                "LDAPConnector", "LDAPMessages", "LocalSlapd", "Connectors", "JSONValues", "AttrmapTesting", "Spawning",
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "REPLTests",
            dependencies: ["REPL", "MappingExpressions"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProvisioningTests",
            dependencies: ["Provisioning", "SCIM", "JSONValues", "MappingExpressions"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["MappingExpressions"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectorWireTests",
            dependencies: ["ConnectorWire", "JSONValues"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ProcessConnectorTests",
            dependencies: [
                "ProcessConnector", "ConnectorWire", "Connectors", "JSONValues", "AttrmapTesting", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SpawningTests",
            dependencies: ["Spawning"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["attrmap", "JSONValues", "AttrmapTesting", "LocalPostgreSQL", "LocalSlapd", "Spawning"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
