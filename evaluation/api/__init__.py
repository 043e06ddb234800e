"""REST API of evaluation under /api/v1/, one module per topic; each lists its viewsets
in ``ROUTES`` as (prefix, viewset, basename)."""
