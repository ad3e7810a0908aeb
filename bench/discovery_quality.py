"""Precision, recall and F1 of PII discovery per type, over (field, type) pairs of labelled data.

Three sources of labels: the sandbox's FullStory and Amplitude exports (the World knows where it planted
each kind of personal data, and which fields are decoys), for several seeds, and a hand-built set of
harder cases and look-alikes (`headwater.discovery.labelled.extra`). Each field of each corpus is scanned
as `discover scan` would (1,000 distinct values per field, 5% threshold); a reported type is a true
positive when the field is labelled with it, else a false positive; a label not reported is a false
negative. Goals: precision >= 0.95 and recall >= 0.90 for every type.
"""

from __future__ import annotations

import argparse
import json
import time

from headwater.discovery.labelled import extra, quality, sandbox
from headwater.discovery.scan import ScanOptions, scan_rows
from headwater.discovery.types import PII_TYPES

PRECISION_GOAL, RECALL_GOAL = 0.95, 0.90


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--events", type=int, default=100_000, help="events per sandbox World (default 100,000: 500 people)"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="World seeds (default 1 2 3)")
    parser.add_argument("--extra-rows", type=int, default=400, help="rows of the hand-built set")
    args = parser.parse_args()

    options = ScanOptions()
    scores = {pii_type: quality.Score() for pii_type in PII_TYPES}
    mistakes: list[tuple[str, quality.Mistake]] = []
    started = time.perf_counter()
    for seed in args.seeds:
        world = sandbox.world(args.events, seed=seed)
        corpora = {
            "fullstory": sandbox.fullstory_rows(world),
            "amplitude": (json.loads(line) for line in sandbox.amplitude_lines(world)),
        }
        for provider, rows in corpora.items():
            report = scan_rows(rows, f"{provider} seed {seed}", options)
            truth = sandbox.truth(provider, [field.path for field in report.fields])  # type: ignore[arg-type]
            _, wrong = quality.score(report.fields, truth, scores)
            mistakes += [(f"{provider} seed {seed}", mistake) for mistake in wrong]
    report = scan_rows(extra.rows(args.extra_rows), "hand-built", options)
    _, wrong = quality.score(report.fields, extra.truth(), scores)
    mistakes += [("hand-built", mistake) for mistake in wrong]

    corpora_count = 2 * len(args.seeds) + 1
    print(
        f"PII discovery quality: {corpora_count} corpora ({len(args.seeds)} seeds x FullStory and Amplitude, "
    )
    print(
        f"{args.events:,} events each, plus {args.extra_rows} hand-built rows), "
        f"{time.perf_counter() - started:.0f} s"
    )
    print()
    header = (
        f"{'type':<16}{'labelled':>9}{'TP':>6}{'FP':>6}{'FN':>6}{'precision':>11}{'recall':>8}{'F1':>7}  goal"
    )
    print(header)
    print("-" * len(header))
    all_met = True
    for pii_type, score in scores.items():
        met = score.precision >= PRECISION_GOAL and score.recall >= RECALL_GOAL
        all_met &= met
        labelled = score.true_positives + score.false_negatives
        print(
            f"{pii_type:<16}{labelled:>9}{score.true_positives:>6}{score.false_positives:>6}"
            f"{score.false_negatives:>6}{score.precision:>11.3f}{score.recall:>8.3f}{score.f1:>7.3f}  "
            f"{'met' if met else 'MISSED'}"
        )
    print()
    print("Every goal met." if all_met else "Some goals missed.")
    for corpus, mistake in mistakes:
        print(f"  {mistake.kind}: {mistake.path} {mistake.type} ({corpus})")


if __name__ == "__main__":
    main()
