import Foundation
import Testing

@testable import StepupQR

@Suite("SVG and PNG output")
struct RenderingTests {
    // MARK: Checksums

    @Test("CRC-32 and Adler-32 check values")
    func checksumVectors() {
        #expect(Checksums.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Checksums.crc32(Array("IEND".utf8)) == 0xAE42_6082)  // every PNG's last four bytes
        #expect(Checksums.crc32([UInt8]()) == 0)
        #expect(Checksums.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Checksums.adler32([UInt8]()) == 1)
    }

    @Test("Adler-32's deferred reduction equals reducing after every byte")
    func adlerLongInput() {
        let data = [UInt8](repeating: 0xFF, count: 100_000) + Fixtures.pseudoRandomBytes(count: 20_000, seed: 5)
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        #expect(Checksums.adler32(data) == b << 16 | a)
    }

    /// Reads a zlib stream of stored blocks back, checking each header the way an inflater would.
    static func inflateStored(_ stream: [UInt8]) -> [UInt8]? {
        guard stream.count >= 6, stream[0] == 0x78, (Int(stream[0]) << 8 | Int(stream[1])) % 31 == 0 else { return nil }
        var out: [UInt8] = []
        var i = 2
        while true {
            guard i + 5 <= stream.count, stream[i] & 0b110 == 0 else { return nil }  // BTYPE 00
            let final = stream[i] & 1 == 1
            let len = Int(stream[i + 1]) | Int(stream[i + 2]) << 8
            let nlen = Int(stream[i + 3]) | Int(stream[i + 4]) << 8
            guard len ^ nlen == 0xFFFF, i + 5 + len <= stream.count else { return nil }
            out += stream[(i + 5)..<(i + 5 + len)]
            i += 5 + len
            if final { break }
        }
        guard i + 4 == stream.count else { return nil }
        let adler = stream[i..<(i + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return adler == Checksums.adler32(out) ? out : nil
    }

    @Test("Stored deflate splits at 65 535 bytes and round-trips, empty input included")
    func zlibStoredBlocks() {
        for count in [0, 1, 65_535, 65_536, 200_000] {
            let data = Fixtures.pseudoRandomBytes(count: count, seed: UInt32(count + 1))
            let stream = QRCode.zlibStored(data)
            #expect(Self.inflateStored(stream) == data, "\(count) bytes")
            #expect(stream.count == 2 + 5 * max(1, (count + 65_534) / 65_535) + count + 4)
        }
    }

    // MARK: PNG

    struct DecodedPNG {
        var width = 0, height = 0
        var header: [UInt8] = []
        var chunkTypes: [String] = []
        var pixels: [[UInt8]] = []
    }

    static func decodePNG(_ png: [UInt8]) -> DecodedPNG? {
        guard png.count > 8, Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            return nil
        }
        var result = DecodedPNG()
        var idat: [UInt8] = []
        var i = 8
        func u32(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        while i + 12 <= png.count {
            let length = u32(i)
            guard i + 12 + length <= png.count else { return nil }
            let typeAndData = Array(png[(i + 4)..<(i + 8 + length)])
            guard UInt32(u32(i + 8 + length)) == Checksums.crc32(typeAndData) else { return nil }
            let type = String(decoding: typeAndData.prefix(4), as: UTF8.self)
            result.chunkTypes.append(type)
            let data = Array(typeAndData.dropFirst(4))
            if type == "IHDR" { result.header = data }
            if type == "IDAT" { idat += data }
            i += 12 + length
        }
        guard result.header.count == 13, let raw = inflateStored(idat) else { return nil }
        result.width = result.header[0..<4].reduce(0) { $0 << 8 | Int($1) }
        result.height = result.header[4..<8].reduce(0) { $0 << 8 | Int($1) }
        guard raw.count == (result.width + 1) * result.height else { return nil }
        for y in 0..<result.height {
            let row = raw[(y * (result.width + 1))..<((y + 1) * (result.width + 1))]
            guard row.first == 0 else { return nil }
            result.pixels.append(Array(row.dropFirst()))
        }
        return result
    }

    @Test("PNG: valid chunks, 8-bit greyscale header, pixels are the modules", arguments: [(1, 0), (4, 4), (3, 2)])
    func pngPixels(scale: Int, quietZone: Int) throws {
        let code = try QRCode(text: Fixtures.otpauth)
        let decoded = try #require(Self.decodePNG(code.png(scale: scale, quietZone: quietZone)))
        #expect(decoded.chunkTypes == ["IHDR", "IDAT", "IEND"])
        let side = (code.size + 2 * quietZone) * scale
        #expect(decoded.width == side && decoded.height == side)
        #expect(Array(decoded.header[8...]) == [8, 0, 0, 0, 0])
        var wrong = 0
        for y in 0..<side {
            for x in 0..<side {
                let dark = code[x / scale - quietZone, y / scale - quietZone]
                if decoded.pixels[y][x] != (dark ? 0 : 255) { wrong += 1 }
            }
        }
        #expect(wrong == 0)
    }

    @Test("PNG scale is clamped to 1...64 and the image side to 4096 pixels")
    func pngClamping() throws {
        let small = try QRCode(text: "hi")
        let side = small.size + 8
        #expect(Self.decodePNG(small.png(scale: 0))?.width == side)
        #expect(Self.decodePNG(small.png(scale: -7))?.width == side)
        #expect(Self.decodePNG(small.png(scale: Int.max))?.width == side * 64)
        #expect(Self.decodePNG(small.png(scale: 2, quietZone: Int.max))?.width == (small.size + 32) * 2)
        #expect(Self.decodePNG(small.png(scale: 2, quietZone: Int.min))?.width == small.size * 2)
        let large = try QRCode(bytes: [UInt8](repeating: 0x41, count: 2331))
        let width = try #require(Self.decodePNG(large.png(scale: 64))?.width)
        #expect(width <= 4096 && width == (4096 / (large.size + 8)) * (large.size + 8))
    }

    // MARK: SVG

    /// Rebuilds the module matrix from the path's "Mx yhNv1h-Nz" rectangles.
    static func modules(fromSVG svg: String, quietZone: Int, size: Int) -> [[Bool]]? {
        guard let start = svg.range(of: "<path fill=\"#000\" d=\""),
            let end = svg[start.upperBound...].firstIndex(of: "\"")
        else { return nil }
        var grid = [[Bool]](repeating: [Bool](repeating: false, count: size), count: size)
        for command in svg[start.upperBound..<end].split(separator: "z") {
            let parts = command.dropFirst().split(whereSeparator: { "hv ".contains($0) })
            guard command.first == "M", parts.count == 5, let x = Int(parts[0]), let y = Int(parts[1]),
                let width = Int(parts[2]), parts[3] == "1", Int(parts[4]) == -width
            else { return nil }
            for dx in 0..<width {
                let column = x - quietZone + dx
                let row = y - quietZone
                guard (0..<size).contains(column), (0..<size).contains(row), !grid[row][column] else { return nil }
                grid[row][column] = true
            }
        }
        return grid
    }

    @Test("SVG: one path whose rectangles are exactly the dark modules, crisp edges, viewBox, role")
    func svgStructure() throws {
        let code = try QRCode(text: Fixtures.otpauth)
        let svg = code.svg(moduleSize: 5, quietZone: 3)
        let side = code.size + 6
        #expect(svg.contains("viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("width=\"\(side * 5)\" height=\"\(side * 5)\""))
        #expect(svg.contains("shape-rendering=\"crispEdges\""))
        #expect(svg.contains("role=\"img\""))
        #expect(svg.components(separatedBy: "<path").count == 2)
        #expect(!svg.contains("<title>"))
        let grid = try #require(Self.modules(fromSVG: svg, quietZone: 3, size: code.size))
        #expect(grid == (0..<code.size).map { y in (0..<code.size).map { x in code[x, y] } })
    }

    @Test("SVG title is escaped and stripped of characters XML cannot hold")
    func svgTitle() throws {
        let code = try QRCode(text: "t")
        let svg = code.svg(title: "Bank <script>&\"'\u{0}\u{1B}\u{FFFE}\tok ✓")
        #expect(svg.contains("<title>Bank &lt;script&gt;&amp;&quot;&apos;\tok ✓</title>"))
        #expect(!svg.contains("<script>"))
        #expect(code.svg(title: "").contains("<title></title>"))
    }

    @Test("SVG sizes are clamped")
    func svgClamping() throws {
        let code = try QRCode(text: "t")
        #expect(code.svg(moduleSize: Int.max, quietZone: Int.max).contains("width=\"\((code.size + 32) * 64)\""))
        #expect(code.svg(moduleSize: Int.min, quietZone: Int.min).contains("viewBox=\"0 0 \(code.size) \(code.size)\""))
    }

    /// An independent reader for both formats: Python's zlib, binascii.crc32 and XML parser.
    @Test(
        "Python's zlib/CRC and XML parser accept our PNG and SVG",
        .enabled(if: ExternalTools.python3 != nil, "python3 not on PATH"))
    func pythonReadsOutput() throws {
        let python3 = try #require(ExternalTools.python3)
        let code = try QRCode(text: Fixtures.otpauth, errorCorrection: .quartile)
        let directory = try ExternalTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pngURL = directory.appendingPathComponent("code.png")
        let svgURL = directory.appendingPathComponent("code.svg")
        try Data(code.png(scale: 2, quietZone: 4)).write(to: pngURL)
        try code.svg(title: "A & B <c>").write(to: svgURL, atomically: true, encoding: .utf8)
        let script = """
            import binascii, struct, sys, zlib
            import xml.etree.ElementTree as ET
            data = open(sys.argv[1], "rb").read()
            assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
            i, idat = 8, b""
            while i < len(data):
                (length,) = struct.unpack(">I", data[i:i + 4])
                kind, body = data[i + 4:i + 8], data[i + 8:i + 8 + length]
                (crc,) = struct.unpack(">I", data[i + 8 + length:i + 12 + length])
                assert binascii.crc32(kind + body) == crc, kind
                if kind == b"IHDR": w, h, depth, colour = struct.unpack(">IIBB", body[:10])
                if kind == b"IDAT": idat += body
                i += 12 + length
            raw = zlib.decompress(idat)
            assert (depth, colour) == (8, 0) and len(raw) == (w + 1) * h
            rows = [raw[y * (w + 1) + 1:(y + 1) * (w + 1)] for y in range(0, h, 2)]
            print("".join("".join("1" if row[x] == 0 else "0" for x in range(8, w - 8, 2)) for row in rows[4:-4]))
            root = ET.parse(sys.argv[2]).getroot()
            ns = "{http://www.w3.org/2000/svg}"
            assert root.tag == ns + "svg" and root.get("role") == "img"
            assert root.find(ns + "title").text == "A & B <c>"
            assert len(root.findall(ns + "path")) == 1
            """
        let result = try ExternalTools.run(python3, ["-c", script, pngURL.path, svgURL.path])
        #expect(result.status == 0, "\(result.stderr)")
        let modules = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(modules == code.rows.joined())
    }
}
