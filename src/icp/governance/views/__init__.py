"""Governance pages: one module per part (meetings, cases, plans and projects, ECHO, home)."""
