"""Permanence core: domain models, services, storage, PDF and sync client.

Nothing in this package imports Qt or produces text for the user: errors are
typed (see :mod:`app.errors`) and the UI turns them into French messages.
"""

__version__ = "0.1.0"
