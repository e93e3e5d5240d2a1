// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "stepup",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "StepupCore", targets: ["StepupCore"]),
        .library(name: "StepupStore", targets: ["StepupStore"]),
        .library(name: "StepupPlatform", targets: ["StepupPlatform"]),
        .library(name: "StepupServer", targets: ["StepupServer"]),
        .library(name: "StepupSDK", targets: ["StepupSDK"]),
        .library(name: "StepupSDKOIDC", targets: ["StepupSDKOIDC"]),
        .library(name: "StepupTesting", targets: ["StepupTesting"]),
        .library(name: "StepupScaffold", targets: ["StepupScaffold"]),
        .library(name: "StepupExtensionHost", targets: ["StepupExtensionHost"]),
        .library(name: "StepupWebAuthn", targets: ["StepupWebAuthn"]),
        .library(name: "StepupWebAuthnTesting", targets: ["StepupWebAuthnTesting"]),
        .executable(name: "stepup", targets: ["stepup"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        // Already in the graph through jwt-kit; named here for the packed attestation's certificate chain.
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "StepupCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "StepupStore",
            dependencies: [
                "StepupCore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                // SQLiteHandle calls SQLite's C API (`VaporCSQLite`), which sqlite-nio offers only through this product.
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "StepupPlatform",
            dependencies: [
                "StepupCore", "StepupStore", "StepupWebAuthn",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "StepupSDK", dependencies: ["StepupCore"], swiftSettings: swiftSettings),
        .target(
            name: "StepupSDKOIDC",
            dependencies: [
                "StepupCore", "StepupSDK",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .target(name: "StepupScaffold", swiftSettings: swiftSettings),
        // What the platform and an extension service say to each other: the signed call, the error envelope, the
        // operations; `package` access, so none of it is a bank's API.
        .target(
            name: "StepupWire",
            dependencies: [
                "StepupCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .target(name: "StepupTesting", dependencies: ["StepupCore", "StepupSDK"], swiftSettings: swiftSettings),
        // The WebAuthn relying party: CBOR, COSE keys, authenticator and client data, attestation, the ceremonies.
        .target(
            name: "StepupWebAuthn",
            dependencies: [
                "StepupCore", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"), .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings),
        // A software authenticator and a CBOR encoder, for tests of anything that takes passkeys.
        .target(
            name: "StepupWebAuthnTesting",
            dependencies: ["StepupWebAuthn", "StepupCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        .target(
            name: "StepupExtensionHost",
            dependencies: [
                "StepupCore", "StepupSDK", "StepupWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "StepupExamples", dependencies: ["StepupCore", "StepupSDK", "StepupSDKOIDC", .product(name: "Crypto", package: "swift-crypto")],
            path: "Examples", swiftSettings: swiftSettings),
        .target(
            name: "StepupServer",
            dependencies: [
                "StepupCore", "StepupStore", "StepupPlatform", "StepupSDK", "StepupWire", "StepupWebAuthn",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "stepup",
            dependencies: [
                "StepupServer", "StepupExamples", "StepupSDK", "StepupSDKOIDC", "StepupExtensionHost", "StepupScaffold",
                "StepupCore", "StepupPlatform", "StepupStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "StepupCoreTests", dependencies: ["StepupCore", "StepupTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StepupStoreTests",
            dependencies: [
                "StepupCore", "StepupStore", .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "StepupPlatformTests",
            dependencies: [
                "StepupCore", "StepupStore", "StepupPlatform", "StepupWebAuthn", "StepupWebAuthnTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "StepupSDKTests", dependencies: ["StepupCore", "StepupSDK", "StepupTesting", "StepupExamples"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "StepupSDKOIDCTests",
            dependencies: [
                "StepupCore", "StepupSDK", "StepupSDKOIDC", "StepupTesting", "StepupExamples",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "StepupScaffoldTests", dependencies: ["StepupScaffold"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StepupWebAuthnTests",
            dependencies: [
                "StepupWebAuthn", "StepupWebAuthnTesting", "StepupCore", "StepupTesting",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            // Read by path (#filePath), as scripts/webauthn-fixtures.py writes them.
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "StepupWireTests",
            dependencies: [
                "StepupCore", "StepupWire", "StepupTesting", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "StepupServerTests",
            dependencies: [
                "StepupCore", "StepupStore", "StepupPlatform", "StepupSDK", "StepupServer", "StepupExamples",
                "StepupExtensionHost", "StepupTesting", "StepupWebAuthnTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
