"""Contract forms, one module per topic (the same names as services and selectors)."""
