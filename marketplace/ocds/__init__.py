"""Open Contracting Data Standard 1.1: our public tenders as OCDS releases
(``releases``), compiled into records and bundled into packages (``packages``), served by
the public API (``api``, routes in ``urls``) and exported by ``manage.py export_ocds``.
The standard's schemas and the extensions used are bundled in
``marketplace/standards/ocds``."""
