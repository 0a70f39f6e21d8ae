// `exposure export SESSION --format bids|csv|jsonl`: research exports of one record.
import ArgumentParser
import Foundation
import Recording

extension ExportFormat: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a session record as BIDS-motion, CSV (one file per table) or JSON Lines.",
        discussion: "Exits with status 3 when parts of the record are damaged: everything readable is still exported and DAMAGE.txt names what is missing.")

    @Argument(help: "Session id (in the sessions directory) or path to a .session.sqlite file.")
    var session: String

    @Option(help: "bids, csv or jsonl.")
    var format: ExportFormat = .bids

    @Option(name: .shortAndLong, help: "Output directory (default: ./<session>-<format>).")
    var output: String?

    @OptionGroup var options: SessionsOptions

    func run() throws {
        let (dir, id) = SessionStore.locate(session, directory: options.url)
        let record = try SessionStore(directory: dir).read(id)
        let out = URL(fileURLWithPath: output ?? "\(id)-\(format.rawValue)")
        let result = try RecordExporter.export(record, format: format, to: out)
        for f in result.files { print(f) }
        if !result.damage.isEmpty {
            for d in result.damage { FileHandle.standardError.write(Data("damaged: \(d)\n".utf8)) }
            throw ExitCode(3)
        }
    }
}
