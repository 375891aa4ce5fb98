"""Fields whose concurrent overwrite a person must review (docs/sync.md).

Free text, contact details and attendance marks: what matters to the people followed
and to funders. Their clocks are kept on the laptop for pulled values too, so each
change carries the stamp it was based on and the siège can tell a concurrent
overwrite (listed for review) from a knowing one (not listed). Other fields' lost
values stay in the siège's history only (siege/conflicts.py).
"""

from __future__ import annotations

PERSON_CONTACT = (
    "civility",
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "phone",
    "address",
    "postcode",
    "city",
)
REVIEW_FIELDS = frozenset(
    {
        ("attendance", "state"),
        ("registration", "status"),
        *(("person", name) for name in PERSON_CONTACT),
        *(("client", name) for name in ("name", "email", "address", "postcode", "city")),
        ("accompagnateur", "email"),
    }
)
