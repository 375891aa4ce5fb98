"""Invoicing: clients, drafts, validation in legal series, credit notes, payments,
PDF and Factur-X. Services take a ``UnitOfWorkFactory`` and return frozen values."""
