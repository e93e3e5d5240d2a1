import StepupCore
import StepupPlatform

/// The users `./scripts/bench` drives step-up flows with: `bench-0`… with password `bench-pw`, no logon MFA, one
/// email target each (codes go to the outbox). Seeded by `serve --benchmark-routes --benchmark-users N`; existing
/// ones are kept, so several nodes on one database can all be started with the flag.
enum BenchmarkUsers {
    static func seed(_ count: Int, on platform: Platform) async throws {
        let existing = Set(try await platform.users().map(\.username))
        for index in 0..<count where !existing.contains("bench-\(index)") {
            let user: User
            do {
                user = try await platform.createUser(
                    username: "bench-\(index)", displayName: "Bench \(index)", password: "bench-pw", logonMFA: .never)
            } catch {
                // Another node seeding the same database at the same moment may have taken this name ("taken", or a
                // unique-key failure); that node adds the target. Anything else is a real failure.
                guard try await platform.users().contains(where: { $0.username == "bench-\(index)" }) else { throw error }
                continue
            }
            _ = try await platform.addTarget(userID: user.id, kind: .email, address: "bench-\(index)@example.test")
        }
    }
}
