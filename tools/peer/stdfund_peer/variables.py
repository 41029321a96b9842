"""Variables: the nine grant clauses (RULES.md §2), the top-up (§3), the
district split (§4) and the ordered line decision (§7), written the way an
OpenFisca country package is written: every formula works on whole numpy
arrays (one element per achievement or per application), amounts come from
dated parameters, decisions are `numpy.select` over conditions.

Money variables are `value_type = float`, which OpenFisca stores as
float32; `stdfund_peer.build_system(money="float64")` builds the same model
with float64 money for comparison.

The one part the model does not do is text: subjects arrive already
canonicalised and numbered (`subject_id`, see data.py), because the point
of this model is the vectorised calculation.
"""

from __future__ import annotations

import datetime

import numpy
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from .entities import Achievement, Application
from .ruleset import FUNDING_LEVELS, load

RULESET = load()

# One member per (item, variant) of the ruleset, e.g. STANDARD_LEAD__NATIONAL.
GrantKind = Enum("GrantKind", [(k.name, k.name_en) for k in RULESET.kinds])
# One member per fiscal unit of the share table, e.g. U350102, U350100_GXQ,
# and OUTSIDE for every seat outside Fuzhou (including excluded seats).
FiscalUnit = Enum(
    "FiscalUnit",
    [(u.name, u.name_en) for u in RULESET.units] + [("OUTSIDE", "outside Fuzhou")],
)


class Role(Enum):
    UNSPECIFIED = "not stated"
    LEAD = "lead or first drafting unit"
    PARTICIPANT = "participating unit"


class LineReason(Enum):
    ELIGIBLE = "eligible"
    COVERED_BY_HIGHER_LEVEL = "covered by provincial-or-higher funding"
    NO_POLICY_IN_FORCE = "no policy in force on the achievement date"
    NOT_COVERED = "item, variant or role not granted"
    DUPLICATE_IN_REQUEST = "same one-time key as an earlier line"
    CONFLICTS_WITH_LEAD = "participation in a standard also claimed as lead"
    NOT_YET_ACCEPTED = "not yet accepted"
    NOT_YET_APPROVED = "not yet approved"
    DISCRETIONARY = "a reviewer sets the amount"
    OUTSIDE_FUZHOU = "applicant outside Fuzhou"


PAYING = (LineReason.ELIGIBLE, LineReason.COVERED_BY_HIGHER_LEVEL)


def by_kind(population, node, kind):
    """The parameter `node`'s value for each line's grant kind.

    OpenFisca's documented way is fancy indexing, `node[kind]`; in
    openfisca-core 46 that walks the array in Python, one element at a time,
    and takes most of the calculation. By default the model does the same
    lookup the numpy way: one small table with a value per GrantKind member,
    indexed by the enum codes. `build_system(fancy_indexing=True)` restores
    the documented form (compare.py times both)."""
    if population.simulation.tax_benefit_system.fancy_indexing:
        return node[kind]
    table = numpy.array([node[k.name] for k in GrantKind])
    return table[numpy.asarray(kind)]


def _input(name, entity, value_type, label, **extra):
    return type(
        name,
        (Variable,),
        {
            "value_type": value_type,
            "entity": entity,
            "definition_period": DateUnit.YEAR,
            "label": label,
            **extra,
        },
    )


# Inputs ---------------------------------------------------------------------

grant_kind = _input(
    "grant_kind",
    Achievement,
    Enum,
    "Item and variant claimed",
    possible_values=GrantKind,
    default_value=list(GrantKind)[0],
)
role = _input(
    "role", Achievement, Enum, "The applicant's role", possible_values=Role, default_value=Role.UNSPECIFIED
)
achievement_date = _input(
    "achievement_date", Achievement, datetime.date, "Completion date; selects the ruleset"
)
accepted = _input("accepted", Achievement, bool, "Passed acceptance (clauses 5–6)")
approved = _input("approved", Achievement, bool, "Approved (clause 8)")
subject_id = _input(
    "subject_id",
    Achievement,
    int,
    "Number of the canonical subject (with the award year for awards): the one-time key is (kind, subject_id)",
)
funding_inputs = [
    _input(f"funding_{short}", Achievement, float, f"Funding already received, {level}, yuan")
    for level, short in FUNDING_LEVELS.items()
]
fiscal_unit = _input(
    "fiscal_unit",
    Application,
    Enum,
    "The applicant's fiscal unit (seat)",
    possible_values=FiscalUnit,
    default_value=FiscalUnit.OUTSIDE,
)


