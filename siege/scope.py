"""What each device reads: the read side of the authority model (docs/authority.md,
"Read scope"). The change feed (siege/feed.py) sends a device only the rows of its
scope; a siège-staff device reads everything.

The scope follows the CAE's organisation: the antennes a device serves (its towns,
``siege_device.scope``), the persons followed there (or at no antenne, or created by
the device), everything hanging off those persons, the workshop sessions held at its
places or attended by its persons, and its own invoice series with everything issued
in them (the legal archive stays readable whatever happens to the person).

Rows enter a scope after the device's cursor has passed them (a person moves in, a
scope grows, a person registers for a session elsewhere): the siège then gives those
rows a new sequence number (:func:`retouch_after`, :func:`publish_growth`) so they are
sent at the next pull. Rows leaving a scope (a person moves away, a link re-pointed, a
scope narrowed) are evicted from the laptops: each such change is recorded
(:func:`note_scope_change`), which moves the device's scope epoch (:func:`epoch`); a
laptop seeing a new epoch reads the keys of its scope (:func:`manifest`) and drops what
it holds outside them, never an unsent edit (docs/sync.md, "Leaving a scope").

The scope's model lives in siege/scope_model.py, the row-level rules in
siege/scope_rows.py, rows entering and leaving a scope in siege/scope_changes.py; this
module gathers their public names (callers read ``siege.scope.keep`` and so on).
"""

from __future__ import annotations

from siege.scope_changes import (
    epoch,
    note_scope_change,
    person_subtree,
    publish_growth,
    retouch_after,
    session_subtree,
)
from siege.scope_model import (
    PERSON_RECORDS,
    SCOPE_LINKS,
    SHARED,
    SLOT_ROWS,
    Key,
    Scope,
    antenne_ids,
    cached,
    compute,
)
from siege.scope_rows import evictable_tables, keep, manifest

__all__ = [
    "PERSON_RECORDS",
    "SCOPE_LINKS",
    "SHARED",
    "SLOT_ROWS",
    "Key",
    "Scope",
    "antenne_ids",
    "cached",
    "compute",
    "epoch",
    "evictable_tables",
    "keep",
    "manifest",
    "note_scope_change",
    "person_subtree",
    "publish_growth",
    "retouch_after",
    "session_subtree",
]
