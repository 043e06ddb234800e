"""Pages of evaluation, one module per topic; each lists its own ``urlpatterns``."""
