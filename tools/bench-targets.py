#!/usr/bin/env python3
"""Every speed and size target of the typed-core issue, measured in one sitting.

    python3 tools/bench-targets.py [--grpc-runs N] [--only native,peer,grpc,batch,wasm]

The targets are checked in benchmarks, never in timed tests (docs/BENCHMARKS.md).
Their figures drift with the machine and with what else runs on it, and a
summary assembled from runs of different hours mixes sittings. This script
runs each benchmark the project already has, one after another in one sitting,
reads their figures and prints one Markdown table of target, measured figure
and verdict. It also prints the machine (from /proc/cpuinfo) and the load
averages before and after, ready to paste into docs/BENCHMARKS.md.

It runs nothing new: the commands are those of docs/BENCHMARKS.md. They are
printed beside each figure. Preconditions (the script says which one is
missing and goes on with the other targets):

    cargo build --release -p stdfund-server --bins
    bash tools/peer/setup.sh && python3 tools/peer/generate.py --achievements 100000 --seed 1 --out tools/peer/data
    bash wasm/build.sh

Exit status: 0 when every target was measured (met or not), 1 when a
benchmark failed or its output could not be read.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RELEASE = REPO / "target" / "release"
PEER_DATA = REPO / "tools" / "peer" / "data"
PEER_PYTHON = REPO / "tools" / "peer" / ".venv" / "bin" / "python"
SECTIONS = ("native", "peer", "grpc", "batch", "wasm")


@dataclass
class Row:
    target: str
    measured: str
    met: bool | None  # None: not measured
    command: str


class Unreadable(Exception):
    """A benchmark ran but its output does not hold the figure looked for."""


def say(text: str) -> None:
    print(f"[bench-targets {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run(argv: list[str], timeout: int = 900) -> str:
    say(" ".join(argv))
    proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise Unreadable(f"`{' '.join(argv)}` exited with {proc.returncode}:\n{proc.stderr[-2000:]}{proc.stdout[-2000:]}")
    return proc.stdout + proc.stderr


def find(pattern: str, text: str, what: str) -> re.Match[str]:
    m = re.search(pattern, text, re.MULTILINE)
    if m is None:
        raise Unreadable(f"cannot read {what} (pattern {pattern!r}) in:\n{text[-2000:]}")
    return m


def verdict(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not measured"}[met]


# -- the machine ------------------------------------------------------------------------------------


def machine() -> str:
    cpu: dict[str, str] = {}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        cpu.setdefault(key.strip(), value.strip())
        if not line.strip():
            break
    flags = set(cpu.get("flags", "").split())
    notable = ", ".join(f for f in ("sha_ni", "avx512f", "avx2") if f in flags) or "none of sha_ni, avx512f, avx2"
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")), "0")
    return (
        f"{cpu.get('model name', 'unknown CPU')}, cpu family {cpu.get('cpu family', '?')}, model {cpu.get('model', '?')}, "
        f"{os.cpu_count()} logical CPUs, flags: {notable}; {int(mem) // 1024 // 1024} GiB"
    )


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# -- the targets ------------------------------------------------------------------------------------


def native() -> list[Row]:
    cmd = "cargo bench -q --locked -p stdfund-rules --bench estimate"
    out = run(cmd.split())
    full = int(find(r"full\s+JSON in → canonical JSON out:\s+(\d+) ns", out, "full").group(1))
    floor = int(find(r"floor serde parse \+ serde write:\s+(\d+) ns", out, "floor").group(1))
    ratio = float(find(r"ratio full / floor:\s+([\d.]+)", out, "ratio").group(1))
    evaluate = int(find(r"evaluate \(typed, with input hash\):\s+(\d+) ns", out, "evaluate").group(1))
    alloc_cmd = "cargo bench -q --locked -p stdfund-rules --bench allocations"
    alloc_out = run(alloc_cmd.split())
    allocations = int(find(r"evaluate \(typed, with input hash\):\s+(\d+)", alloc_out, "allocations").group(1))
    lines_cmd = "cargo bench -q --locked -p stdfund-rules --bench lines"
    lines_out = run(lines_cmd.split())
    spread = float(find(r"largest / smallest = ([\d.]+)", lines_out, "per-line spread").group(1))
    per_line = [int(n) for n in re.findall(r"^\s*(?:10|50|100|200) lines:.*?(\d+) ns per line", lines_out, re.MULTILINE)]
    return [
        Row("six achievements, JSON in → canonical JSON out ≤ 1.2× the JSON floor", f"{ratio:.2f}× ({full:,} ns against {floor:,} ns)", ratio <= 1.2, cmd),
        Row(
            "evaluation, typed in → typed out with the input hash: ≤ 2 µs and ≤ 30 allocations",
            f"{evaluate:,} ns, {allocations} allocations",
            evaluate <= 2000 and allocations <= 30,
            f"{cmd}; {alloc_cmd}",
        ),
        Row(
            "time per line flat from 1 to 200 lines (here: per-line times from 10 to 200 lines within 25 %)",
            f"largest / smallest {spread:.2f} ({min(per_line, default=0):,}–{max(per_line, default=0):,} ns per line)",
            spread <= 1.25,
            lines_cmd,
        ),
    ]


def peer() -> list[Row]:
    cmd = f"{PEER_PYTHON.relative_to(REPO)} tools/peer/compare.py tools/peer/data --runs 9"
    if not PEER_PYTHON.exists() or not (PEER_DATA / "requests.ndjson").exists():
        return [Row("100,000 achievements like the vectorised peer, native (summary answers): ≤ 0.1 s", "tools/peer not set up (see the preconditions)", None, cmd)]
    out = run(cmd.split())
    ours = float(find(r"^stdfund \(exact\)\s+([\d.]+)", out, "stdfund's seconds").group(1))
    theirs = float(find(r"^OpenFisca float64, calculation\s+([\d.]+)", out, "OpenFisca's seconds").group(1))
    return [
        Row(
            "100,000 achievements like the vectorised peer, native (summary answers): ≤ 0.1 s, exact",
            f"{ours:.3f} s, exact (OpenFisca float64, calculation only: {theirs:.3f} s)",
            ours <= 0.1,
            cmd,
        )
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def grpc(runs: int) -> list[Row]:
    serve, load_bin = RELEASE / "stdfund", RELEASE / "stdfund-load"
    port = free_port()
    recipe = "--callers 64 --connections 8 --seconds 2 --rounds 5"
    cmd = f"target/release/stdfund-load --addr 127.0.0.1:{port} {recipe}"
    if not serve.exists() or not load_bin.exists():
        return [Row("gRPC Estimate / no-op ≥ 0.8", "release binaries missing (see the preconditions)", None, cmd)]
    with tempfile.TemporaryDirectory() as scratch, open(Path(scratch) / "serve.log", "w+") as log:
        # The server's output goes to a file, never to an unread pipe that could fill and stop it.
        server = subprocess.Popen(
            [str(serve), "serve", "--listen", f"127.0.0.1:{port}", "--metrics-listen", "off", "--log-level", "error",
             "--database-url", f"sqlite://{scratch}/bench.sqlite"],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        raise Unreadable(f"stdfund serve did not start:\n{log.read()[-2000:]}")
                    time.sleep(0.1)
            overall, medians = [], []
            for _ in range(runs):
                out = run(cmd.split())
                m = find(r"ratio estimate / no-op: ([\d.]+) over all rounds, median of rounds ([\d.]+)", out, "the ratio")
                overall.append(float(m.group(1)))
                medians.append(float(m.group(2)))
        finally:
            server.terminate()
            server.wait(timeout=30)
    median = statistics.median(medians)
    return [
        Row(
            "gRPC Estimate / no-op ≥ 0.8 (the stdfund-load recipe; here: the median of the runs' medians of rounds)",
            f"medians of rounds {' / '.join(f'{x:.3f}' for x in medians)}, over all rounds {' / '.join(f'{x:.3f}' for x in overall)}"
            f" ({runs} run{'s' if runs > 1 else ''}): **{median:.3f}**",
            median >= 0.8,
            f"stdfund serve + target/release/stdfund-load --addr <its address> {recipe}, {runs} time{'s' if runs > 1 else ''}",
        )
    ]


def batch_rows(out: str) -> dict[int, tuple[float, float, float]]:
    """Items → (median seconds, seconds per 1,000, peak RSS MiB) from stdfund-batch-load's table."""
    rows = {}
    for m in re.finditer(r"^\| (\d+) \| \d+ \| ([\d.]+) \| \d+ \| ([\d.]+) \| [\d.]+ \| [\d.]+ \| ([\d.]+) \|$", out, re.MULTILINE):
        rows[int(m.group(1))] = (float(m.group(2)), float(m.group(3)), float(m.group(4)))
    if not rows:
        raise Unreadable(f"cannot read stdfund-batch-load's table in:\n{out[-2000:]}")
    return rows


