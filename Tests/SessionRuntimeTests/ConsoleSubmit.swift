import Control
import SessionRuntime

/// A console command through the real bridge in a test that drives frames by hand: the bridge
/// waits for the engine's decision, so the command is posted, one frame runs (`frame`), and the
/// decision comes back.
func submitAndRunOneFrame(_ bridge: ControlBridge, _ session: PreparedSession, _ command: ControlCommand,
                          from sender: Sender, frame: () -> Void) async -> CommandOutcome {
    let before = session.conductor.mailbox.waiting
    let task = Task { await bridge.submit(command, from: sender) }
    for _ in 0..<500 where session.conductor.mailbox.waiting == before {
        try? await Task.sleep(nanoseconds: 2_000_000)
    }
    frame()
    return await task.value
}
