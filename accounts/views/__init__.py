"""Pages of the accounts app, one module per topic: ``sign_in`` (signing in and out),
``workspace`` (the /app/ landing), ``audit`` (the audit log) and ``tokens`` (the
person's API tokens)."""
