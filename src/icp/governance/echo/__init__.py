"""ECHO-style learning networks: networks, sessions, attendance (by hand or from a file) and
their totals. Models, actions, pages and the JSON API."""
