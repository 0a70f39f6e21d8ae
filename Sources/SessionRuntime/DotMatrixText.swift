// A 5x7 dot-matrix font for the few words the headset shows: the rating panel's "SUDS 45", and the
// therapist's short messages ("YOU ARE SAFE, BREATHE SLOWLY"). Text becomes runs of lit dots that
// the caller turns into boxes, so the renderer needs no font, texture or shader: every environment
// and the safe room can show it as plain geometry.
import Foundation

enum DotMatrixText {
    static let glyphWidth = 5
    static let glyphHeight = 7
    /// Columns from one character's left edge to the next: the glyph plus one blank column.
    static let advance = 6

    /// Lit dots of one row of one character, merged left to right into a single run.
    struct Run: Equatable {
        /// Which character of the text (0 = leftmost as the reader sees it).
        var character: Int
        /// Dot row from the top of the line (0...6).
        var row: Int
        /// Dot column from the left edge of the whole text.
        var column: Int
        /// Lit dots in the run.
        var length: Int
    }

    /// Width of `text` in dot columns (no trailing blank column).
    static func width(_ text: String) -> Int { max(0, text.count * advance - 1) }

    /// True when the font has a glyph of its own for every character (no placeholder needed).
    static func canDraw(_ text: String) -> Bool { text.allSatisfy { glyphs[$0] != nil } }

    /// `text` as the font will show it: lowercase as uppercase, accents dropped ("é" as "E"),
    /// typographic quotes and dashes as their plain forms, any space as a space. A character the
    /// font still cannot draw stays as it is and is drawn as `placeholder`, so nothing is lost silently.
    static func displayForm(_ text: String) -> String {
        var out = ""
        for ch in text {
            if ch.isWhitespace { out.append(" "); continue }
            if let plain = lookalikes[ch] { out += plain; continue }
            if glyphs[ch] != nil { out.append(ch); continue }
            let upper = String(ch).uppercased()
            if canDraw(upper) { out += upper; continue }
            let folded = String(ch).folding(options: .diacriticInsensitive, locale: nil).uppercased()
            out += canDraw(folded) && !folded.isEmpty ? folded : String(ch)
        }
        return out
    }

    /// Punctuation a phone or word processor substitutes for the plain kind the font draws.
    static let lookalikes: [Character: String] = [
        "\u{2018}": "'", "\u{2019}": "'", "\u{201C}": "\"", "\u{201D}": "\"",
        "\u{2013}": "-", "\u{2014}": "-", "\u{2026}": "...",
    ]

    /// The lit runs of `text`, left to right, top to bottom within each character; a character
    /// without a glyph is drawn as `placeholder`.
    static func runs(_ text: String) -> [Run] {
        var out: [Run] = []
        for (i, ch) in text.enumerated() {
            let rows = glyphs[ch] ?? placeholder
            for (r, line) in rows.enumerated() {
                var start: Int?
                // A blank past the last column closes a run that reaches the right edge.
                for (c, dot) in (Array(line) + [" "]).enumerated() {
                    if dot == "#" {
                        if start == nil { start = c }
                    } else if let s = start {
                        out.append(Run(character: i, row: r, column: i * advance + s, length: c - s))
                        start = nil
                    }
                }
            }
        }
        return out
    }

    /// Each glyph as seven rows of five columns, "#" lit, drawn as the reader sees it.
    static let glyphs: [Character: [String]] = [
        " ": ["     ", "     ", "     ", "     ", "     ", "     ", "     "],
        "0": [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
        "1": ["  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        "2": [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
        "3": ["#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "],
        "4": ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
        "5": ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
        "6": ["  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "],
        "7": ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
        "8": [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
        "9": [" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "],
        "S": [" ####", "#    ", "#    ", " ### ", "    #", "    #", "#### "],
        "U": ["#   #", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
        "D": ["#### ", "#   #", "#   #", "#   #", "#   #", "#   #", "#### "],
        "F": ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    "],
        "M": ["#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"],
        "E": ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"],
        "X": ["#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #"],
        "P": ["#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "],
        "A": [" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
        "B": ["#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "],
        "C": [" ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### "],
        "G": [" ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ####"],
        "H": ["#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
        "I": [" ### ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        "J": ["  ###", "   # ", "   # ", "   # ", "   # ", "#  # ", " ##  "],
        "K": ["#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"],
        "L": ["#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####"],
        "N": ["#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #"],
        "O": [" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
        "Q": [" ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #"],
        "R": ["#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"],
        "T": ["#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "],
        "V": ["#   #", "#   #", "#   #", "#   #", "#   #", " # # ", "  #  "],
        "W": ["#   #", "#   #", "#   #", "# # #", "# # #", "# # #", " # # "],
        "Y": ["#   #", "#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  "],
        "Z": ["#####", "    #", "   # ", "  #  ", " #   ", "#    ", "#####"],
        ".": ["     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "],
        ",": ["     ", "     ", "     ", "     ", " ##  ", "  #  ", " #   "],
        "!": ["  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "     ", "  #  "],
        "?": [" ### ", "#   #", "    #", "   # ", "  #  ", "     ", "  #  "],
        "'": [" ##  ", "  #  ", " #   ", "     ", "     ", "     ", "     "],
        "\"": [" # # ", " # # ", " # # ", "     ", "     ", "     ", "     "],
        "-": ["     ", "     ", "     ", "#####", "     ", "     ", "     "],
        ":": ["     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "],
        ";": ["     ", " ##  ", " ##  ", "     ", " ##  ", "  #  ", " #   "],
        "(": ["   # ", "  #  ", " #   ", " #   ", " #   ", "  #  ", "   # "],
        ")": [" #   ", "  #  ", "   # ", "   # ", "   # ", "  #  ", " #   "],
        "%": ["##   ", "##  #", "   # ", "  #  ", " #   ", "#  ##", "   ##"],
        "/": ["     ", "    #", "   # ", "  #  ", " #   ", "#    ", "     "],
        "+": ["     ", "  #  ", "  #  ", "#####", "  #  ", "  #  ", "     "],
        "=": ["     ", "     ", "#####", "     ", "#####", "     ", "     "],
        "&": [" ##  ", "#  # ", "# #  ", " #   ", "# # #", "#  # ", " ## #"],
    ]

    /// What a character the font lacks looks like: an empty box, the usual sign of a missing
    /// glyph, so the therapist's text never loses a character without the patient seeing a mark.
    static let placeholder = ["#####", "#   #", "#   #", "#   #", "#   #", "#   #", "#####"]
}
