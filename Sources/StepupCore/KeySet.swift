import Crypto
import Foundation

/// The platform's encryption keys: 256-bit AES keys by id, one of them current.
///
/// New data is sealed with the current key and names its key id, so after a rotation (a new current key, the old
/// ones kept) everything sealed before still opens. Sealed form: `v1:<key id>:<base64url(AES-GCM nonce‖ciphertext‖tag)>`,
/// with the purpose and row id as authenticated data so a sealed value cannot be moved to another row.
public struct KeySet: Sendable {
    public let currentID: String
    private let keys: [String: SymmetricKey]

    public init(currentID: String, keys: [String: SymmetricKey]) throws {
        guard keys[currentID] != nil else {
            throw StepupError(.configurationInvalid, message: "the key set has no key \(currentID)")
        }
        for (id, key) in keys {
            guard Self.isValidID(id), key.bitCount == 256 else {
                throw StepupError(.configurationInvalid, message: "key \(id) must be 32 bytes with an id of letters, digits, - or _")
            }
        }
        self.currentID = currentID
        self.keys = keys
    }

    public var ids: [String] { keys.keys.sorted() }

    /// A new key set with one random key.
    public static func generate(id: String = "k1") throws -> KeySet {
        try KeySet(currentID: id, keys: [id: SymmetricKey(size: .bits256)])
    }

    /// This key set plus a new random current key; old keys stay to open old data.
    public func rotated(newID: String) throws -> KeySet {
        guard keys[newID] == nil else { throw StepupError(.configurationInvalid, message: "key \(newID) exists already") }
        var all = keys
        all[newID] = SymmetricKey(size: .bits256)
        return try KeySet(currentID: newID, keys: all)
    }

    public func seal(_ plaintext: [UInt8], purpose: String) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: keys[currentID]!, authenticating: Array(purpose.utf8))
        guard let combined = box.combined else { throw StepupError(.internal) }
        return "v1:\(currentID):\(Base64URL.encode(combined))"
    }

    public func open(_ sealed: String, purpose: String) throws -> [UInt8] {
        let parts = sealed.split(separator: ":", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "v1", let combined = Base64URL.decode(parts[2]) else {
            throw StepupError(.configurationInvalid, message: "a sealed secret is not in the v1 format")
        }
        guard let key = keys[parts[1]] else {
            throw StepupError(.configurationInvalid, message: "a secret is sealed with key \(parts[1]), which the key set lacks")
        }
        do {
            return Array(try AES.GCM.open(AES.GCM.SealedBox(combined: combined), using: key, authenticating: Array(purpose.utf8)))
        } catch {
            throw StepupError(.configurationInvalid, message: "a sealed secret does not open with key \(parts[1])")
        }
    }

    // MARK: The key file: {"current": "k2", "keys": {"k1": "<base64>", "k2": "<base64>"}}

    struct File: Codable {
        let current: String
        let keys: [String: String]
    }

    public init(json data: Data) throws {
        guard let file = try? JSONDecoder().decode(File.self, from: data) else {
            throw StepupError(.configurationInvalid, message: #"the key set is not {"current": ID, "keys": {ID: base64}}"#)
        }
        var keys: [String: SymmetricKey] = [:]
        for (id, text) in file.keys {
            guard let bytes = Data(base64Encoded: text) else {
                throw StepupError(.configurationInvalid, message: "key \(id) is not base64")
            }
            keys[id] = SymmetricKey(data: bytes)
        }
        try self.init(currentID: file.current, keys: keys)
    }

    public func json() throws -> Data {
        let encoded = keys.mapValues { key in key.withUnsafeBytes { Data($0).base64EncodedString() } }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(File(current: currentID, keys: encoded))
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 32 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
