"""The CAE's reference data: antennes, permanences, accompagnateurs, option lists,
and the first-run set-up of a profile."""