# Formulas -------------------------------------------------------------------


class inside_fuzhou(Variable):
    value_type = bool
    entity = Application
    definition_period = DateUnit.YEAR
    label = "The seat is a fiscal unit of Fuzhou (else every line is OUTSIDE_FUZHOU)"

    def formula(application, period, parameters):
        return application("fiscal_unit", period) != FiscalUnit.OUTSIDE


class policy_in_force(Variable):
    value_type = bool
    entity = Achievement
    definition_period = DateUnit.YEAR
    label = "A ruleset is in force on the achievement date (§7 step 1)"

    def formula(achievement, period, parameters):
        start = numpy.datetime64(parameters(period).ruleset.effective_from)
        return achievement("achievement_date", period) >= start


class grant_covered(Variable):
    value_type = bool
    entity = Achievement
    definition_period = DateUnit.YEAR
    label = "The item, variant and role are granted (§7 step 2)"

    def formula(achievement, period, parameters):
        grant = parameters(period).grant
        kind = achievement("grant_kind", period)
        r = achievement("role", period)
        rule = by_kind(achievement, grant.role_rule, kind)
        role_ok = numpy.select(
            [rule == "IMPLIED_LEAD", rule == "REQUIRED_LEAD"],
            [r != Role.PARTICIPANT, r == Role.LEAD],
            True,
        )
        return by_kind(achievement, grant.covered, kind) & role_ok


class passes_coverage(Variable):
    value_type = bool
    entity = Achievement
    definition_period = DateUnit.YEAR
    label = "Passed §7 steps 1–2 (only such lines claim a one-time key)"

    def formula(achievement, period, parameters):
        return achievement("policy_in_force", period) & achievement("grant_covered", period)


def _app_subject_keys(achievement, period):
    """(application, subject) as one int64 per achievement."""
    app = achievement.application.members_entity_id.astype(numpy.int64)
    subject = achievement("subject_id", period).astype(numpy.int64)
    return app * (int(subject.max(initial=0)) + 1) + subject


class duplicate_in_request(Variable):
    value_type = bool
    entity = Achievement
    definition_period = DateUnit.YEAR
    label = "An earlier line of the application that passed steps 1–2 has the same one-time key (§7 step 3)"

    def formula(achievement, period, parameters):
        passed = achievement("passes_coverage", period)
        kind = achievement("grant_kind", period).astype(numpy.int64)
        key = _app_subject_keys(achievement, period) * len(GrantKind) + kind
        candidates = numpy.flatnonzero(passed)
        # numpy.unique sorts stably: return_index is each key's first line.
        _, first = numpy.unique(key[candidates], return_index=True)
        duplicate = passed.copy()
        duplicate[candidates[first]] = False
        return duplicate


class conflicts_with_lead(Variable):
    value_type = bool
    entity = Achievement
    definition_period = DateUnit.YEAR
    label = "A participation line whose subject is also claimed as lead in the application (§7 step 4)"

    def formula(achievement, period, parameters):
        grant = parameters(period).grant
        kind = achievement("grant_kind", period)
        item = by_kind(achievement, grant.item, kind)
        target = by_kind(achievement, grant.conflicts_with_item, kind)
        keys = _app_subject_keys(achievement, period)
        conflict = numpy.zeros(len(keys), dtype=bool)
        for lead_item in numpy.unique(target[target != ""]):
            lead_keys = keys[item == lead_item]
            conflict |= (target == lead_item) & numpy.isin(keys, lead_keys)
        return conflict


class municipal_amount(Variable):
    value_type = float
    entity = Achievement
    definition_period = DateUnit.YEAR
    unit = "CNY"
    label = "Municipal grant C, yuan (clauses 1–8)"

    def formula(achievement, period, parameters):
        amount_wan = by_kind(achievement, parameters(period).grant.amount_wan, achievement("grant_kind", period))
        return amount_wan * 10_000


class higher_level_funding_counted(Variable):
    value_type = float
    entity = Achievement
    definition_period = DateUnit.YEAR
    unit = "CNY"
    label = "H: provincial-or-higher fiscal funding already received (§3)"

    def formula(achievement, period, parameters):
        counted = parameters(period).topup.counted
        total = 0
        for short in FUNDING_LEVELS.values():
            total = total + numpy.where(counted[short], achievement(f"funding_{short}", period), 0)
        return total


