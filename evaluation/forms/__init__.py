"""Forms of evaluation's pages, one module per topic."""
