"""The French words of the screens, one module per area, imported under the module's own name
(``from ui.texts import accueil, common``). See docs/architecture.md §3, "Where wording lives"."""
