"""Governance: meetings, decisions, actions, business cases, plans, strategy and ECHO networks."""
