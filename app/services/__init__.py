"""Use cases. Each takes a unit of work (or a factory) and returns frozen values."""
