// `exposure sessions`: the records in a sessions directory with their state and length.
import ArgumentParser
import Foundation
import Recording

struct SessionsOptions: ParsableArguments {
    @Option(name: .customLong("sessions"), help: "Sessions directory (default: $EXPOSURE_SESSIONS or ./sessions).")
    var directory: String?

    var url: URL {
        URL(fileURLWithPath: directory ?? ProcessInfo.processInfo.environment["EXPOSURE_SESSIONS"] ?? "sessions")
    }
}

struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions", abstract: "List session records with their state and length.")

    @OptionGroup var options: SessionsOptions

    func run() throws {
        let store = try SessionStore(directory: options.url)
        for id in store.recoveredSessions {
            FileHandle.standardError.write(Data("note: \(id) was left running by a process that ended; marked interrupted\n".utf8))
        }
        let list = store.list()
        if list.isEmpty { print("No session records in \(options.url.path)."); return }
        let f = ISO8601DateFormatter()
        print(["SESSION", "PARTICIPANT", "PROTOCOL", "STATE", "STARTED (UTC)", "LENGTH", "EVENTS", "OUTCOME"].joined(separator: "\t"))
        for s in list {
            let started = s.startWallClock.map { f.string(from: Date(timeIntervalSince1970: $0)) } ?? "?"
            let length = s.durationSeconds.map { String(format: "%d:%02d", Int($0) / 60, Int($0) % 60) } ?? "?"
            print([s.sessionID, s.participantID, s.protocolID, s.state?.rawValue ?? "unreadable", started, length,
                   String(s.eventCount), s.outcome].joined(separator: "\t"))
            if let p = s.problem { print("  damaged: \(p)") }
        }
    }
}
