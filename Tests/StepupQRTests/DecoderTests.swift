import Foundation
import Testing

@testable import StepupQR

/// Round trips through a real reader, ZBar: the end-to-end check that phones will read what we draw.
@Suite(
    "Decoded by zbarimg",
    .enabled(if: ExternalTools.zbarimg != nil, "zbarimg not on PATH; install Debian/Ubuntu package zbar-tools"))
struct DecoderTests {
    static func decode(_ image: Data) throws -> String? {
        let zbarimg = try #require(ExternalTools.zbarimg)
        let directory = try ExternalTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("code.png")
        try image.write(to: url)
        let result = try ExternalTools.run(zbarimg, ["--raw", "-q", url.path])
        guard result.status == 0 else { return nil }
        var text = String(decoding: result.stdout, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }  // zbarimg ends each symbol with a newline
        return text
    }

    static let payloads: [(String, String)] = [
        ("short", "hello"),
        ("otpauth", Fixtures.otpauth),
        ("UTF-8", "Demo Bank – Zürich ✓"),
        ("1000 ASCII bytes", Fixtures.ascii(count: 1000)),
    ]

    @Test("PNG decodes to the payload", arguments: payloads.indices)
    func pngRoundTrip(index: Int) throws {
        let (name, text) = Self.payloads[index]
        let code = try QRCode(text: text)
        #expect(try Self.decode(Data(code.png())) == text, "\(name), v\(code.version) mask \(code.mask)")
    }

    @Test("Every error-correction level and every mask decodes", arguments: QRCode.ErrorCorrection.allCases)
    func everyLevelAndMask(level: QRCode.ErrorCorrection) throws {
        for mask in Masking.masks {
            let code = try QRCode(text: Fixtures.otpauth, errorCorrection: level, mask: mask)
            #expect(try Self.decode(Data(code.png(scale: 3))) == Fixtures.otpauth, "\(level) mask \(mask)")
        }
        let automatic = try QRCode(text: Fixtures.ascii(count: 500), errorCorrection: level)
        #expect(try Self.decode(Data(automatic.png())) == Fixtures.ascii(count: 500), "\(level) v\(automatic.version)")
    }

    @Test("A full version 40 symbol decodes")
    func largestSymbol() throws {
        let text = Fixtures.ascii(count: QRCode.maximumBytes())
        let code = try QRCode(text: text)
        #expect(code.version == 40)
        #expect(try Self.decode(Data(code.png(scale: 4))) == text)
    }

    @Test(
        "SVG rendered by rsvg-convert decodes to the payload",
        .enabled(if: ExternalTools.rsvgConvert != nil, "rsvg-convert not on PATH; install librsvg2-bin"),
        arguments: payloads.indices)
    func svgRoundTrip(index: Int) throws {
        let rsvgConvert = try #require(ExternalTools.rsvgConvert)
        let (name, text) = Self.payloads[index]
        let code = try QRCode(text: text)
        let directory = try ExternalTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let svgURL = directory.appendingPathComponent("code.svg")
        let pngURL = directory.appendingPathComponent("code.png")
        try code.svg(moduleSize: 4, title: "Enrol \(name)").write(to: svgURL, atomically: true, encoding: .utf8)
        let result = try ExternalTools.run(rsvgConvert, ["-o", pngURL.path, svgURL.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.decode(Data(contentsOf: pngURL)) == text, "\(name) via SVG")
    }
}
