"""Reads a BIDS study exported by `exposure` with pybids, as a researcher would, and prints what
it found as JSON: subjects, sessions, and per session where events, motion and physio put time
zero. Used by StudyExportTests; run by hand: python bids_study_check.py DATASET."""
import json
import sys

from bids import BIDSLayout


def main(root):
    layout = BIDSLayout(root, validate=False)
    sessions = []
    for events in layout.get(suffix="events", extension=".tsv"):
        e = events.get_entities()
        motion = layout.get(subject=e["subject"], session=e["session"], suffix="motion", extension=".tsv")
        physio = layout.get(subject=e["subject"], session=e["session"], suffix="physio", extension=".tsv.gz")
        df = events.get_df()
        steps = df[df["trial_type"] == "step"]
        meta = motion[0].get_metadata() if motion else {}
        sessions.append({
            "subject": e["subject"],
            "session": e["session"],
            "first_step_onset": float(steps["onset"].min()) if len(steps) else None,
            "motion_rows": sum(1 for _ in open(motion[0].path)) if motion else 0,
            "motion_sampling_frequency": meta.get("SamplingFrequency"),
            "physio_start_times": [p.get_metadata().get("StartTime") for p in physio],
            "trial_types": sorted(set(df["trial_type"])),
        })
    print(json.dumps({
        "subjects": sorted(layout.get_subjects()),
        "sessions": sorted(layout.get_sessions()),
        "datatypes": sorted(layout.get_datatypes()),
        "per_session": sessions,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
