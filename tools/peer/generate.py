#!/usr/bin/env python3
"""Generates the benchmark data: applications of 1–8 achievements, exactly
--achievements in all, written twice:

- `requests.ndjson`: one stdfund.v1 EstimateRequest in proto3 JSON per line
  (what `stdfund estimate` reads), with subjects as an applicant types them
  (some lower case, full-width, with spaces or a long dash);
- `peer.json`: the same data in columns for the OpenFisca model
  (stdfund_peer/data.py), with each subject in its canonical form.

Every item and variant of the ruleset appears, with every role, accepted /
approved flags, funding of every level (fen amounts, some equal to the
grant), duplicates and lead/participant conflicts inside an application,
dates before and after the policy's start, seats inside Fuzhou and a few
outside. Deterministic for a given --seed. Needs only the standard library.

    python3 tools/peer/generate.py --achievements 100000 --seed 1 --out DIR
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RULESET_JSON = REPO / "crates" / "stdfund-rules" / "rulesets" / "fz-2016.json"

# The period the OpenFisca model evaluates its parameters at (the estimate
# year); each line's own date decides whether the ruleset is in force.
PERIOD = "2026"

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

ITEM_WEIGHTS = {
    "STANDARD_LEAD": 20,
    "STANDARD_PARTICIPANT": 15,
    "AWARD_CHINA": 6,
    "AWARD_FUJIAN": 6,
    "TC_SECRETARIAT": 8,
    "DEMONSTRATION_PILOT": 10,
    "RESEARCH_PROJECT": 10,
    "GOOD_BEHAVIOUR": 10,
    "GEOGRAPHICAL_INDICATION": 8,
    "OTHER_ACTIVITY": 7,
}

STANDARD_CODES = {
    "INTERNATIONAL": ["ISO", "IEC", "ISO/IEC", "ITU"],
    "NATIONAL": ["GB", "GB/T", "GB/Z"],
    "INDUSTRY": ["JB/T", "HG/T", "SJ/T", "YY/T", "QB/T", "NY/T"],
    "LOCAL": ["DB35/T", "DB3501/T", "DB35"],
    "GROUP": ["T/FJBZ", "T/CAS", "T/FZSA"],
}

COMMITTEES = {
    "INTERNATIONAL_TC_SC": ["ISO/TC {a}", "ISO/TC {a}/SC {b}", "IEC/TC {a}"],
    "INTERNATIONAL_WG": ["ISO/TC {a}/WG {b}", "IEC/TC {a}/WG {b}"],
    "NATIONAL_TC_SC": ["SAC/TC {a}", "SAC/TC {a}/SC {b}"],
    "NATIONAL_WG": ["SAC/SWG {a}", "SAC/TC {a}/WG {b}"],
    "PROVINCIAL_TC": ["FJ/TC {a}"],
    "PROVINCIAL_WG": ["FJ/TC {a}/WG {b}"],
}

GI_PLACES = ["福州", "永泰", "闽侯", "连江", "罗源", "闽清", "福清", "长乐", "马尾", "晋安", "仓山", "鼓楼"]
GI_PRODUCTS = ["茉莉花茶", "李干", "橄榄", "鲍鱼", "芙蓉李", "秀珍菇", "枇杷", "海带", "青红酒", "佛手", "龙眼", "线面", "鱼丸", "脱骨扒"]

FUNDING_LEVELS = [
    ("FUNDING_LEVEL_PROVINCIAL", "provincial", 40),
    ("FUNDING_LEVEL_NATIONAL", "national", 25),
    ("FUNDING_LEVEL_COUNTY", "county", 20),
    ("FUNDING_LEVEL_NON_FISCAL", "non_fiscal", 15),
]

POLICY_START = date(2016, 4, 25)


def credit_code(rng: random.Random, division: str) -> str:
    """A unified social credit code with a correct check character."""
    body = "91" + division[:6] + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS))
    return body + CREDIT_ALPHABET[(31 - total % 31) % 31]


def fullwidth(s: str) -> str:
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s
    )


def messy_standard(rng: random.Random, canonical: str) -> str:
    """A spelling of a standard number that normalises back to `canonical`:
    lower case, full-width, no space after the code, spaces around '/', or
    a long dash before the year."""
    code, number = canonical.split(" ", 1)
    way = rng.randrange(5)
    if way == 0:
        return canonical.lower()
    if way == 1:
        return fullwidth(canonical)
    if way == 2 and not code[-1].isdigit():
        return code + number
    if way <= 3:
        return code.replace("/", " / ") + " " + number
    head, sep, year = number.rpartition("-")
    return f"{code} {head}\u2014{year}" if sep else canonical.lower()


def messy_free(rng: random.Random, canonical: str) -> str:
    """A spelling of a free-text subject that normalises back to it."""
    way = rng.randrange(4)
    if way == 0:
        return canonical.lower()
    if way == 1:
        return fullwidth(canonical)
    if way == 2:
        return "  " + canonical.replace(" ", "  ").replace("/", " / ") + " "
    return " " + canonical + "\u3000"


@dataclass
class Line:
    item: str
    variant: str
    subject: str  # canonical
    subject_kind: str
    date: date
    role: str = ""
    accepted: bool = False
    approved: bool = False
    funding: list[tuple[str, str]] = field(default_factory=list)

    def subject_key(self) -> str:
        """The subject part of the one-time key (the awarded standard plus
        the award year for awards)."""
        if self.subject_kind == "AWARDED_STANDARD":
            return f"{self.subject}@{self.date.year}"
        return self.subject


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        doc = json.loads(RULESET_JSON.read_text(encoding="utf-8"))
        self.items = {i["id"]: i for i in doc["items"]}
        missing = set(self.items) ^ set(ITEM_WEIGHTS)
        if missing:
            raise SystemExit(f"generate.py does not know the items {sorted(missing)} of the ruleset")
        self.seats = [u["code"] for u in doc["fiscalUnits"]]
        self.former = [c for u in doc["fiscalUnits"] for c in u.get("formerCodes", [])]
        self.excluded = [s["code"] for s in doc["excludedSeats"]]

    # -- subjects ----------------------------------------------------------

    def standard(self, level: str) -> str:
        rng = self.rng
        code = rng.choice(STANDARD_CODES[level])
        number = str(rng.randint(1, 60000))
        if rng.random() < 0.1:
            number += f".{rng.randint(1, 9)}"
        year = rng.randint(2008, 2025)
        sep = ":" if level == "INTERNATIONAL" and rng.random() < 0.5 else "-"
        return f"{code} {number}{sep}{year}"

    def subject(self, item: str, variant: str) -> str:
        rng = self.rng
        if item in ("STANDARD_LEAD", "STANDARD_PARTICIPANT"):
            level = variant if rng.random() < 0.9 else rng.choice(list(STANDARD_CODES))
            return self.standard(level)
        if item in ("AWARD_CHINA", "AWARD_FUJIAN"):
            return self.standard(rng.choice(["NATIONAL", "NATIONAL", "INDUSTRY", "LOCAL", "GROUP"]))
        if item == "TC_SECRETARIAT":
            return rng.choice(COMMITTEES[variant]).format(a=rng.randint(1, 600), b=rng.randint(1, 30))
        if item == "DEMONSTRATION_PILOT":
            return f"BZSF-{rng.randint(2012, 2025)}-{rng.randint(1, 9999)}"
        if item == "RESEARCH_PROJECT":
            return f"{rng.randint(2012, 2025)}YFF{rng.randint(1000000, 9999999)}"
        if item == "GOOD_BEHAVIOUR":
            return f"LHXW-{variant}-{rng.randint(2012, 2025)}-{rng.randint(1, 99999)}"
        if item == "GEOGRAPHICAL_INDICATION":
            return rng.choice(GI_PLACES) + rng.choice(GI_PRODUCTS)
        return f"FZ-{variant.replace('_', '-')}-{rng.randint(2016, 2025)}-{rng.randint(1, 999)}"

    def spelling(self, line: Line) -> str:
        if self.rng.random() >= 0.15:
            return line.subject
        if line.subject_kind in ("STANDARD_NUMBER", "AWARDED_STANDARD"):
            return messy_standard(self.rng, line.subject)
        return messy_free(self.rng, line.subject)

    # -- lines -------------------------------------------------------------

    def date(self) -> date:
        rng = self.rng
        r = rng.random()
        if r < 0.02:
            return POLICY_START - timedelta(days=rng.randint(0, 1))
        if r < 0.10:
            return date(2013, 1, 1) + timedelta(days=rng.randrange((POLICY_START - date(2013, 1, 1)).days))
        return POLICY_START + timedelta(days=rng.randrange((date(2025, 12, 31) - POLICY_START).days + 1))

    def role(self, item: str) -> str:
        rng = self.rng
        rule = self.items[item]["role"]
        if item == "STANDARD_PARTICIPANT":
            weights = (25, 5, 70)
        elif rule == "IMPLIED_LEAD":
            weights = (30, 60, 10)
        elif rule == "REQUIRED_LEAD":
            weights = (15, 75, 10)
        else:
            weights = (70, 15, 15)
        return rng.choices(["", "ROLE_LEAD", "ROLE_PARTICIPANT"], weights)[0]

    def amount(self, grant_yuan: int) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            fen = rng.randint(1, grant_yuan * 120)
            return f"{fen // 100}.{fen % 100:02d}"
        if r < 0.65:
            return str(grant_yuan)
        if r < 0.8:
            return str(rng.randint(1, grant_yuan // 1000 + 1) * 1000)
        if r < 0.9:
            fen = rng.randint(1, 9999)
            s = f"{fen // 100}.{fen % 100:02d}"
            return s[:-1] if s.endswith("0") and rng.random() < 0.5 else s
        return rng.choice(["0", "0.01", "0.00", "1"])

    def funding(self, item: str, variant: str) -> list[tuple[str, str]]:
        rng = self.rng
        if rng.random() >= 0.35:
            return []
        v = next(v for v in self.items[item]["variants"] if v["id"] == variant)
        grant = int(Decimal(v.get("amountWan") or "10") * 10000)
        levels = [(lv, w) for lv, _, w in FUNDING_LEVELS]
        return [
            (rng.choices([lv for lv, _ in levels], [w for _, w in levels])[0], self.amount(grant))
            for _ in range(rng.choice([1, 1, 1, 2, 3]))
        ]

    def fresh(self, item: str | None = None, variant: str | None = None) -> Line:
        rng = self.rng
        item = item or rng.choices(list(ITEM_WEIGHTS), list(ITEM_WEIGHTS.values()))[0]
        doc = self.items[item]
        variant = variant or rng.choice(doc["variants"])["id"]
        condition = doc["condition"]
        line = Line(
            item=item,
            variant=variant,
            subject=self.subject(item, variant),
            subject_kind=doc["subjectKind"],
            date=self.date(),
            role=self.role(item),
            accepted=rng.random() < (0.8 if condition == "ACCEPTED" else 0.2),
            approved=rng.random() < (0.8 if condition == "APPROVED" else 0.2),
        )
        line.funding = self.funding(item, variant)
        return line

    def application_lines(self, size: int) -> list[Line]:
        rng = self.rng
        lines: list[Line] = []
        for _ in range(size):
            r = rng.random()
            if lines and r < 0.08:
                # The same achievement again (DUPLICATE_IN_REQUEST when the
                # earlier line passed steps 1–2); sometimes another date.
                src = rng.choice(lines)
                dup = Line(**{**src.__dict__, "funding": self.funding(src.item, src.variant)})
                if rng.random() < 0.3:
                    dup.date = self.date()
                lines.append(dup)
                continue
            standards = [x for x in lines if x.item in ("STANDARD_LEAD", "STANDARD_PARTICIPANT")]
            if standards and r < 0.14:
                # The other role on a standard already in the application
                # (CONFLICTS_WITH_LEAD for the participation line).
                src = rng.choice(standards)
                other = "STANDARD_PARTICIPANT" if src.item == "STANDARD_LEAD" else "STANDARD_LEAD"
                line = self.fresh(other)
                line.subject = src.subject
                lines.append(line)
                continue
            lines.append(self.fresh())
        return lines

    def seat(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.03:
            return "350203"  # 厦门市思明区: outside Fuzhou
        if r < 0.04:
            return rng.choice(self.excluded)
        if r < 0.06 and self.former:
            return rng.choice(self.former)
        return rng.choice(self.seats)


def request(gen: Generator, seat: str, lines: list[Line], n: int) -> dict:
    division = seat if seat.isdigit() else "350100"
    achievements = []
    for i, line in enumerate(lines, 1):
        a: dict = {
            "id": f"a{i}",
            "item": line.item,
            "variant": line.variant,
            "subject": gen.spelling(line),
            "date": line.date.isoformat(),
        }
        if line.role:
            a["role"] = line.role
        if line.accepted:
            a["accepted"] = True
        if line.approved:
            a["approved"] = True
        if line.funding:
            a["higherLevelFunding"] = [{"level": lv, "amount": amt} for lv, amt in line.funding]
        achievements.append(a)
    return {
        "applicant": {
            "creditCode": credit_code(gen.rng, division),
            "name": f"福州示例单位{n:06d}有限公司",
            "seat": seat,
        },
        "achievements": achievements,
    }


def peer_columns(requests: list[dict], subject_keys: list[list[str]]) -> dict:
    """The OpenFisca model's input (stdfund_peer/data.py) for stdfund
    requests: one column per input variable, one row per achievement.
    `subject_keys` gives each line's canonical subject (with the award year
    for awards): the peer does no text normalisation. Funding entries are
    summed per level, exactly."""
    cols: dict[str, list] = {
        k: []
        for k in ["application", "kind", "role", "date", "accepted", "approved", "subject"]
        + [f"funding_{short}" for _, short, _ in FUNDING_LEVELS]
    }
    short_of = {level: short for level, short, _ in FUNDING_LEVELS}
    for app, (req, keys) in enumerate(zip(requests, subject_keys)):
        for a, key in zip(req["achievements"], keys, strict=True):
            cols["application"].append(app)
            cols["kind"].append(f"{a['item']}__{a['variant']}")
            cols["role"].append(a.get("role", "").removeprefix("ROLE_") or "UNSPECIFIED")
            cols["date"].append(a["date"])
            cols["accepted"].append(bool(a.get("accepted", False)))
            cols["approved"].append(bool(a.get("approved", False)))
            cols["subject"].append(key)
            sums = {short: Decimal(0) for short in short_of.values()}
            for f in a.get("higherLevelFunding", []):
                sums[short_of[f["level"]]] += Decimal(f["amount"])
            for short, value in sums.items():
                cols[f"funding_{short}"].append(f"{value:.2f}")
    return {
        "period": PERIOD,
        "applications": {"seat": [r["applicant"]["seat"] for r in requests]},
        "achievements": cols,
    }


def generate(total: int, seed: int, out: Path) -> dict:
    gen = Generator(seed)
    rng = gen.rng
    out.mkdir(parents=True, exist_ok=True)
    requests: list[dict] = []
    subject_keys: list[list[str]] = []
    done = 0
    with (out / "requests.ndjson").open("w", encoding="utf-8") as f:
        while done < total:
            size = min(rng.randint(1, 8), total - done)
            seat = gen.seat()
            lines = gen.application_lines(size)
            req = request(gen, seat, lines, len(requests))
            f.write(json.dumps(req, ensure_ascii=False, separators=(",", ":")))
            f.write("\n")
            requests.append(req)
            subject_keys.append([line.subject_key() for line in lines])
            done += size
    peer = peer_columns(requests, subject_keys)
    (out / "peer.json").write_text(json.dumps(peer, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    manifest = {
        "generator": "tools/peer/generate.py",
        "seed": seed,
        "achievements": done,
        "applications": len(requests),
        "ruleset": str(RULESET_JSON.relative_to(REPO)),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--achievements", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.achievements < 1:
        ap.error("--achievements must be at least 1")
    m = generate(args.achievements, args.seed, args.out)
    print(f"{m['applications']} applications, {m['achievements']} achievements -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
