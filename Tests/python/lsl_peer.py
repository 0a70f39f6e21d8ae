"""The other end of the LSL tests, through pylsl (the library LSL apps use).

receive N_MARKERS N_POSES: resolves the session's marker and head-pose streams by type, pulls
  that many samples of each, prints them as JSON with timestamps on this host's LSL clock.
send-heart-rate N: publishes a HeartRate stream, waits for a subscriber, pushes N samples with
  known timestamps, prints them as JSON, and stays up a little so they are read.
session BPM SECONDS: a lab beside a session: publishes heart rate BPM at 10 Hz and prints every
  marker of the session's marker stream (resolved by type) as a JSON line with its timestamp on
  this host's LSL clock, for SECONDS."""
import threading
import json
import sys
import time

import pylsl


def receive(n_markers, n_poses):
    inlets = {}
    for kind in ("Markers", "MoCap"):
        found = pylsl.resolve_byprop("type", kind, timeout=15)
        if not found:
            print(json.dumps({"error": "no %s stream" % kind}))
            return
        inlet = pylsl.StreamInlet(found[0])
        inlet.open_stream(timeout=10)
        inlets[kind] = (inlet, inlet.time_correction(timeout=5), found[0].name())
    print("ready", flush=True)
    got = {"Markers": [], "MoCap": []}
    want = {"Markers": n_markers, "MoCap": n_poses}
    deadline = time.time() + 20
    while time.time() < deadline and any(len(got[k]) < want[k] for k in got):
        for kind, (inlet, correction, _) in inlets.items():
            sample, ts = inlet.pull_sample(timeout=0.05)
            if sample is not None:
                got[kind].append({"values": sample, "timestamp": ts + correction})
    print(json.dumps({"markers": got["Markers"], "poses": got["MoCap"],
                      "names": {k: v[2] for k, v in inlets.items()}}), flush=True)


def send_heart_rate(n):
    info = pylsl.StreamInfo("Test chest strap", "HeartRate", 1, 1.0, "float32", "test-strap-1")
    outlet = pylsl.StreamOutlet(info)
    if not outlet.wait_for_consumers(15):
        print(json.dumps({"error": "nobody subscribed"}))
        return
    time.sleep(0.5)
    base = pylsl.local_clock()
    sent = []
    for i in range(n):
        value, ts = 80.0 + 10 * i, base + 0.1 * i
        outlet.push_sample([value], ts)
        sent.append({"value": value, "timestamp": ts})
    print(json.dumps({"sent": sent}), flush=True)
    time.sleep(5)


def session(bpm, seconds):
    info = pylsl.StreamInfo("Test chest strap", "HeartRate", 1, 10.0, "float32", "test-strap-session")
    outlet = pylsl.StreamOutlet(info)
    stop = time.time() + seconds

    def beat():
        while time.time() < stop:
            outlet.push_sample([bpm], pylsl.local_clock())
            time.sleep(0.1)

    threading.Thread(target=beat, daemon=True).start()
    print(json.dumps({"publishing": bpm}), flush=True)
    found = pylsl.resolve_byprop("type", "Markers", timeout=min(30, seconds))
    if not found:
        print(json.dumps({"error": "no marker stream"}), flush=True)
        return
    inlet = pylsl.StreamInlet(found[0])
    inlet.open_stream(timeout=10)
    print(json.dumps({"markers_from": found[0].name()}), flush=True)
    correction = inlet.time_correction(timeout=5)
    while time.time() < stop:
        sample, ts = inlet.pull_sample(timeout=0.2)
        if sample is not None:
            print(json.dumps({"marker": sample[0], "timestamp": ts + correction}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "receive":
        receive(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1] == "session":
        session(float(sys.argv[2]), float(sys.argv[3]))
    else:
        send_heart_rate(int(sys.argv[2]))
