import Foundation
import Hummingbird
import Testing

@testable import StepupServer

@Suite("OpenAPI document")
struct OpenAPITests {
    /// `METHOD /path/{param}` for every operation in the checked-in document.
    func documented() throws -> Set<String> {
        let data = try #require(OpenAPIDocument.data)
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        return Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
    }

    /// The same for every route the demo server has; captures normalised to `{name}`.
    func served() async throws -> Set<String> {
        let fixture = try await ServerFixture(demo: true)
        let routes = fixture.router.routes.map { route -> String in
            let path = route.path.description.split(separator: "/").map { segment -> String in
                if segment.hasPrefix(":") { return "{\(segment.dropFirst())}" }
                return String(segment)
            }.joined(separator: "/")
            return "\(route.method.rawValue) /\(path)"
        }
        await fixture.store.close()
        return Set(routes)
    }

    @Test func everyServedRouteIsDocumentedAndEveryDocumentedRouteIsServed() async throws {
        let documented = try documented()
        let served = try await served()
        #expect(served.subtracting(documented).isEmpty, "undocumented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "not served: \(documented.subtracting(served).sorted())")
        #expect(served.count >= 12)
    }

    @Test func theDocumentIsServed() async throws {
        let fixture = try await ServerFixture()
        try await fixture.test { client async throws in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.text.contains("\"/api/mfa/challenges/{id}/verify-code\""))
        }
    }
}
