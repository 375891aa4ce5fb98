"""People: person records, intake and follow-up interviews, parcours, agenda,
personal data (RGPD) and merging duplicates. Each module takes a unit of work
(or its factory) and returns frozen values."""
