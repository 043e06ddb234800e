"""OCDS records and packages: a process's releases compiled by the OCDS merge rules
(``record``) and bundled with the publisher's metadata (``release_package``,
``record_package``), as the API serves them and ``export_ocds`` writes them."""

from django.utils import timezone

from marketplace.ocds.releases import (
    EXTENSIONS,
    OCDS_VERSION,
    Process,
    date_time,
    publisher,
    releases,
)


def compile_releases(process_releases: list[dict]) -> dict:
    """The compiled release: the releases merged oldest first (OCDS merge rules).

    Objects merge field by field; arrays of objects with an ``id`` merge item
    by item; any other value is replaced by the newer one.
    """
    compiled: dict = {}
    for item in process_releases:
        compiled = _merge(compiled, item)
    latest = process_releases[-1]
    compiled["id"] = f"{latest['ocid']}-compiled"
    compiled["tag"] = ["compiled"]
    compiled["date"] = latest["date"]
    return compiled


def _identified(value) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, dict) and "id" in item for item in value
    )


def _merge(old, new):
    if isinstance(old, dict) and isinstance(new, dict):
        merged = dict(old)
        for key, value in new.items():
            merged[key] = _merge(old[key], value) if key in old else value
        return merged
    if _identified(old) and _identified(new) and new:
        by_id = {item["id"]: item for item in old}
        for item in new:
            by_id[item["id"]] = _merge(by_id[item["id"]], item) if item["id"] in by_id else item
        return list(by_id.values())
    return new


def record(process: Process) -> dict | None:
    process_releases = releases(process)
    if not process_releases:
        return None
    return {
        "ocid": process.ocid,
        "releases": process_releases,
        "compiledRelease": compile_releases(process_releases),
    }


def _package(uri: str, published: str | None) -> dict:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "extensions": list(EXTENSIONS.values()),
        "publisher": publisher(),
        "publishedDate": published or date_time(timezone.now()),
    }


def release_package(processes: list[Process], *, uri: str) -> dict:
    """A release package of every release of ``processes``, oldest first."""
    package_releases = [item for process in processes for item in releases(process)]
    # Stable: releases of one process dated within the same second keep their order.
    package_releases.sort(key=lambda item: item["date"])
    latest = max((item["date"] for item in package_releases), default=None)
    return {**_package(uri, latest), "releases": package_releases}


def record_package(processes: list[Process], *, uri: str) -> dict:
    """A record package: per process, its releases and the compiled release."""
    records = [item for item in (record(process) for process in processes) if item]
    latest = max((item["compiledRelease"]["date"] for item in records), default=None)
    return {**_package(uri, latest), "records": records}
