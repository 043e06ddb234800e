"""Forms of the contract pages, one module per topic."""
