// A 5x7 dot-matrix font for the few words the headset shows (the rating panel's "SUDS 45",
// "FMS 12"). Text becomes runs of lit dots that the caller turns into boxes, so the renderer needs
// no font, texture or shader: every environment and the safe room can show it as plain geometry.

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

    /// The characters the font draws; anything else would come out blank.
    static func canDraw(_ text: String) -> Bool { text.allSatisfy { glyphs[$0] != nil } }

    /// The lit runs of `text`, left to right, top to bottom within each character.
    static func runs(_ text: String) -> [Run] {
        var out: [Run] = []
        for (i, ch) in text.enumerated() {
            guard let rows = glyphs[ch] else { continue }
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
    ]
}
