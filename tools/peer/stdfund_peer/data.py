"""Loading the columnar peer input (written by generate.py as `peer.json`)
into an OpenFisca simulation, the way survey data is loaded: declare the
populations, join achievements to their applications, set each input
variable from one array."""

from __future__ import annotations

import json
from pathlib import Path

import numpy
from openfisca_core.simulations import SimulationBuilder

from .ruleset import FUNDING_LEVELS
from .variables import RULESET


def read(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def seat_units(seats: list[str]) -> numpy.ndarray:
    """FiscalUnit names of seat codes: a code or former code of the share
    table's units, else OUTSIDE (an excluded or unknown seat)."""
    by_code = {code: u.name for u in RULESET.units for code in u.codes}
    return numpy.array([by_code.get(s, "OUTSIDE") for s in seats])


def simulate(system, data: dict):
    """A simulation of `system` over the applications in `data`."""
    period = data["period"]
    apps = data["applications"]
    ach = data["achievements"]
    n = len(ach["kind"])
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("achievement", numpy.arange(n))
    app_pop = builder.declare_entity("application", numpy.arange(len(apps["seat"])))
    builder.join_with_persons(app_pop, numpy.asarray(ach["application"]), numpy.zeros(n, dtype=int))
    sim = builder.build(system)
    sim.set_input("fiscal_unit", period, seat_units(apps["seat"]))
    sim.set_input("grant_kind", period, numpy.asarray(ach["kind"]))
    sim.set_input("role", period, numpy.asarray(ach["role"]))
    sim.set_input("achievement_date", period, numpy.asarray(ach["date"], dtype="datetime64[D]"))
    sim.set_input("accepted", period, numpy.asarray(ach["accepted"], dtype=bool))
    sim.set_input("approved", period, numpy.asarray(ach["approved"], dtype=bool))
    _, subject_ids = numpy.unique(numpy.asarray(ach["subject"]), return_inverse=True)
    sim.set_input("subject_id", period, subject_ids)
    for short in FUNDING_LEVELS.values():
        sim.set_input(f"funding_{short}", period, numpy.asarray(ach[f"funding_{short}"], dtype=numpy.float64))
    return sim
