"""Frappe-compatible REST API: another door to the same engine (services and permissions)."""