def batch() -> list[Row]:
    tool = RELEASE / "stdfund-batch-load"
    full_cmd = "target/release/stdfund-batch-load --server target/release/stdfund --requests tools/peer/data/requests.ndjson --view full --sizes 1000,10000,100000 --rounds 3"
    summary_cmd = "target/release/stdfund-batch-load --server target/release/stdfund --requests tools/peer/data/requests.ndjson --view summary --sizes all --rounds 5"
    if not tool.exists() or not (PEER_DATA / "requests.ndjson").exists():
        reason = "release binaries or tools/peer/data missing (see the preconditions)"
        return [Row("EstimateBatch, 100,000 full answers, one connection: ≤ 1.0 s, linear, RSS ≤ 64 MB", reason, None, full_cmd),
                Row("the peer's 100,000 achievements over gRPC (summary view): ≤ 0.2 s", reason, None, summary_cmd)]
    full = batch_rows(run(full_cmd.split()))
    if 100000 not in full or 1000 not in full:
        raise Unreadable("stdfund-batch-load answered no row for 1,000 or 100,000 items")
    seconds, per_1000, _ = full[100000]
    peak_mb = max(rss for _, _, rss in full.values()) * 1.048576
    linear = per_1000 / full[1000][1]
    summary = batch_rows(run(summary_cmd.split()))
    items, (summary_s, _, _) = max(summary.items())
    return [
        Row(
            "EstimateBatch, 100,000 full answers, one connection: ≤ 1.0 s, linear from 1k to 100k, server RSS ≤ 64 MB",
            f"{seconds:.3f} s; {full[1000][1] * 1000:.1f} → {per_1000 * 1000:.1f} ms per 1,000 from 1,000 to 100,000 ({linear:.2f}×); peak RSS {peak_mb:.1f} MB",
            seconds <= 1.0 and linear <= 1.25 and peak_mb <= 64,
            full_cmd,
        ),
        Row(
            f"the peer's 100,000 achievements ({items:,} applications) over gRPC, summary view: ≤ 0.2 s",
            f"{summary_s:.3f} s",
            summary_s <= 0.2,
            summary_cmd,
        ),
    ]


