import Foundation
import StepupCore
import StepupStore
import Testing

/// Passkeys as rows, on both engines: one credential id for one user only, the counter that only moves on (under
/// parallel assertions too), and removal limited to the owner.
@Suite("Passkeys in the store")
struct PasskeyStoreTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func passkey(_ id: String, user: String, signCount: Int64 = 0) -> PasskeyRecord {
        PasskeyRecord(
            id: id, userID: user, name: "Phone", publicKey: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", algorithm: -7,
            signCount: signCount, aaguid: String(repeating: "0", count: 32), transports: ["internal", "hybrid"],
            backupEligible: true, backedUp: true, createdAt: now)
    }

    func users(_ store: any Store) async throws {
        try await store.write { tx in
            for name in ["alice", "bob"] {
                try await tx.insert(User(id: name, username: name, displayName: name, passwordHash: "x", logonMFA: .always), at: self.now)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func aCredentialIsOneUsersAndReadsBackWhole(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ in
            try await users(store)
            let first = passkey("cred-1", user: "alice")
            #expect(try await store.write { try await $0.insert(first) })
            // The same credential id again, for anyone, is refused.
            #expect(try await store.write { try await $0.insert(passkey("cred-1", user: "bob")) } == false)
            #expect(try await store.read { try await $0.passkeys(userID: "alice") } == [first])
            #expect(try await store.read { try await $0.passkeys(userID: "bob") }.isEmpty)
            #expect(try await store.read { try await $0.passkey(id: "cred-1") }?.transports == ["internal", "hybrid"])
        }
    }

    @Test(arguments: StoreKind.available)
    func theCounterOnlyMovesOnAndParallelAssertionsWithOneCounterCountOnce(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ in
            try await users(store)
            _ = try await store.write { try await $0.insert(passkey("cred-2", user: "alice", signCount: 5)) }
            #expect(try await store.write { try await $0.recordPasskeyUse(id: "cred-2", signCount: 5, backedUp: true, at: self.now) } == false)
            #expect(try await store.write { try await $0.recordPasskeyUse(id: "cred-2", signCount: 4, backedUp: true, at: self.now) } == false)
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await store.write { try await $0.recordPasskeyUse(id: "cred-2", signCount: 6, backedUp: false, at: self.now) } }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
            let stored = try #require(try await store.read { try await $0.passkey(id: "cred-2") })
            #expect(stored.signCount == 6 && !stored.backedUp && stored.lastUsedAt == now)
            // The bank's policy may accept a counter that did not grow; the stored counter still never goes back.
            #expect(try await store.write { try await $0.recordPasskeyUse(id: "cred-2", signCount: 3, backedUp: false, at: self.now, acceptingRegression: true) })
            #expect(try await store.read { try await $0.passkey(id: "cred-2") }?.signCount == 6)
        }
    }

    @Test(arguments: StoreKind.available)
    func anAuthenticatorWithoutACounterIsAlwaysAccepted(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ in
            try await users(store)
            _ = try await store.write { try await $0.insert(passkey("cred-3", user: "alice")) }
            for _ in 0..<3 {
                #expect(try await store.write { try await $0.recordPasskeyUse(id: "cred-3", signCount: 0, backedUp: true, at: self.now) })
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func onlyItsOwnerRenamesOrRemovesAPasskey(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ in
            try await users(store)
            _ = try await store.write { try await $0.insert(passkey("cred-4", user: "alice")) }
            #expect(try await store.write { try await $0.renamePasskey(id: "cred-4", userID: "bob", to: "Mine") } == false)
            #expect(try await store.write { try await $0.removePasskey(id: "cred-4", userID: "bob") } == false)
            #expect(try await store.write { try await $0.renamePasskey(id: "cred-4", userID: "alice", to: "Laptop") })
            #expect(try await store.read { try await $0.passkey(id: "cred-4") }?.name == "Laptop")
            #expect(try await store.write { try await $0.removePasskey(id: "cred-4", userID: "alice") })
            #expect(try await store.read { try await $0.passkey(id: "cred-4") } == nil)
        }
    }
}
