import Foundation

@testable import StepupQR

/// Asks Python's segno (an independent, ISO-citing encoder) for symbols, in one batch per test so the
/// interpreter starts once.
enum Segno {
    struct Request: Encodable {
        let hex: String
        let error: String
        /// `nil` lets segno pick the smallest version.
        let version: Int?
        /// `nil` lets segno pick the mask.
        let mask: Int?

        init(bytes: [UInt8], level: QRCode.ErrorCorrection, version: Int?, mask: Int?) {
            hex = bytes.map { String(format: "%02x", $0) }.joined()
            error = level.segnoName
            self.version = version
            self.mask = mask
        }
    }

    struct Symbol: Decodable {
        let version: Int
        let mask: Int
        /// segno's data capacity in bits for this version and level, from its own table.
        let dataBits: Int
        /// Module rows, top first, "1" = dark, no quiet zone.
        let rows: [String]
        /// segno's `mask_scores` (N1, N2, N3, N4) of the finished symbol.
        let scores: [Int]
        /// The same with format information, version information and the dark module light — the state in
        /// which segno scores masks when choosing one.
        let scoresBeforeFormat: [Int]
    }

    static let script = #"""
        import json, sys
        import segno
        from segno import consts, encoder

        # segno (1.6.6 when this was written) appends 8 zero bits when the stream already ends on a codeword
        # boundary after the terminator — in byte mode, every symbol with room for the terminator — so its first
        # pad codeword is 0x00 instead of 0xEC. ISO/IEC 18004:2015 §7.4.10 adds padding bits only "if the bit
        # stream length is such that it does not end at a codeword boundary"; ZXing and Nayuki agree. Reported
        # upstream as heuer/segno#123 and #148. Readers ignore everything after the terminator, so both symbols
        # decode, but to compare module for module we use the corrected rule (a no-op once segno fixes it).
        def write_padding_bits(buff, version, length):
            if version not in (consts.VERSION_M1, consts.VERSION_M3):
                buff.extend([0] * (-length % 8))
        encoder.write_padding_bits = write_padding_bits

        def blank(m, n, version):
            # Format areas, dark module and version areas back to light, as segno's make_matrix reserves them
            # before masks are scored. Row/column 6 inside that area is timing and stays.
            m = [bytearray(r) for r in m]
            for i in range(9):
                if i != 6:
                    m[i][8] = 0
                    m[8][i] = 0
            for i in range(8):
                m[n - 1 - i][8] = 0
                m[8][n - 1 - i] = 0
            if version >= 7:
                for i in range(6):
                    for j in (n - 11, n - 10, n - 9):
                        m[i][j] = 0
                        m[j][i] = 0
            return m

        out = []
        for r in json.load(open(sys.argv[1])):
            qr = segno.make(bytes.fromhex(r["hex"]), error=r["error"], mode="byte",
                            version=r.get("version"), mask=r.get("mask"), micro=False,
                            boost_error=False)
            m = [bytearray(row) for row in qr.matrix]
            n = len(m)
            out.append({
                "version": qr.version,
                "mask": qr.mask,
                "dataBits": consts.SYMBOL_CAPACITY[qr.version][consts.ERROR_MAPPING[qr.error]],
                "rows": ["".join("1" if b else "0" for b in row) for row in m],
                "scores": list(encoder.mask_scores(m, n, n)),
                "scoresBeforeFormat": list(encoder.mask_scores(blank(m, n, qr.version), n, n)),
            })
        json.dump(out, sys.stdout)
        """#

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func symbols(_ requests: [Request]) throws -> [Symbol] {
        guard let python3 = ExternalTools.python3 else { throw Failure(description: "python3 not on PATH") }
        let directory = try ExternalTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let scriptURL = directory.appendingPathComponent("segno_symbols.py")
        let requestURL = directory.appendingPathComponent("requests.json")
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        try JSONEncoder().encode(requests).write(to: requestURL)
        let result = try ExternalTools.run(python3, [scriptURL.path, requestURL.path])
        guard result.status == 0 else {
            throw Failure(description: "segno script failed (\(result.status)): \(result.stderr)")
        }
        let symbols = try JSONDecoder().decode([Symbol].self, from: result.stdout)
        guard symbols.count == requests.count else {
            throw Failure(description: "asked for \(requests.count) symbols, got \(symbols.count)")
        }
        return symbols
    }
}
