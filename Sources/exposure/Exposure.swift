import ArgumentParser

// One file per subcommand (RenderCommand.swift, DoctorCommand.swift, ...). Add yours to the list.
@main
struct Exposure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exposure",
        abstract: "VR exposure-therapy session runtime: sessions, previews, protocols, records.",
        subcommands: [
            Version.self,
            Session.self,
            Demo.self,
            Validate.self,
            Simulate.self,
            SessionsCommand.self, ExportCommand.self, ReportCommand.self, RecordSoakCommand.self,
            RenderCommand.self,
            DoctorCommand.self,
            BenchCommand.self,
            AudioPreview.self,
        ])
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the software version recorded in session records.")
    func run() { print(SoftwareVersion.string) }
}

enum SoftwareVersion {
    static let string = "0.1.0"
}
