"""API of surveys (being written)."""

ROUTES: list = []
