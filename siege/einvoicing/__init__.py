"""E-invoicing on the siège (docs/einvoicing.md): issued invoices queued in an outbox,
sent exactly once to the CAE's plateforme agréée through an adapter (XP Z12-013 first),
their life-cycle statuses read back into ``siege_pa_status``."""