class line_reason(Variable):
    value_type = Enum
    possible_values = LineReason
    default_value = LineReason.ELIGIBLE
    entity = Achievement
    definition_period = DateUnit.YEAR
    label = "The line's reason code, by the ordered steps of §7"

    def formula(achievement, period, parameters):
        condition = by_kind(achievement, parameters(period).grant.condition, achievement("grant_kind", period))
        c = achievement("municipal_amount", period)
        h = achievement("higher_level_funding_counted", period)
        return numpy.select(
            [
                ~achievement.application("inside_fuzhou", period),
                ~achievement("policy_in_force", period),
                ~achievement("grant_covered", period),
                achievement("duplicate_in_request", period),
                achievement("conflicts_with_lead", period),
                (condition == "ACCEPTED") & ~achievement("accepted", period),
                (condition == "APPROVED") & ~achievement("approved", period),
                condition == "DISCRETIONARY",
                (h > 0) & (h >= c),
            ],
            [
                LineReason.OUTSIDE_FUZHOU.index,
                LineReason.NO_POLICY_IN_FORCE.index,
                LineReason.NOT_COVERED.index,
                LineReason.DUPLICATE_IN_REQUEST.index,
                LineReason.CONFLICTS_WITH_LEAD.index,
                LineReason.NOT_YET_ACCEPTED.index,
                LineReason.NOT_YET_APPROVED.index,
                LineReason.DISCRETIONARY.index,
                LineReason.COVERED_BY_HIGHER_LEVEL.index,
            ],
            LineReason.ELIGIBLE.index,
        )


class payable(Variable):
    value_type = float
    entity = Achievement
    definition_period = DateUnit.YEAR
    unit = "CNY"
    label = "Payable: max(0, C − H) for an eligible line, else 0"

    def formula(achievement, period, parameters):
        reason = achievement("line_reason", period)
        paying = (reason == PAYING[0]) | (reason == PAYING[1])
        c = achievement("municipal_amount", period)
        h = achievement("higher_level_funding_counted", period)
        return numpy.where(paying, numpy.maximum(c - h, 0), 0)


class district_ratio(Variable):
    value_type = float
    entity = Application
    definition_period = DateUnit.YEAR
    label = "District share ratio of the applicant's fiscal unit (0 outside Fuzhou)"

    def formula(application, period, parameters):
        ratios = parameters(period).share.district_ratio
        unit = application("fiscal_unit", period)
        # select rather than fancy indexing: OUTSIDE has no ratio.
        inside = [u for u in FiscalUnit if u != FiscalUnit.OUTSIDE]
        return numpy.select([unit == u for u in inside], [ratios[u.name] for u in inside], 0)


class district_share(Variable):
    value_type = float
    entity = Achievement
    definition_period = DateUnit.YEAR
    unit = "CNY"
    label = "The line's district share: payable × ratio rounded half-up to the fen (§4)"

    def formula(achievement, period, parameters):
        share = achievement("payable", period) * achievement.application("district_ratio", period)
        return numpy.floor(share * 100 + 0.5) / 100


class municipal_share(Variable):
    value_type = float
    entity = Achievement
    definition_period = DateUnit.YEAR
    unit = "CNY"
    label = "The line's municipal share: payable − district share (§4)"

    def formula(achievement, period, parameters):
        return achievement("payable", period) - achievement("district_share", period)


class application_total(Variable):
    value_type = float
    entity = Application
    definition_period = DateUnit.YEAR
    unit = "CNY"
    label = "The application's total payable"

    def formula(application, period, parameters):
        return application.sum(application.members("payable", period))


class application_district_share(Variable):
    value_type = float
    entity = Application
    definition_period = DateUnit.YEAR
    unit = "CNY"
    label = "The application's district share (sum of its lines' shares)"

    def formula(application, period, parameters):
        return application.sum(application.members("district_share", period))


class application_municipal_share(Variable):
    value_type = float
    entity = Application
    definition_period = DateUnit.YEAR
    unit = "CNY"
    label = "The application's municipal share (sum of its lines' shares)"

    def formula(application, period, parameters):
        return application.sum(application.members("municipal_share", period))


VARIABLES = [
    grant_kind,
    role,
    achievement_date,
    accepted,
    approved,
    subject_id,
    *funding_inputs,
    fiscal_unit,
    inside_fuzhou,
    policy_in_force,
    grant_covered,
    passes_coverage,
    duplicate_in_request,
    conflicts_with_lead,
    municipal_amount,
    higher_level_funding_counted,
    line_reason,
    payable,
    district_ratio,
    district_share,
    municipal_share,
    application_total,
    application_district_share,
    application_municipal_share,
]
