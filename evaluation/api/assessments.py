"""API of assessments (being written)."""

ROUTES: list = []
