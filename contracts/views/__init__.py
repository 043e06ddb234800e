"""Contract pages, one module per topic (the same names as services and selectors)."""