def wasm() -> list[Row]:
    cmd = "node wasm/bench/bench.mjs"
    if not (REPO / "wasm" / "pkg" / "web" / "stdfund_rules_bg.wasm").exists():
        return [Row("WASM targets", "wasm/pkg not built (bash wasm/build.sh)", None, cmd)]
    out = run(cmd.split())
    gz = int(find(r"gzipped \(`gzip -9`\).*?\((\d+) bytes\)", out, "the gzipped size").group(1))
    chrome_init = float(find(r"instantiation, Chromium .*\| ([\d.]+) ms \|", out, "Chromium's instantiation").group(1))
    first = float(find(r"first estimate after instantiation, Chromium .*\| ([\d.]+) ms \|", out, "Chromium's first estimate").group(1))
    node = find(r"WASM in Node \| `estimateCanonical\(text\)`.*?\| \*\*([\d.]+) µs\*\* \| ([\d.]+)×", out, "Node's estimate")
    chrome = find(r"WASM in Chromium \| `estimateCanonical\(text\)`.*?\| \*\*([\d.]+) µs\*\* \| ([\d.]+)×", out, "Chromium's estimate")
    native_us = float(find(r"native .*\| ([\d.]+) µs \| 1× \|", out, "native").group(1))
    floor = find(r"^\| Node \| ([\d.]+) µs \| ([\d.]+)× \|", out, "Node's string floor")
    return [
        Row(
            "WASM `estimateCanonical` ≤ 2× native, in Node and in Chromium",
            f"Node {node.group(1)} µs ({node.group(2)}×), Chromium {chrome.group(1)} µs ({chrome.group(2)}×), native {native_us} µs; "
            f"Node's TextDecoder alone turns the answer into a string in {floor.group(1)} µs ({floor.group(2)}× native)",
            float(node.group(2)) <= 2 and float(chrome.group(2)) <= 2,
            cmd,
        ),
        Row("WASM ≤ 150 KB gzipped (150,000 bytes, `gzip -9`)", f"{gz:,} bytes", gz <= 150_000, cmd),
        Row(
            "WASM instantiation ≤ 5 ms in Chromium",
            f"{chrome_init:.2f} ms (the first estimate after it, compiling what it calls: {first:.2f} ms)",
            chrome_init <= 5,
            cmd,
        ),
    ]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--grpc-runs", type=int, default=3, help="runs of the stdfund-load recipe [3]")
    ap.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {', '.join(SECTIONS)} [all]")
    args = ap.parse_args(argv)
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown or args.grpc_runs < 1:
        ap.error(f"unknown section(s) {', '.join(unknown)}" if unknown else "--grpc-runs must be at least 1")

    started, load_before = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), load()
    rows: list[Row] = []
    failed = False
    for section in wanted:
        try:
            rows += {"native": native, "peer": peer, "grpc": lambda: grpc(args.grpc_runs), "batch": batch, "wasm": wasm}[section]()
        except (Unreadable, subprocess.TimeoutExpired) as e:
            failed = True
            say(f"{section} failed: {e}")
            rows.append(Row(f"({section})", "the benchmark failed: see the messages above", None, section))

    print(f"Sitting of {started} to {time.strftime('%H:%M UTC', time.gmtime())}: {machine()}; load averages {load_before} before, {load()} after.")
    print(f"Command: `python3 tools/bench-targets.py{' --only ' + args.only if args.only != ','.join(SECTIONS) else ''}`.\n")
    print("| target | measured | met? | command |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r.target} | {r.measured} | {verdict(r.met)} | `{r.command}` |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
