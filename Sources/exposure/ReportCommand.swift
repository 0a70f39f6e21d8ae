// `exposure report SESSION`: one self-contained HTML page for the clinician.
import ArgumentParser
import Foundation
import Recording

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report (plots of SUDS, intensity, heart rate, head motion, frame timing).")

    @Argument(help: "Session id (in the sessions directory) or path to a .session.sqlite file.")
    var session: String

    @Option(name: .shortAndLong, help: "Output HTML file (default: ./<session>-report.html).")
    var output: String?

    @OptionGroup var options: SessionsOptions

    func run() throws {
        let (dir, id) = SessionStore.locate(session, directory: options.url)
        let record = try SessionStore(directory: dir).read(id)
        let out = URL(fileURLWithPath: output ?? "\(id)-report.html")
        try SessionReport.write(record, to: out)
        print(out.path)
        for d in record.damage { FileHandle.standardError.write(Data("damaged: \(d)\n".utf8)) }
    }
}
