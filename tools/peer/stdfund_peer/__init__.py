"""stdfund_peer: an OpenFisca model of the Fuzhou 2016 standardization
subsidies (RULES.md §2–§4 and §7), the peer that tools/peer/compare.py
measures stdfund against. Parameters are rendered from the ruleset JSON that
stdfund itself embeds (see ruleset.py)."""

from __future__ import annotations

import numpy
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import config as variable_config

from . import entities, ruleset, variables

MONEY_TYPES = {"float32": numpy.float32, "float64": numpy.float64}


class StdfundSystem(TaxBenefitSystem):
    """The tax-benefit system: two entities, the variables, the parameters."""

    def __init__(self, fancy_indexing: bool = False) -> None:
        super().__init__(entities.entities)
        self.fancy_indexing = fancy_indexing
        self.add_variables(*variables.VARIABLES)
        self.load_parameters(str(ruleset.PARAMETERS_DIR))


def build_system(money: str = "float32", fancy_indexing: bool = False) -> StdfundSystem:
    """The model with OpenFisca's float type stored as `money`: float32 is
    OpenFisca's own choice (every `value_type = float`); float64 is the same
    model with that one setting changed while its variables are built.
    `fancy_indexing`: look parameters up per grant kind with OpenFisca's
    fancy indexing instead of a numpy table (see variables.by_kind)."""
    dtype = MONEY_TYPES[money]
    float_type = variable_config.VALUE_TYPES[float]
    saved = float_type["dtype"]
    float_type["dtype"] = dtype
    try:
        return StdfundSystem(fancy_indexing)
    finally:
        float_type["dtype"] = saved
