"""The partnership registry: areas, organisations, people, users and their roles, committees."""
