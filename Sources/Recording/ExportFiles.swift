// Small helpers shared by the exports: number formatting, TSV/CSV cells, JSON, writing files.
import Foundation

enum ExportFiles {
    /// Shortest round-tripping decimal; "n/a" for non-finite values (BIDS convention).
    static func num(_ v: Double) -> String {
        guard v.isFinite else { return "n/a" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// A TSV cell: tabs and line breaks would break the row, so they become spaces.
    static func cell(_ s: String) -> String {
        let t = s.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\r", with: " ")
            .replacingOccurrences(of: "\n", with: " ")
        return t.isEmpty ? "n/a" : t
    }

    static func tsv(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 CSV field.
    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    static func csv(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func json(_ object: [String: Any]) -> String {
        guard JSONSerialization.isValidJSONObject(object),
              let d = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: d, as: UTF8.self) + "\n"
    }

    static func jsonLine(_ object: [String: Any]) -> String {
        guard JSONSerialization.isValidJSONObject(object),
              let d = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: d, as: UTF8.self)
    }

    /// JSON null for a missing value.
    static func orNull<T>(_ v: T?) -> Any { v.map { $0 as Any } ?? NSNull() }

    static func makeDirectory(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw RecordError.export(path: url.path, detail: "cannot create the directory: \(error.localizedDescription)")
        }
    }

    @discardableResult
    static func write(_ text: String, to url: URL) throws -> String {
        do { try text.write(to: url, atomically: true, encoding: .utf8) } catch {
            throw RecordError.export(path: url.path, detail: error.localizedDescription)
        }
        return url.path
    }
}
