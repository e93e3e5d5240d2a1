import Foundation
import StepupCore
import Testing

@testable import StepupStore

private struct Boom: Error {}

@Suite("The store, on a real SQLite file and a real PostgreSQL server")
struct StoreTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func user(_ name: String = "alice") -> User {
        User(id: "u-\(name)", username: name, displayName: name.capitalized, passwordHash: "$2b$04$hash", logonMFA: .always)
    }

    func session(for user: User, id: String = "s1") -> Session {
        Session(id: id, secretDigest: "digest-\(id)", csrfDigest: "csrf-\(id)", userID: user.id, stage: .preAuthentication, createdAt: now, clientAddress: "127.0.0.1")
    }

    @Test(arguments: StoreKind.available)
    func migrationsRunOnceAndDataSurvivesReopening(kind: StoreKind) async throws {
        let database = try await TemporaryDatabase(kind)
        let first = try await database.open()
        try await first.write { tx in try await tx.insert(self.user(), at: self.now) }
        await first.close()
        let second = try await database.open()
        let loaded = try await second.read { try await $0.user(username: "alice") }
        let versions = try await second.read { tx in try await tx.rows("SELECT version FROM schema_migrations").count }
        await second.close()
        await database.remove()
        #expect(loaded == user())
        #expect(versions == Migrations.latestVersion)
    }

    @Test func sqliteUsesWriteAheadLogging() async throws {
        try await TemporaryDatabase.with(.sqlite) { store, _ async throws in
            let mode = try await store.read { tx in try await tx.first("PRAGMA journal_mode")?.string("journal_mode") }
            #expect(mode == "wal")
        }
    }

    @Test func aCorruptFileIsRefusedWithOneLine() async throws {
        let database = try await TemporaryDatabase(.sqlite)
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: database.path))
        do {
            _ = try await database.open()
            Issue.record("a corrupt file opened")
        } catch let error as StepupError {
            #expect(error.code == .configurationInvalid)
            #expect(!error.message.contains("\n"))
        }
        await database.remove()
    }

    @Test(arguments: StoreKind.available)
    func aThrowingTransactionLeavesNothingBehind(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            await #expect(throws: StepupError(.storeUnavailable)) {
                try await store.write { (tx: StoreTransaction) async throws -> Void in
                    try await tx.insert(self.user(), at: self.now)
                    try await tx.append(AuditEvent(at: self.now, action: "x", outcome: .info, userID: nil))
                    throw Boom()
                }
            }
            #expect(try await store.read { try await $0.userCount() } == 0)
            #expect(try await store.read { try await $0.auditEvents() }.isEmpty)
            // A StepupError thrown by the body is passed through as itself.
            await #expect(throws: StepupError(.badRequest)) {
                try await store.write { (tx: StoreTransaction) async throws -> Void in
                    try await tx.insert(self.user(), at: self.now)
                    throw StepupError(.badRequest)
                }
            }
            #expect(try await store.read { try await $0.userCount() } == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func aDuplicateUsernameFailsTheWholeTransaction(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            try await store.write { tx in try await tx.insert(self.user(), at: self.now) }
            await #expect(throws: StepupError.self) {
                try await store.write { (tx: StoreTransaction) async throws -> Void in
                    try await tx.insert(DeliveryTarget(id: "t1", userID: "u-alice", kind: .sms, address: "+1555"), at: self.now)
                    try await tx.insert(User(id: "other", username: "alice", displayName: "", passwordHash: "", logonMFA: .never), at: self.now)
                }
            }
            #expect(try await store.read { try await $0.targets(userID: "u-alice") }.isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func targetsSessionsAndChallengesRoundTrip(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            let alice = user()
            let target = DeliveryTarget(id: "t1", userID: alice.id, kind: .voice, address: "+15550100")
            var session = session(for: alice)
            let context = MFAContext.transaction([TransactionItem(id: "tx1", amountMinor: 12_345, currency: "EUR", payee: "Acme")])
            var challenge = Challenge(id: "c1", userID: alice.id, sessionID: session.id, context: context, createdAt: now, lifetime: 600)
            let (initialSession, initialChallenge) = (session, challenge)
            try await store.write { tx in
                try await tx.insert(alice, at: self.now)
                try await tx.insert(target, at: self.now)
                try await tx.insert(initialSession)
                try await tx.insert(initialChallenge)
            }
            try challenge.chooseTarget(target.id, at: now)
            try challenge.record(AccessCode.issue(for: challenge.id, length: 6, lifetime: 300, now: now), at: now)
            session.stage = .authenticated
            session.secretDigest = "rotated"
            let updatedChallenge = challenge
            let updatedSession = session
            try await store.write { tx in
                try await tx.update(updatedChallenge)
                try await tx.update(updatedSession)
            }
            let sessionID = session.id
            let loaded = try await store.read { tx in
                (try await tx.targets(userID: alice.id), try await tx.session(secretDigest: "rotated"),
                 try await tx.session(secretDigest: "digest-s1"), try await tx.challenge(id: "c1"),
                 try await tx.openChallenges(sessionID: sessionID).first { $0.context == context },
                 try await tx.openChallenges(sessionID: sessionID).first { $0.context == .logon })
            }
            #expect(loaded.0 == [target])
            #expect(loaded.1 == updatedSession)
            #expect(loaded.2 == nil)
            #expect(loaded.3 == updatedChallenge)
            #expect(loaded.4 == updatedChallenge)
            #expect(loaded.5 == nil)
            try await store.write { tx in try await tx.endSession(id: "s1", at: self.now) }
            #expect(try await store.read { try await $0.session(secretDigest: "rotated") } == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func aCompletionIsConsumedExactlyOnceAndOnlyForItsContextAndSession(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            let alice = user()
            let session = session(for: alice)
            let context = MFAContext.extensionPrompt(extension: "transfers", route: "submit")
            let challenge = Challenge(id: "c1", userID: alice.id, sessionID: session.id, context: context, createdAt: now, lifetime: 600)
            let completion = MFACompletion(id: "m1", sessionID: session.id, challengeID: challenge.id, userID: alice.id, context: context, method: .accessCode, completedAt: now)
            try await store.write { tx in
                try await tx.insert(alice, at: self.now)
                try await tx.insert(session)
                try await tx.insert(challenge)
                try await tx.insert(completion)
            }
            let early = now.addingTimeInterval(-300)
            let other = try await store.write { tx in
                try await tx.consumeCompletion(sessionID: session.id, context: .extensionPrompt(extension: "other", route: "submit"), notBefore: early, at: self.now)
            }
            let wrongSession = try await store.write { tx in
                try await tx.consumeCompletion(sessionID: "s2", context: context, notBefore: early, at: self.now)
            }
            let tooOld = try await store.write { tx in
                try await tx.consumeCompletion(sessionID: session.id, context: context, notBefore: self.now.addingTimeInterval(1), at: self.now)
            }
            #expect(other == nil && wrongSession == nil && tooOld == nil)
            let results = try await withThrowingTaskGroup(of: MFACompletion?.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await store.write { tx in
                            try await tx.consumeCompletion(sessionID: session.id, context: context, notBefore: early, at: self.now)
                        }
                    }
                }
                return try await group.reduce(into: [MFACompletion?]()) { $0.append($1) }
            }
            #expect(results.compactMap { $0 }.count == 1)
            #expect(results.compactMap { $0 }.first?.id == "m1")
            #expect(try await store.read { try await $0.completion(challengeID: "c1") }?.consumedAt == now)
        }
    }

    @Test(arguments: StoreKind.available)
    func theFailureCounterStopsAtTheLimitAndLocks(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            try await store.write { tx in try await tx.insert(self.user(), at: self.now) }
            var answers: [AttemptReservation] = []
            for _ in 0..<7 {
                answers.append(try await store.write { tx in try await tx.reserveAttempt(userID: "u-alice", limit: 5, at: self.now) })
            }
            #expect(Array(answers.prefix(5)) == (1...5).map { .reserved(failuresIncludingThis: $0) })
            let until = now.addingTimeInterval(1800)
            let stored = try await store.write { tx in try await tx.lockIfAtLimit(userID: "u-alice", limit: 5, until: until) }
            #expect(stored == until)
            let locked = try await store.write { tx in try await tx.reserveAttempt(userID: "u-alice", limit: 5, at: self.now) }
            #expect(locked == .locked(until: until))
            // After the lock's end the counter starts over.
            let after = try await store.write { tx in try await tx.reserveAttempt(userID: "u-alice", limit: 5, at: until) }
            #expect(after == .reserved(failuresIncludingThis: 1))
            try await store.write { tx in try await tx.resetFailures(userID: "u-alice") }
            #expect(try await store.read { try await $0.failureCounter(userID: "u-alice") } == FailureCounter(userID: "u-alice"))
        }
    }

    @Test(arguments: StoreKind.available)
    func aTOTPStepIsMarkedUsedOnceAndNeverGoesBack(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            let token = AccessTokenRecord(id: "k1", userID: "u-alice", sealedSecret: "v1:k:sealed", digits: 6, algorithm: .sha1, period: 30, lastUsedStep: nil)
            try await store.write { tx in
                try await tx.insert(self.user(), at: self.now)
                try await tx.insert(token, at: self.now)
            }
            let loaded = try await store.read { try await $0.accessTokens(userID: "u-alice") }
            #expect(loaded == [token])
            #expect(try await store.write { try await $0.markStepUsed(tokenID: "k1", step: 100) })
            #expect(try await !store.write { try await $0.markStepUsed(tokenID: "k1", step: 100) })
            #expect(try await !store.write { try await $0.markStepUsed(tokenID: "k1", step: 99) })
            #expect(try await store.write { try await $0.markStepUsed(tokenID: "k1", step: 101) })
        }
    }

    @Test(arguments: StoreKind.available)
    func theAuditTrailListsByUserAndTime(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            let events = (0..<5).map { i in
                AuditEvent(id: "e\(i)", at: now.addingTimeInterval(Double(i)), action: "a\(i)", outcome: .success, userID: i % 2 == 0 ? "u1" : "u2", details: ["n": String(i)])
            }
            try await store.write { tx in for event in events { try await tx.append(event) } }
            #expect(try await store.read { try await $0.auditEvents() } == events)
            #expect(try await store.read { try await $0.auditEvents(userID: "u1") } == [events[0], events[2], events[4]])
            #expect(try await store.read { try await $0.auditEvents(since: self.now.addingTimeInterval(3)) } == [events[3], events[4]])
            #expect(try await store.read { try await $0.auditEvents(limit: 2) } == [events[0], events[1]])
        }
    }

    @Test(arguments: StoreKind.available)
    func systemPropertiesAreValidatedBeforeTheyAreStored(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            try await store.write { try await $0.setProperty("EdvTacAllowSmsTargets", to: "false") }
            try await store.write { try await $0.setProperty("MfaAttemptLimit", to: "3") }
            await #expect(throws: StepupError.self) { try await store.write { try await $0.setProperty("MfaAttemptLimit", to: "99") } }
            await #expect(throws: StepupError.self) { try await store.write { try await $0.setProperty("Nope", to: "1") } }
            let properties = try await store.read { try await $0.systemProperties() }
            #expect(properties.edvTacAllowSmsTargets == false)
            #expect(properties.attemptLimit == 3)
        }
    }

    @Test(arguments: StoreKind.available)
    func registrationsSSOIdentifiersAndRateEvents(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            try await store.write { tx in
                try await tx.insert(self.user(), at: self.now)
                try await tx.setRegistration(userID: "u-alice", provider: "idp", value: "sub-1")
                try await tx.setRegistration(userID: "u-alice", provider: "idp", value: "sub-2")
                try await tx.setSSOIdentifier(userID: "u-alice", identifier: "sso-9")
                for i in 0..<3 { try await tx.recordRateEvent(scope: "send.user", subject: "u-alice", at: self.now.addingTimeInterval(Double(i) * 1000)) }
            }
            let (registration, missing, sso, recent) = try await store.read { tx in
                (try await tx.registration(userID: "u-alice", provider: "idp"), try await tx.registration(userID: "u-alice", provider: "other"),
                 try await tx.ssoIdentifier(userID: "u-alice"),
                 try await tx.rateEventCount(scope: "send.user", subject: "u-alice", since: self.now.addingTimeInterval(500)))
            }
            #expect(registration == "sub-2")
            #expect(missing == nil)
            #expect(sso == "sso-9")
            #expect(recent == 2)
            try await store.write { try await $0.pruneRateEvents(before: self.now.addingTimeInterval(1500)) }
            #expect(try await store.read { try await $0.rateEventCount(scope: "send.user", subject: "u-alice", since: .distantPast) } == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func concurrentWritersQueueInsteadOfFailing(kind: StoreKind) async throws {
        try await TemporaryDatabase.with(kind) { store, _ async throws in
            try await store.appendConcurrently(ids: (0..<50).map { "e\($0)" }, at: now)
            #expect(try await store.read { try await $0.auditEvents(limit: 100) }.count == 50)
            #expect(await store.isReachable())
        }
    }
}
