"""The OpenFisca model against the shared vectors (tests/vectors): every
vector that is an assessment (not an error, not a what-if) runs through the
model in float64, and each line's reason and payable, the total and the
district shares must match the vector's expected answer, whose figures were
worked out by hand from RULES.md (the vector's `check`).

    tools/peer/.venv/bin/python -m pytest tools/peer -q

The canonical subject of each line is taken from the expected answer's
one-time key (the model does no text normalisation, see variables.py).
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import peer_columns  # noqa: E402
from stdfund_peer import build_system, data  # noqa: E402

VECTORS = sorted((HERE.parents[1] / "tests" / "vectors").rglob("*.json"))
FEN = Decimal("0.01")


def assessments():
    for path in VECTORS:
        case = json.loads(path.read_text(encoding="utf-8"))
        if case["check"].get("error") or case["input"].get("whatIfRuleset"):
            continue
        yield pytest.param(case, id=str(path.relative_to(path.parents[1])))


def fen(x) -> Decimal:
    return Decimal(float(x)).quantize(FEN)


@pytest.fixture(scope="module")
def system():
    return build_system("float64")


def test_there_are_vectors():
    assert len(list(assessments())) >= 40


@pytest.mark.parametrize("case", list(assessments()))
def test_vector(case, system):
    expected = case["expected"]
    keys = [line["oneTimeKey"].split("|", 2)[2] for line in expected["lines"]]
    sim = data.simulate(system, peer_columns([case["input"]], [keys]))
    period = "2026"
    reasons = sim.calculate("line_reason", period).decode_to_str().tolist()
    payable = sim.calculate("payable", period)
    district = sim.calculate("district_share", period)
    assert reasons == [line["reasonCode"] for line in expected["lines"]]
    assert [fen(p) for p in payable] == [Decimal(line["payable"]) for line in expected["lines"]]
    assert fen(sim.calculate("application_total", period)[0]) == Decimal(expected["total"])
    # A float rounds payable × ratio half-up from a binary value: it may be
    # a fen off on a …5 product (README), never more.
    for d, line in zip(district, expected["lines"]):
        assert abs(fen(d) - Decimal(line["districtShare"])) <= FEN
    share = sim.calculate("application_district_share", period)[0]
    assert abs(fen(share) - Decimal(expected["split"]["districtShare"])) <= FEN * len(keys)
