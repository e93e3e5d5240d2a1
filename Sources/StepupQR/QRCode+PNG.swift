extension QRCode {
    /// An 8-bit greyscale PNG, black modules on white, `scale` pixels per module and `quietZone` modules of
    /// margin.
    ///
    /// The zlib stream uses stored (uncompressed) deflate blocks: a QR code image is tiny either way, and this
    /// keeps the writer free of a compressor and of any dependency. `scale` is clamped to 1...64, then lowered
    /// until the image side is at most 4096 pixels; `quietZone` is clamped to 0...16.
    public func png(scale: Int = 4, quietZone: Int = 4) -> [UInt8] {
        let margin = RenderingLimits.clamp(quietZone, to: RenderingLimits.quietZone)
        let side = size + 2 * margin
        let requested = RenderingLimits.clamp(scale, to: RenderingLimits.moduleSize)
        let pixelsPerModule = max(1, min(requested, RenderingLimits.maximumPixels / side))
        let width = side * pixelsPerModule

        // Scanlines: a filter byte (0, none) then one byte per pixel; 0x00 black, 0xFF white.
        var raw: [UInt8] = []
        raw.reserveCapacity((width + 1) * width)
        var line = [UInt8](repeating: 0xFF, count: width)
        for moduleY in 0..<side {
            for moduleX in 0..<side {
                let value: UInt8 = self[moduleX - margin, moduleY - margin] ? 0x00 : 0xFF
                let start = moduleX * pixelsPerModule
                for px in start..<(start + pixelsPerModule) { line[px] = value }
            }
            for _ in 0..<pixelsPerModule {
                raw.append(0)
                raw.append(contentsOf: line)
            }
        }

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(width))
        header += [8, 0, 0, 0, 0]  // bit depth 8, greyscale, deflate, adaptive filtering, no interlace
        png.appendChunk("IHDR", header)
        png.appendChunk("IDAT", Self.zlibStored(raw))
        png.appendChunk("IEND", [])
        return png
    }

    /// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 §3.2.4), each at most 65 535 bytes.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]  // deflate, 32 KiB window, no dictionary, "fastest"; 0x7801 % 31 == 0
        let blockLimit = 65_535
        var offset = 0
        repeat {
            let length = min(blockLimit, data.count - offset)
            let isFinal = offset + length == data.count
            out.append(isFinal ? 1 : 0)  // BFINAL, BTYPE = 00; the rest of the byte pads to the boundary
            let len = UInt16(length)
            out += [UInt8(len & 0xFF), UInt8(len >> 8), UInt8(~len & 0xFF), UInt8(~len >> 8)]
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        out.appendBigEndian(Checksums.adler32(data))
        return out
    }
}

extension [UInt8] {
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24))
        append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF))
        append(UInt8(value & 0xFF))
    }

    /// Length, type, data, then a CRC over type and data.
    fileprivate mutating func appendChunk(_ type: String, _ data: [UInt8]) {
        let typeBytes = Array(type.utf8)
        appendBigEndian(UInt32(data.count))
        append(contentsOf: typeBytes)
        append(contentsOf: data)
        appendBigEndian(Checksums.crc32(typeBytes + data))
    }
}
