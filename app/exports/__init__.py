"""Exports to XLSX (openpyxl) and French-Excel CSV: dashboard, funder table, any list."""
