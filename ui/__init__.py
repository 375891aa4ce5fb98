"""PySide6 interface. Reaches data only through ``app`` services."""
