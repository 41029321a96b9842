"""Entities: an achievement (成果, one line of an application) is the
"person"; the application (申请) of one applying unit is the group entity
whose members are its achievements, in input order."""

from openfisca_core.entities import build_entity

Achievement = build_entity(
    key="achievement",
    plural="achievements",
    label="An achievement claimed: one line of an application (成果)",
    is_person=True,
)

Application = build_entity(
    key="application",
    plural="applications",
    label="The application of one applying unit (申请)",
    roles=[
        {
            "key": "line",
            "plural": "lines",
            "label": "A line of the application",
        }
    ],
)

entities = [Achievement, Application]
