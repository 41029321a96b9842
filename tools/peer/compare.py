#!/usr/bin/env python3
"""Measures stdfund against a vectorised peer rules engine (OpenFisca) on the
same applications, in one sitting, and checks both against stdfund's exact
answers.

    tools/peer/.venv/bin/python tools/peer/compare.py DIR [--stdfund-cmd "…"]
    tools/peer/.venv/bin/python tools/peer/compare.py DIR --stdfund-per-app

DIR is what generate.py wrote (requests.ndjson, peer.json). The OpenFisca
model (stdfund_peer) is timed on its vectorised calculation alone (the data
already loaded into a simulation) and including the load (reading peer.json,
building the system and the simulation); each figure is the median of
--runs runs, for float32 money (OpenFisca's own) and float64.

stdfund is timed as a whole process, wall clock, median of --runs runs:
`--stdfund-cmd` (default: the release binary's batch estimate over
requests.ndjson, `{requests}` is replaced by its path) must print one JSON
answer per request line, in order: an object with `total` (and optionally
`lines[].payable`, `lines[].reasonCode`, `split.districtShare`) or
`{"error": …}`. `--stdfund-per-app` instead runs `stdfund estimate -` once per
application on a sample of --sample applications: a check of the comparison
logic, not a benchmark.

Exit status 1 when stdfund answers an error, or when the float64 model
disagrees with stdfund on any compared application total, line reason or
line payable (to the fen): stdfund's answers are authoritative.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import statistics
import subprocess
import sys
import time
from decimal import ROUND_HALF_EVEN, Decimal
from importlib import metadata
from pathlib import Path

import numpy

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

from stdfund_peer import build_system, data, ruleset  # noqa: E402
from stdfund_peer.variables import LineReason  # noqa: E402

FEN = Decimal("0.01")
DEFAULT_CMD = "target/release/stdfund estimate --batch --view summary {requests}"
# What the peer computes: the same figures a summary answer carries.
OUTPUTS = ["line_reason", "payable", "application_total", "application_district_share", "application_municipal_share"]


def machine() -> str:
    model, cores = "unknown CPU", 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            if line.startswith("processor"):
                cores += 1
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{model}, {cores} logical CPUs, load average {load}; {platform.platform()}; "
        f"Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"openfisca-core {metadata.version('openfisca-core')}"
    )


def fen(x) -> Decimal:
    """A float figure to the nearest fen (the most generous reading of it)."""
    return Decimal(float(x)).quantize(FEN, rounding=ROUND_HALF_EVEN)


def exact(x) -> Decimal:
    """The exact value a binary float holds."""
    return Decimal(float(x))


# -- the peer ------------------------------------------------------------------


class PeerRun:
    """One money type of the OpenFisca model: timings and results."""

    def __init__(self, money: str, peer_path: Path, runs: int, fancy_indexing: bool = False) -> None:
        self.money = money
        self.label = money + (", fancy indexing" if fancy_indexing else "")
        calc, full = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            d = data.read(peer_path)
            system = build_system(money, fancy_indexing)
            sim = data.simulate(system, d)
            t1 = time.perf_counter()
            results = {name: sim.calculate(name, d["period"]) for name in OUTPUTS}
            t2 = time.perf_counter()
            calc.append(t2 - t1)
            full.append(t2 - t0)
        self.calc_s = statistics.median(calc)
        self.full_s = statistics.median(full)
        self.n = len(d["achievements"]["kind"])
        self.app_of_line = numpy.asarray(d["achievements"]["application"])
        self.reasons = results["line_reason"].decode_to_str()
        self.payable = results["payable"]
        self.totals = results["application_total"]
        self.district = results["application_district_share"]
        self.municipal = results["application_municipal_share"]

    def lines_of(self, app: int) -> numpy.ndarray:
        return numpy.flatnonzero(self.app_of_line == app)


# -- stdfund -------------------------------------------------------------------


def run_batch(cmd: str, requests: Path, out: Path, runs: int) -> tuple[float, list[dict]]:
    argv = [a.replace("{requests}", str(requests)) for a in shlex.split(cmd)]
    times = []
    for _ in range(runs):
        with out.open("wb") as sink:
            t0 = time.perf_counter()
            proc = subprocess.run(argv, stdout=sink, stderr=subprocess.PIPE, cwd=REPO)
            times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            sys.exit(f"stdfund command failed ({proc.returncode}): {' '.join(argv)}\n{proc.stderr.decode(errors='replace')}")
    answers = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    return statistics.median(times), answers


def run_per_app(binary: Path, requests: list[str], picked: list[int]) -> tuple[float, list[dict]]:
    answers = []
    t0 = time.perf_counter()
    for i in picked:
        proc = subprocess.run([str(binary), "estimate", "-"], input=requests[i].encode(), capture_output=True, cwd=REPO)
        if proc.returncode == 0:
            answers.append(json.loads(proc.stdout))
        else:
            answers.append({"error": proc.stderr.decode(errors="replace").strip()})
    return time.perf_counter() - t0, answers


def pick_sample(reference: PeerRun, napps: int, size: int, seed: int) -> list[int]:
    """About `size` applications: up to 12 containing each reason the model
    finds (so every reason is checked), the rest at random."""
    rng = random.Random(seed)
    chosen: set[int] = set()
    for reason in LineReason:
        apps = sorted(set(reference.app_of_line[reference.reasons == reason.name].tolist()))
        chosen.update(rng.sample(apps, min(12, len(apps))))
    rest = [a for a in range(napps) if a not in chosen]
    chosen.update(rng.sample(rest, max(0, min(len(rest), size - len(chosen)))))
    return sorted(chosen)


# -- comparison ----------------------------------------------------------------


class Check:
    """The peer's figures for the compared applications against stdfund's."""

    def __init__(self, peer: PeerRun, apps: list[int], answers: list[dict]) -> None:
        self.peer = peer
        self.apps_differing = 0
        self.district_differing = 0
        self.district_compared = 0
        self.lines_compared = 0
        self.reason_mismatches: list[str] = []
        self.payable_mismatches: list[str] = []
        for app, ans in zip(apps, answers):
            if fen(peer.totals[app]) != Decimal(ans["total"]):
                self.apps_differing += 1
            split = ans.get("split")
            if isinstance(split, dict) and "districtShare" in split:
                self.district_compared += 1
                if fen(peer.district[app]) != Decimal(split["districtShare"]):
                    self.district_differing += 1
            lines = ans.get("lines")
            if not lines:
                continue
            idx = peer.lines_of(app)
            if len(idx) != len(lines):
                self.reason_mismatches.append(f"application {app}: {len(lines)} lines from stdfund, {len(idx)} in the model")
                continue
            for j, line in zip(idx, lines):
                self.lines_compared += 1
                if "reasonCode" in line and line["reasonCode"] != peer.reasons[j]:
                    self.reason_mismatches.append(
                        f"application {app} line {j - idx[0] + 1}: stdfund {line['reasonCode']}, model {peer.reasons[j]}"
                    )
                if "payable" in line and fen(peer.payable[j]) != Decimal(line["payable"]):
                    self.payable_mismatches.append(
                        f"application {app} line {j - idx[0] + 1}: stdfund {line['payable']}, model {fen(peer.payable[j])}"
                    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="what generate.py wrote")
    ap.add_argument("--stdfund-cmd", default=DEFAULT_CMD, help=f"batch command, {{requests}} = requests.ndjson [{DEFAULT_CMD}]")
    ap.add_argument("--stdfund-per-app", action="store_true", help="run `stdfund estimate -` per application on a sample")
    ap.add_argument("--stdfund-bin", type=Path, default=REPO / "target" / "debug" / "stdfund", help="binary of --stdfund-per-app")
    ap.add_argument("--sample", type=int, default=200, help="applications checked by --stdfund-per-app, 0 for all [200]")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per engine; the median is reported [5]")
    ap.add_argument("--seed", type=int, default=1, help="seed of the --stdfund-per-app sample [1]")
    args = ap.parse_args(argv)

    print("machine:", machine())
    stale = ruleset.check(ruleset.load())
    if stale:
        sys.exit(f"stdfund_peer/parameters is out of date with the ruleset JSON ({', '.join(stale)}): "
                 "run `python -m stdfund_peer write`")
    requests_path = args.dir / "requests.ndjson"
    requests = requests_path.read_text(encoding="utf-8").splitlines()
    napps = len(requests)

    peers = [
        PeerRun("float32", args.dir / "peer.json", args.runs),
        PeerRun("float64", args.dir / "peer.json", args.runs),
        PeerRun("float32", args.dir / "peer.json", args.runs, fancy_indexing=True),
    ]
    n = peers[0].n
    print(f"data: {napps} applications, {n} achievements ({args.dir})")

    if args.stdfund_per_app:
        apps = pick_sample(peers[1], napps, args.sample, args.seed) if args.sample > 0 else list(range(napps))
        sd_seconds, answers = run_per_app(args.stdfund_bin, requests, apps)
        sd_label = f"stdfund per application ({args.stdfund_bin.name} estimate -, {len(apps)} processes; not a benchmark)"
        sd_count = int(sum(len(json.loads(requests[a])["achievements"]) for a in apps))
    else:
        apps = list(range(napps))
        sd_seconds, answers = run_batch(args.stdfund_cmd, requests_path, args.dir / "stdfund-answers.ndjson", args.runs)
        sd_label = f"stdfund: {args.stdfund_cmd}"
        sd_count = n
        if len(answers) != napps:
            sys.exit(f"stdfund answered {len(answers)} lines for {napps} requests")

    errors = [(a, ans["error"]) for a, ans in zip(apps, answers) if "error" in ans]
    for a, e in errors[:5]:
        print(f"stdfund error on application {a}: {e}", file=sys.stderr)
    if errors:
        print(f"{len(errors)} stdfund errors", file=sys.stderr)
        return 1

    exact_total = sum((Decimal(ans["total"]) for ans in answers), Decimal(0))
    checks = {p.label: Check(p, apps, answers) for p in peers}
    subset = numpy.asarray(apps)

    scope = "all applications" if len(apps) == napps else f"the {len(apps)} sampled applications"
    print(f"\ngrand total over {scope}; |error| against stdfund's exact total; "
          "a differing application is one whose total, rounded to the fen, is not stdfund's")
    header = f"{'engine':<50} {'seconds':>9} {'achievements/s':>15} {'grand total (yuan)':>22} {'|error| yuan':>13} {'apps differing':>15}"
    print(header)
    print("-" * len(header))
    for p in peers:
        # The peer's own grand total: numpy's sum of its money array, in its dtype.
        grand = p.totals[subset].sum()
        err = abs(exact(grand) - exact_total)
        c = checks[p.label]
        for label, secs in (("calculation", p.calc_s), ("including load", p.full_s)):
            print(f"{'OpenFisca ' + p.label + ', ' + label:<50} {secs:>9.3f} {n / secs:>15,.0f} "
                  f"{exact(grand):>22,.2f} {err:>13,.2f} {c.apps_differing:>15}")
    print(f"{'stdfund (exact)':<50} {sd_seconds:>9.3f} {sd_count / sd_seconds:>15,.0f} {exact_total:>22,.2f} {0:>13.2f} {0:>15}")
    print(f"stdfund command: {sd_label}")
    print(f"timings: median of {args.runs} runs" + ("" if not args.stdfund_per_app else " (OpenFisca); one pass (stdfund)"))

    failed = False
    for p in peers:
        c = checks[p.label]
        if p.label != p.money:
            same = all(
                numpy.array_equal(getattr(p, f), getattr(peers[0], f))
                for f in ("reasons", "payable", "totals", "district", "municipal")
            )
            print(f"\nOpenFisca {p.label}: " + ("the same figures as OpenFisca float32" if same else "DIFFERENT figures from OpenFisca float32"))
            failed |= not same
            continue
        print(f"\nOpenFisca {p.label}: {c.lines_compared} lines compared; "
              f"{len(c.reason_mismatches)} reason mismatches, {len(c.payable_mismatches)} line payables differing at the fen, "
              f"{c.apps_differing} application totals differing, "
              f"{c.district_differing} of {c.district_compared} district shares differing")
        for m in (c.reason_mismatches + c.payable_mismatches)[:10]:
            print("   ", m)
        if p.money == "float64" and (c.reason_mismatches or c.payable_mismatches or c.apps_differing):
            failed = True
    if failed:
        print("\nFAIL: see the disagreements above", file=sys.stderr)
        return 1
    print("\nOK: the float64 model agrees with stdfund on every compared application total"
          + (" and line" if checks["float64"].lines_compared else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
