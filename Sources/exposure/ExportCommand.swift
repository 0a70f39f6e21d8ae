// `exposure export SESSION... --format bids|csv|jsonl`: research exports of session records. BIDS
// exports of several sessions (or `--all`) make one dataset with every participant and session.
import ArgumentParser
import Foundation
import Recording

extension ExportFormat: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export session records as one BIDS dataset, CSV (one file per table) or JSON Lines.",
        discussion: """
            BIDS: every session named (or every session of the store with --all) is added to one dataset \
            (`--study DIR` or -o DIR), as sub-<participant>/ses-<session number>; a subject/session already \
            in the dataset is refused and named, never overwritten. CSV and JSON Lines: one folder per session.
            Exits with status 3 when parts of a record are damaged: everything readable is still exported and a \
            note names what is missing (beside a BIDS dataset, DAMAGE.txt in the others); 2 when a session \
            could not be exported at all.
            """)

    @Argument(help: "Session ids (in the sessions directory) or paths to .session.sqlite files.")
    var sessions: [String] = []

    @Flag(help: "Export every session record in the sessions directory.")
    var all = false

    @Option(help: "bids, csv or jsonl.")
    var format: ExportFormat = .bids

    @Option(name: .shortAndLong, help: "Output directory (default: ./<session>-<format> for one session).")
    var output: String?

    @Option(help: "The BIDS dataset to add the sessions to (the same as --format bids -o DIR).")
    var study: String?

    @OptionGroup var options: SessionsOptions

    func validate() throws {
        if all == !sessions.isEmpty { throw ValidationError("name the sessions to export, or --all (not both)") }
        if study != nil && output != nil { throw ValidationError("--study DIR already names the output; drop -o") }
        if study != nil && format != .bids { throw ValidationError("--study makes a BIDS dataset; it cannot be used with --format \(format.rawValue)") }
        if format == .bids, study == nil, output == nil, all || sessions.count > 1 {
            throw ValidationError("several sessions go into one dataset: name it with --study DIR")
        }
        if format != .bids, output != nil, all || sessions.count > 1 {
            throw ValidationError("-o names one session's folder; export several sessions without -o (each gets ./<session>-\(format.rawValue))")
        }
    }

    func run() throws {
        var records: [(dir: URL, id: String)]
        if all {
            let store = try SessionStore(directory: options.url)
            records = store.list().filter { $0.state != nil }.map { (options.url, $0.sessionID) }
            if records.isEmpty { print("No session records in \(options.url.path)."); return }
        } else {
            records = sessions.map { let l = SessionStore.locate($0, directory: options.url); return (l.directory, l.sessionID) }
        }
        var damaged = false, failed = false
        for (dir, id) in records {
            do {
                let record = try SessionStore(directory: dir).read(id)
                let out = URL(fileURLWithPath: study ?? output ?? "\(id)-\(format.rawValue)")
                let result = try RecordExporter.export(record, format: format, to: out)
                for f in result.files { print(f) }
                if !result.damage.isEmpty {
                    damaged = true
                    for d in result.damage { FileHandle.standardError.write(Data("damaged: \(id): \(d)\n".utf8)) }
                    if let note = result.damageNote { FileHandle.standardError.write(Data("damage noted in \(note)\n".utf8)) }
                }
            } catch {
                failed = true
                FileHandle.standardError.write(Data("error: \(id): \(error)\n".utf8))
            }
        }
        if failed { throw ExitCode(2) }
        if damaged { throw ExitCode(3) }
    }
}
