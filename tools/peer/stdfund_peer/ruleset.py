"""The ruleset document (crates/stdfund-rules/rulesets/fz-2016.json) as the
OpenFisca model needs it: the enumerations (grant kinds, fiscal units) and
the parameter YAML files, rendered from the JSON so that the two engines
read one source of amounts.

`python -m stdfund_peer write` renders `stdfund_peer/parameters/`;
`python -m stdfund_peer check` fails when the committed YAML no
longer matches the JSON (compare.py runs the check before it measures).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
RULESET_JSON = REPO / "crates" / "stdfund-rules" / "rulesets" / "fz-2016.json"
PARAMETERS_DIR = HERE / "parameters"

# Funding levels of the request (stdfund.v1.FundingLevel) and the input
# variable that carries each level's sum for an achievement.
FUNDING_LEVELS = {
    "FUNDING_LEVEL_NATIONAL": "national",
    "FUNDING_LEVEL_PROVINCIAL": "provincial",
    "FUNDING_LEVEL_COUNTY": "county",
    "FUNDING_LEVEL_NON_FISCAL": "non_fiscal",
}


@dataclass(frozen=True)
class Kind:
    """One (item, variant) pair of the ruleset: one member of GrantKind."""

    item: str
    variant: str
    clause: str
    amount_wan: Decimal | None
    role: str
    condition: str
    conflicts_with_item: str
    name_en: str
    citation_zh: str

    @property
    def name(self) -> str:
        return f"{self.item}__{self.variant}"

    @property
    def covered(self) -> bool:
        """Whether the variant is granted at all: it has an amount, or its
        item is discretionary (clause 9: a reviewer sets the amount)."""
        return self.amount_wan is not None or self.condition == "DISCRETIONARY"


@dataclass(frozen=True)
class Unit:
    """A fiscal unit of the share table: one member of FiscalUnit."""

    code: str
    codes: tuple[str, ...]  # the code and its former codes
    district_ratio: Decimal
    name_en: str

    @property
    def name(self) -> str:
        return "U" + self.code.replace("-", "_")


@dataclass(frozen=True)
class Ruleset:
    """The parts of the ruleset document that the OpenFisca model uses."""

    id: str
    version: str
    effective_from: str
    effective_to: str | None
    kinds: tuple[Kind, ...]
    units: tuple[Unit, ...]
    counted_levels: tuple[str, ...]
    topup_citation_zh: str
    share_table_id: str
    share_citation_zh: str
    share_note_en: str


def load(path: Path = RULESET_JSON) -> Ruleset:
    doc = json.loads(path.read_text(encoding="utf-8"))
    kinds = []
    for item in doc["items"]:
        for v in item["variants"]:
            amount = v.get("amountWan")
            kinds.append(
                Kind(
                    item=item["id"],
                    variant=v["id"],
                    clause=item["clause"],
                    amount_wan=None if amount is None else Decimal(amount),
                    role=item["role"],
                    condition=item["condition"],
                    conflicts_with_item=item.get("conflictsWithItem") or "",
                    name_en=f'{item["nameEn"]}: {v["nameEn"]}',
                    citation_zh=item["citationZh"],
                )
            )
    ratios = {r["fiscalUnit"]: Decimal(r["districtRatio"]) for r in doc["shareTable"]["ratios"]}
    units = tuple(
        Unit(
            code=u["code"],
            codes=(u["code"], *u.get("formerCodes", [])),
            district_ratio=ratios[u["code"]],
            name_en=u["nameEn"],
        )
        for u in doc["fiscalUnits"]
    )
    return Ruleset(
        id=doc["id"],
        version=doc["version"],
        effective_from=doc["effectiveFrom"],
        effective_to=doc.get("effectiveTo"),
        kinds=tuple(kinds),
        units=units,
        counted_levels=tuple(doc["topUp"]["countedLevels"]),
        topup_citation_zh=doc["topUp"]["citationZh"],
        share_table_id=doc["shareTable"]["id"],
        share_citation_zh=doc["shareTable"]["citationZh"],
        share_note_en=doc["shareTable"]["noteEn"],
    )


def _number(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def _dated(value, start: str, reference: str | None = None) -> dict:
    out: dict = {"values": {start: {"value": value}}}
    if reference:
        out["reference"] = reference
    return out


def render(rs: Ruleset) -> dict[str, str]:
    """The parameter tree as YAML texts by relative file name. Every value
    starts on the ruleset's effectiveFrom date; the ruleset has no end date."""
    if rs.effective_to is not None:
        raise SystemExit("the model renders an open-ended ruleset only")
    start = rs.effective_from
    source = f"{RULESET_JSON.relative_to(REPO)} ({rs.id} {rs.version})"
    header = f"# Rendered from {source} by `python -m stdfund_peer write`; do not edit.\n"
    files: dict[str, dict] = {}
    files["ruleset.yaml"] = {
        "description": f"Ruleset {rs.id} {rs.version}",
        "effective_from": {
            "description": "First day on which the ruleset is in force (the signing date)",
            **_dated(start, start),
        },
    }

    def per_kind(description: str, value_of, unit: str | None = None) -> dict:
        node: dict = {"description": description}
        if unit:
            node["metadata"] = {"unit": unit}
        for k in rs.kinds:
            node[k.name] = {
                "description": f"{k.clause} {k.name_en}",
                **_dated(value_of(k), start, k.citation_zh),
            }
        return node

    files["grant/amount_wan.yaml"] = per_kind(
        "Municipal grant C per item and variant, 万元 (0 where the variant has no amount)",
        lambda k: 0 if k.amount_wan is None else _number(k.amount_wan),
        unit="万元",
    )
    files["grant/covered.yaml"] = per_kind(
        "Whether the variant is granted at all (false: NOT_COVERED)", lambda k: k.covered
    )
    files["grant/role_rule.yaml"] = per_kind(
        "Role the item demands: NONE, IMPLIED_LEAD (a participant is not covered), REQUIRED_LEAD",
        lambda k: k.role,
    )
    files["grant/condition.yaml"] = per_kind(
        "Condition before payment: NONE, ACCEPTED, APPROVED, DISCRETIONARY", lambda k: k.condition
    )
    files["grant/item.yaml"] = per_kind("The grant item of the kind", lambda k: k.item)
    files["grant/conflicts_with_item.yaml"] = per_kind(
        "The item whose line on the same subject makes this line CONFLICTS_WITH_LEAD ('' for none)",
        lambda k: k.conflicts_with_item,
    )
    topup: dict = {"description": "Funding levels counted in H (补足差额)"}
    for level, short in FUNDING_LEVELS.items():
        topup[short] = {
            "description": f"{level} counts toward H",
            **_dated(level in rs.counted_levels, start, rs.topup_citation_zh),
        }
    files["topup/counted.yaml"] = topup
    share: dict = {"description": f"District share ratio ({rs.share_table_id}; {rs.share_note_en})"}
    for u in rs.units:
        share[u.name] = {
            "description": f"{u.code} {u.name_en}",
            **_dated(_number(u.district_ratio), start, rs.share_citation_zh),
        }
    files["share/district_ratio.yaml"] = share
    return {
        name: header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=200)
        for name, body in files.items()
    }


def write(rs: Ruleset) -> None:
    for name, text in render(rs).items():
        path = PARAMETERS_DIR / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def check(rs: Ruleset) -> list[str]:
    """Names of parameter files that differ from a fresh rendering (or are
    missing, or are extra)."""
    want = render(rs)
    have = {
        str(p.relative_to(PARAMETERS_DIR)): p.read_text(encoding="utf-8")
        for p in PARAMETERS_DIR.rglob("*.yaml")
    }
    return sorted(n for n in set(want) | set(have) if want.get(n) != have.get(n))


def main(argv: list[str]) -> int:
    rs = load()
    if argv[1:] == ["write"]:
        write(rs)
        return 0
    if argv[1:] == ["check"]:
        stale = check(rs)
        if stale:
            print("parameter YAML out of date with the ruleset JSON:", ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    print("usage: python -m stdfund_peer write|check", file=sys.stderr)
    return 2
