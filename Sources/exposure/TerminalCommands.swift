// What the therapist at the terminal can ask while `exposure session` runs: `codes` + Enter (or
// SIGUSR1) issues new pairing codes and prints them; the old ones stop working. In OpenXR mode
// stdin is read here; in desktop mode stdin lines are the loop's keys and reach us through the bridge.
import Foundation
import SessionRuntime

final class TerminalCommands: @unchecked Sendable {
    private let host: ConsoleHost
    private var signalSource: DispatchSourceSignal?

    static let help = "type `codes` + Enter (or send SIGUSR1) for new pairing codes"

    init(host: ConsoleHost) { self.host = host }

    /// `readStdin`: false when something else reads stdin (desktop mode's keys).
    func start(readStdin: Bool, bridge: XRBridge) {
        signal(SIGUSR1, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: .global())
        source.setEventHandler { [weak self] in self?.newCodes() }
        source.resume()
        signalSource = source
        if readStdin {
            let thread = Thread { [weak self] in
                while let line = readLine() { self?.handle(line) }
            }
            thread.name = "terminal-commands"
            thread.start()
        } else {
            bridge.onTerminalLine = { [weak self] line in self?.handle(line) }
        }
    }

    func handle(_ line: String) {
        switch line.trimmingCharacters(in: .whitespaces).lowercased() {
        case "codes": newCodes()
        case "": break
        default: print("unknown command `\(line)`: \(Self.help)"); fflush(stdout)
        }
    }

    private func newCodes() {
        print(host.issueNewPairingCodes())
        fflush(stdout)
    }

    func cancel() {
        signalSource?.cancel()
        signalSource = nil
        signal(SIGUSR1, SIG_DFL)
    }
}
