extension QRCode {
    /// An SVG document: a white background and one black `<path>` made of one rectangle per horizontal run of
    /// dark modules.
    ///
    /// Drawing in module units inside a `viewBox` keeps the file small and lets the page scale it freely;
    /// `moduleSize` only sets the intrinsic width and height. `shape-rendering="crispEdges"` stops anti-aliasing
    /// from greying module edges, which scanners dislike. The background is drawn so the code still reads on a
    /// dark page. `title` becomes the accessible name (`role="img"` plus `<title>`), e.g. "Scan with your
    /// authenticator app".
    ///
    /// `moduleSize` is clamped to 1...64 and `quietZone` to 0...16; the standard asks for a quiet zone of 4.
    public func svg(moduleSize: Int = 4, quietZone: Int = 4, title: String? = nil) -> String {
        let unit = RenderingLimits.clamp(moduleSize, to: RenderingLimits.moduleSize)
        let margin = RenderingLimits.clamp(quietZone, to: RenderingLimits.quietZone)
        let side = size + 2 * margin
        let pixels = side * unit

        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard self[x, y] else {
                    x += 1
                    continue
                }
                var end = x
                while end < size && self[end, y] { end += 1 }
                path += "M\(x + margin) \(y + margin)h\(end - x)v1h-\(end - x)z"
                x = end
            }
        }

        var svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" role=\"img\""
        svg += " width=\"\(pixels)\" height=\"\(pixels)\" viewBox=\"0 0 \(side) \(side)\""
        svg += " shape-rendering=\"crispEdges\">"
        if let title {
            svg += "<title>\(Self.xmlEscaped(title))</title>"
        }
        svg += "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/>"
        svg += "<path fill=\"#000\" d=\"\(path)\"/>"
        svg += "</svg>\n"
        return svg
    }

    /// Escapes markup characters and drops the characters XML 1.0 cannot carry at all (C0 controls other than
    /// tab, newline and return; U+FFFE, U+FFFF), so a title taken from user data can neither break the document
    /// nor inject elements.
    static func xmlEscaped(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                if value < 0x20 || value == 0xFFFE || value == 0xFFFF { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
