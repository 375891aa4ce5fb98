"""The French words of the screens, one module per area (docs/architecture.md §3, "Words")."""
