import RegistryCore

/// A number for SVG coordinates, to one decimal.
func svgNumber(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}

/// One self-contained page: inline style, no scripts, nothing fetched from elsewhere.
func htmlPage(title: String, body: String) -> String {
    """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>\(escapeHTML(title))</title>
    <style>
    body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1f2933; margin: 24px 32px; max-width: 1000px; }
    h1 { font-size: 22px; margin-bottom: 4px; }
    h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #cbd2d9; padding-bottom: 4px; }
    h3 { font-size: 15px; margin: 18px 0 6px; }
    p.meta, p.note { color: #52606d; font-size: 13px; margin: 4px 0; }
    table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
    th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #e4e7eb; }
    th { background: #f5f7fa; }
    td.number { text-align: right; font-variant-numeric: tabular-nums; }
    .flag { background: #fde8e8; color: #9b1c1c; padding: 2px 6px; border-radius: 4px; font-weight: bold; font-size: 13px; }
    svg { display: block; margin: 6px 0 12px; }
    svg text { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; }
    </style>
    </head>
    <body>
    \(body)
    </body>
    </html>

    """
}

/// Fill colours for bands from the least to the most severe.
func bandColours(_ count: Int) -> [String] {
    let palette = ["#e3f4e8", "#f1f7d7", "#fdf3d0", "#fde3c8", "#f9d0cc", "#f2b8b5"]
    guard count > 1 else { return Array(palette.prefix(count)) }
    return (0..<count).map { palette[Int((Double($0) / Double(count - 1) * Double(palette.count - 1)).rounded())] }
}
