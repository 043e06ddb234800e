"""Contracts API: contracts (being written in this change)."""

ROUTES: list = []
