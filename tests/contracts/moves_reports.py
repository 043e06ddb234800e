"""The reports lifecycles' moves, each made through the service a person uses, for
test_lifecycles.py to walk: {lifecycle name: (lifecycle, {(from, to): maker})}."""

MOVES: dict = {}
