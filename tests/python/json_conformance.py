#!/usr/bin/env python3
"""Proto3 JSON conformance of the JSON boundary (issue: a strict, conformant
JSON boundary).

Generates seeded random `stdfund.v1.EstimateRequest` messages with the
classes grpcio-tools builds from proto/ (never from the Rust code), prints
each with protobuf's own JSON printer (`json_format.MessageToJson`) under one
of the 64 combinations of its printing options — original or lowerCamel
field names, enum names or numbers, default values printed or left out,
indented or compact, sorted keys, ASCII-escaped or raw UTF-8 — and, for one
request in eight, writes some default-valued fields as `null` (which the
mapping says a parser must read as the default). Every text then goes to
three executors:

- the CLI: `stdfund estimate --error-format json` (stdout: the canonical
  answer; stderr: `{"error": …}`);
- the WASM module under Node (`wasm/test/conformance/answers.mjs`,
  `estimateCanonical`);
- the gRPC server: Python's parser reads the text, `Estimate` answers over
  the wire, and Python's printer writes the answer back (or the error's rich
  details are read back into the error object).

All three must agree: CLI and WASM byte for byte, gRPC field for field.
Exit status 1 on any difference. Prints one summary line
`json conformance: N requests, …`.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from itertools import product
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import run_grpc_client as harness  # noqa: E402
from test_estimate import error_report  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402


def error_object(err: grpc.RpcError) -> dict:
    """The engine's error object as the CLI prints it: the four values, then
    `meant` (the ErrorInfo metadata) when the engine offers one."""
    report = error_report(err)
    raw = dict(err.trailing_metadata() or ()).get("grpc-status-details-bin")
    for any_ in status_pb2.Status.FromString(raw).details:
        if any_.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            any_.Unpack(info)
            if info.metadata.get("meant"):
                report["meant"] = info.metadata["meant"]
    return report

OPTIONS = [
    "preserving_proto_field_name",
    "use_integers_for_enums",
    "always_print_fields_with_no_presence",
    "indent",
    "sort_keys",
    "ensure_ascii",
]

ITEMS = {
    "STANDARD_LEAD": ["INTERNATIONAL", "NATIONAL", "INDUSTRY", "LOCAL", "GROUP"],
    "STANDARD_PARTICIPANT": ["INTERNATIONAL", "NATIONAL", "INDUSTRY", "LOCAL", "GROUP"],
    "AWARD_CHINA": ["PROJECT_FIRST", "PROJECT_SECOND", "PROJECT_THIRD", "ORGANISATION", "INDIVIDUAL"],
    "AWARD_FUJIAN": ["PROJECT_FIRST", "PROJECT_SECOND", "PROJECT_THIRD", "ORGANISATION", "INDIVIDUAL"],
    "TC_SECRETARIAT": ["INTERNATIONAL_TC_SC", "INTERNATIONAL_WG", "NATIONAL_TC_SC", "NATIONAL_WG", "PROVINCIAL_TC", "PROVINCIAL_WG"],
    "DEMONSTRATION_PILOT": ["NATIONAL", "PROVINCIAL", "MUNICIPAL"],
    "RESEARCH_PROJECT": ["NATIONAL", "PROVINCIAL", "MUNICIPAL"],
    "GOOD_BEHAVIOUR": ["AAAAA", "AAAA", "AAA", "AA", "A"],
    "GEOGRAPHICAL_INDICATION": ["GI_PRODUCT_PROTECTION", "AGRICULTURAL_GI"],
    "OTHER_ACTIVITY": ["STRATEGY_IMPLEMENTATION", "WTO_TBT_WARNING", "INFORMATION_PLATFORM", "OTHER"],
}
STANDARD_ITEMS = {"STANDARD_LEAD", "STANDARD_PARTICIPANT", "AWARD_CHINA", "AWARD_FUJIAN"}
SEATS = ["350102", "350103", "350104", "350105", "350111", "350112", "350121", "350122", "350123",
         "350124", "350125", "350181", "350100-GXQ", "350100", "350182"]
CREDIT_CODES = ["91350100M000100Y43", "91350100m000100y43", "91350100M000100Y44", "12350100MB0000001Y"]
STANDARDS = ["GB/T 12345-2020", "GB 700-2006", "ISO 9001:2015", "ISO 9001-2015", "IEC 60335-2-24:2020",
             "DB35/T 1234-2019", "DB3501/T 77-2021", "T/FZBZ 5-2020", "JB/T 3-2018", "Q/FZ 001-2020",
             "ＧＢ／Ｔ　１２３４５－２０２０", "GB/T 1\u200b2345-2020", "GB/T 054321-2020。"]
REFERENCES = ["SAC/TC 28", "SAC/TC28", "ISO/TC 45/SC 3", "福州茉莉花茶", "福州\u200b茉莉花茶。", "国家级标准化试点 2020-17",
              "闽标委〔2019〕3号", "AAAA-2020-001", "\t名称 with \"quotes\" and \\ backslash"]
DATES = ["2016-04-24", "2016-04-25", "2017-03-01", "2020-05-01", "2020-12-31", "2024-02-29"]
AMOUNTS = ["100000.00", "50000", "0.01", "300000.00", "123456.78"]
NAMES = ["福州示例科技有限公司", "福州市标准化研究院", "Fuzhou \"Quoted\" Ltd.", "名称\\反斜杠", "Tab\there", ""]

# One fault in about one request in four: each is an input error the
# executors must report identically (code, field and both messages).
FAULTS = {
    "credit_code": lambda a, rng: setattr(a.applicant, "credit_code", rng.choice(["9135010", "", "91350100I000100Y43"])),
    "seat": lambda a, rng: setattr(a.applicant, "seat", rng.choice(["35010", "", "abc"])),
    "outside": lambda a, rng: setattr(a.applicant, "seat", rng.choice(["350128", "350203", "110101"])),
    "item": lambda a, rng: a.achievements and setattr(a.achievements[0], "item", "UNKNOWN_ITEM"),
    "variant": lambda a, rng: a.achievements and setattr(a.achievements[0], "variant", "NO_SUCH_VARIANT"),
    "subject": lambda a, rng: a.achievements and setattr(a.achievements[-1], "subject", rng.choice(["\u200b\u200d", "  ", "x" * 201, "\u0413B/T 1-2020", "not a standard"])),
    "date": lambda a, rng: a.achievements and setattr(a.achievements[0], "date", rng.choice(["2023-02-29", "2020-5-1", ""])),
    "role": lambda a, rng: a.achievements and setattr(a.achievements[0], "role", 5),
    "view": lambda a, rng: setattr(a, "view", 7),
    "duplicate_id": lambda a, rng: len(a.achievements) > 1 and setattr(a.achievements[1], "id", a.achievements[0].id),
    "funding_level": lambda a, rng: a.achievements and _funding(a.achievements[0], rng.choice([0, 9]), "1000.00"),
    "funding_amount": lambda a, rng: a.achievements and _funding(a.achievements[0], 2, rng.choice(["1e5", "-1.00", "0.001", "12345678901234567890", "", "100000.005"])),
}


def _funding(achievement, level: int, amount: str) -> None:
    f = achievement.higher_level_funding.add()
    f.level = level
    f.amount = amount


def random_request(rng: random.Random, pb) -> object:
    req = pb.EstimateRequest()
    req.applicant.credit_code = rng.choice(CREDIT_CODES)
    req.applicant.seat = rng.choice(SEATS[:14])
    req.applicant.name = rng.choice(NAMES)
    if rng.random() < 0.2:
        req.view = rng.choice([1, 2])
    for n in range(rng.choice([0, 1, 1, 2, 3, 4, 6])):
        a = req.achievements.add()
        a.id = f"a{n + 1}"
        a.item = rng.choice(list(ITEMS))
        a.variant = rng.choice(ITEMS[a.item])
        a.subject = rng.choice(STANDARDS if a.item in STANDARD_ITEMS else REFERENCES)
        if rng.random() < 0.1 and n > 0:
            a.subject = req.achievements[0].subject
        a.date = rng.choice(DATES)
        a.role = rng.choice([0, 0, 1, 1, 2])
        a.accepted = rng.random() < 0.5
        a.approved = rng.random() < 0.5
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            _funding(a, rng.choice([1, 2, 2, 3, 4]), rng.choice(AMOUNTS))
            if rng.random() < 0.5:
                a.higher_level_funding[-1].source = rng.choice(["省市场监管局", "国家标准委 2020"])
    if rng.random() < 0.25:
        FAULTS[rng.choice(sorted(FAULTS))](req, rng)
    return req


def with_nulls(text: str, rng: random.Random, original_names: bool) -> str:
    """Writes absent or default fields as `null` (the mapping's default),
    under the names the printer used."""
    doc = json.loads(text)
    camel = {"what_if_ruleset": "whatIfRuleset", "higher_level_funding": "higherLevelFunding"}

    def visit(obj: dict, fields: list[str]) -> None:
        for name in fields:
            key = name if original_names else camel.get(name, name)
            if key not in obj or obj[key] in ("", 0, False, [], "VIEW_UNSPECIFIED", "ROLE_UNSPECIFIED"):
                if rng.random() < 0.5:
                    obj[key] = None

    visit(doc, ["what_if_ruleset", "view"])
    if isinstance(doc.get("applicant"), dict):
        visit(doc["applicant"], ["name"])
    for a in doc.get("achievements") or []:
        visit(a, ["role", "accepted", "approved", "higher_level_funding"])
    return json.dumps(doc, ensure_ascii=False)


def cli_answer(binary: Path, text: str) -> str:
    p = subprocess.run([str(binary), "estimate", "--error-format", "json"], input=text.encode(),
                       capture_output=True, timeout=60)
    if p.returncode == 0:
        return p.stdout.decode().rstrip("\n")
    if p.returncode == 2 and p.stderr.startswith(b'{"error"'):
        return p.stderr.decode().rstrip("\n")
    raise AssertionError(f"stdfund estimate exited {p.returncode}: {p.stderr.decode()[:500]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", type=Path, required=True)
    ap.add_argument("--count", type=int, default=1088)
    ap.add_argument("--seed", type=int, default=20161025)
    ap.add_argument("--node", default="node")
    args = ap.parse_args()
    args.binary = args.binary.resolve()

    import grpc
    from google.protobuf import json_format

    combos = list(product([False, True], repeat=len(OPTIONS)))
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="stdfund-conformance-") as tmp_s:
        tmp = Path(tmp_s)
        out = tmp / "gen"
        out.mkdir()
        harness.generate(ROOT / "proto", out)
        mods = harness.load_generated(out)
        pb, svc = mods["estimate_pb2"], mods["estimate_service_pb2_grpc"]

        texts: list[str] = []
        used: list[tuple[bool, ...]] = []
        nulls = 0
        for i in range(args.count):
            combo = combos[i % len(combos)]
            opts = dict(zip(OPTIONS, combo))
            opts["indent"] = 2 if opts["indent"] else None
            text = json_format.MessageToJson(random_request(rng, pb), **opts)
            if i % 8 == 7:
                text = with_nulls(text, rng, opts["preserving_proto_field_name"])
                nulls += 1
            texts.append(text)
            used.append(combo)
        for k, name in enumerate(OPTIONS):
            assert {c[k] for c in used} == {False, True}, f"option {name} not exercised both ways"

        # CLI, two at a time (the machine's cores).
        with ThreadPoolExecutor(max_workers=2) as pool:
            cli = list(pool.map(lambda t: cli_answer(args.binary, t), texts))

        # WASM under Node.
        (tmp / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        subprocess.run([args.node, str(ROOT / "wasm/test/conformance/answers.mjs"), str(tmp / "texts.json"),
                        str(tmp / "wasm.json")], check=True, cwd=str(ROOT / "wasm"))
        wasm = json.loads((tmp / "wasm.json").read_text(encoding="utf-8"))

        # gRPC.
        port, metrics_port = harness.free_port(), harness.free_port()
        log = tmp / "server.log"
        proc = harness.start_server(args.binary, port, metrics_port, f"sqlite://{tmp / 'stdfund.sqlite'}", log)
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        failures: list[str] = []
        assessments = errors = 0
        try:
            harness.wait_serving(channel, proc)
            stub = svc.EstimateServiceStub(channel)
            for i, text in enumerate(texts):
                if cli[i] != wasm[i]:
                    failures.append(f"#{i}: CLI and WASM differ\n  text: {text[:300]}\n  cli:  {cli[i][:300]}\n  wasm: {wasm[i][:300]}")
                    continue
                want = json.loads(cli[i])
                request = json_format.Parse(text, pb.EstimateRequest())
                try:
                    got = json_format.MessageToDict(stub.Estimate(request, timeout=10),
                                                    always_print_fields_with_no_presence=True)
                except grpc.RpcError as e:
                    if e.code() != grpc.StatusCode.INVALID_ARGUMENT:
                        failures.append(f"#{i}: gRPC {e.code()} {e.details()}")
                        continue
                    got = {"error": error_object(e)}
                if got != want:
                    failures.append(f"#{i}: gRPC differs\n  text: {text[:300]}\n  cli:  {cli[i][:300]}\n  grpc: {json.dumps(got, ensure_ascii=False)[:300]}")
                elif "error" in want:
                    errors += 1
                else:
                    assessments += 1
        finally:
            channel.close()
            harness.stop_server(proc)
    for f in failures[:10]:
        print(f)
    print(f"json conformance: {len(texts)} requests ({len(combos)} printer option sets, {nulls} with nulls), "
          f"{assessments} assessments and {errors} errors identical in CLI, WASM and gRPC, {len(failures)} differing")
    assert assessments >= len(texts) // 2, "too few assessments: the generator mostly makes errors"
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
