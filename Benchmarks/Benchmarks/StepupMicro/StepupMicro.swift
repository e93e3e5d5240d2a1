import Benchmark
import Crypto
import Foundation
import StepupCore
import StepupPlatform
import StepupStore
import StepupWebAuthn
import StepupWebAuthnTesting

/// Micro benchmarks of the operations on every MFA verification and guarded call, each beside its baseline.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(3))

    // The limit for a TOTP check: one HMAC-SHA1 over one 8-byte block.
    let key = SymmetricKey(data: Array("12345678901234567890".utf8))
    let block: [UInt8] = [0, 0, 0, 0, 3, 0x93, 0x87, 0x0B]
    Benchmark("HMAC-SHA1 of one block (baseline)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(HMAC<Insecure.SHA1>.authenticationCode(for: block, using: key)) }
    }

    // TOTP verify with the ±1 window (three HMACs, all compared in constant time) and the replay guard.
    let totp = try! TOTP(secret: Array("12345678901234567890".utf8))
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let code = totp.code(at: now)
    Benchmark("TOTP verify, ±1 step and replay guard") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(totp.verify(code, at: now, lastUsedStep: 59_999_998)) }
    }

    // Access code: salted digest at issue, constant-time verify.
    var challenge = Challenge(userID: "u", sessionID: "s", context: .logon, createdAt: now, lifetime: 600)
    try! challenge.chooseTarget("target", at: now)
    let issued = AccessCode.issue(for: challenge.id, length: 6, lifetime: 300, now: now)
    try! challenge.record(issued, at: now)
    let frozen = challenge
    Benchmark("Access code: issue (CSPRNG + salted SHA-256)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(AccessCode.issue(for: frozen.id, length: 6, lifetime: 300, now: now)) }
    }
    Benchmark("Access code: constant-time verify") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? AccessCode.verify(issued.plain, challenge: frozen, now: now)) }
    }

    // A passkey assertion: the relying party's whole check (client data JSON, authenticator data, RP ID hash, flags,
    // counter) around one P-256 signature verify, against that verify alone.
    let party = RelyingParty(id: "bank.example", origins: ["https://bank.example"])
    var authenticator = SoftwareAuthenticator()
    let ceremony = Array(repeating: UInt8(7), count: 32)
    let (attestation, registrationClient) = try! authenticator.register(challenge: ceremony)
    let registered = try! party.register(attestationObject: attestation, clientDataJSON: registrationClient, challenge: ceremony)
    let assertion = try! authenticator.assert(challenge: ceremony)
    let stored = RelyingParty.StoredCredential(
        id: registered.credentialID, publicKey: registered.publicKey, signCount: 0, backupEligible: true)
    let signedBytes = assertion.authenticatorData + Array(SHA256.hash(data: assertion.clientData))
    let signature = try! P256.Signing.ECDSASignature(derRepresentation: assertion.signature)
    let publicKey = authenticator.key.publicKey
    Benchmark("P-256 ECDSA verify (baseline)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(publicKey.isValidSignature(signature, for: signedBytes)) }
    }
    Benchmark("WebAuthn assertion verify (RelyingParty.assert)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                try? party.assert(
                    authenticatorData: assertion.authenticatorData, clientDataJSON: assertion.clientData,
                    signature: assertion.signature, challenge: ceremony, credential: stored))
        }
    }
    Benchmark("WebAuthn registration verify (none attestation)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? party.register(attestationObject: attestation, clientDataJSON: registrationClient, challenge: ceremony))
        }
    }

    // EDV: 100 data rules, none decisive until the last (the worst case for the first-decisive-wins order).
    struct NoHistory: EDVFacts {
        func eventCount(action: String, since: Date) async throws -> Int { 0 }
        func isNewAddress() async throws -> Bool { false }
    }
    let rules = (0..<100).map { i in
        EDVRuleDefinition(
            id: "r\(i)", position: i, action: i == 99 ? "TransferFunds" : "Other\(i)",
            conditions: [.detailAbove(key: "transaction.amountMinor", threshold: 100)], decision: .requireMFA)
    }
    let input = EDVInput(eventID: "e", action: "TransferFunds", details: ["transaction.amountMinor": "12500"], userID: "u", sessionID: "s", clientAddress: nil, at: now)
    Benchmark("EDV: evaluate 100 data rules") { benchmark in
        for _ in benchmark.scaledIterations {
            for rule in rules {
                if try await rule.evaluate(input, facts: NoHistory()) != nil { break }
            }
        }
    }

    // The store: one audit append (one committed SQLite transaction), and the guard's decision for a session whose
    // MFA is satisfied within a freshness window (one transaction: a lookup and an audit append).
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stepup-bench-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    Benchmark("SQLite: one audit append (committed)") { benchmark in
        let store = try await SQLiteStore.open(path: folder.appendingPathComponent("audit-\(UUID().uuidString).sqlite").path)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try await store.write { tx in try await tx.append(AuditEvent(at: now, action: "bench", outcome: .info, userID: nil)) }
        }
        benchmark.stopMeasurement()
        await store.close()
    }
    Benchmark("Guard decision, satisfied session (freshness window)") { benchmark in
        let store = try await SQLiteStore.open(path: folder.appendingPathComponent("guard-\(UUID().uuidString).sqlite").path)
        let platform = Platform(store: store, keys: try KeySet.generate(), clock: ManualClock(now))
        let user = try await platform.createUser(username: "bench-\(UUID().uuidString.prefix(8).lowercased())", displayName: "Bench", passwordHash: "$2b$04$x", logonMFA: .never)
        let session = Session(secretDigest: "d", csrfDigest: "c", userID: user.id, stage: .authenticated, createdAt: now, clientAddress: nil)
        let context = MFAContext.extensionPrompt(extension: "bench", route: "fresh")
        let challenge = Challenge(userID: user.id, sessionID: session.id, context: context, createdAt: now, lifetime: 600)
        try await store.write { tx in
            try await tx.insert(session)
            try await tx.insert(challenge)
            try await tx.insert(MFACompletion(sessionID: session.id, challengeID: challenge.id, userID: user.id, context: context, method: .accessToken, completedAt: now))
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await platform.satisfy(contexts: [context], freshFor: 3600, session: session))
        }
        benchmark.stopMeasurement()
        await store.close()
    }
}
