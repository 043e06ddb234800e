"""Open Referral HSDS 3.0: our public directory as HSDS objects, its exports, its API,
and imports of other directories' HSDS data.

==============  ======================================================
``vocabulary``  the version, taxonomies, link types and stable identifiers
``mapping``     our providers, services and sites → HSDS objects
``export``      JSON files and the tabular data package (``export_hsds``)
``schemas``     the standard's JSON Schemas and data package descriptor
``imports``     another directory's files → our providers (``import_hsds``)
``api``         the public read-only API at /api/v1/hsds/ (routes in ``urls``)
==============  ======================================================
"""
