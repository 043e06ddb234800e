"""Path parameters that name real objects of the demo data.

Generated at random, ``/api/v1/tenders/{id}/`` or ``/api/v1/awards/{uuid}/``
almost always answer 404, and the answers about an existing object would never
be checked. So before the run the API's own collections are read (GET only) as
each role, and for every path template the parameter values that name an
object are noted:

- ``{id}`` of ``/api/v1/tenders/{id}/…`` from the items listed at ``/api/v1/tenders/``;
- where no such list exists, from a list of the same name elsewhere: ``{uuid}`` of
  ``/api/v1/awards/{uuid}/`` from ``/api/v1/tenders/{id}/awards/``;
- for a nested object without a list, from its parent: ``{document}`` of
  ``/api/v1/tenders/{id}/documents/{document}/`` from that tender's ``documents``.

The run then draws half of each operation's path parameters from these values.
"""

import re
from collections.abc import Callable

from hypothesis import strategies as st

PARAMETER = re.compile(r"\{([^}]+)\}")
# Nested collections are read under the first parents only: enough to reach
# objects in each state of the demo (ten tenders), few enough to keep the walk short.
PARENTS_PER_COLLECTION = 10
# Where an item has no field named like the parameter, its identifier.
IDENTIFIER_FIELDS = ("uuid", "id", "code", "number")

# get(path, headers) -> (status code, decoded JSON or None)
Get = Callable[[str, dict], tuple[int, object]]


def _items(payload) -> list[dict]:
    """The objects of a list answer: paginated (``results``; HSDS: ``contents``) or not."""
    if isinstance(payload, dict):
        payload = payload.get("results", payload.get("contents"))
    if not isinstance(payload, list):
        return []
    return [item for item in payload if isinstance(item, dict)]


def _identifier(item: dict, name: str):
    for field in (name, *IDENTIFIER_FIELDS):
        value = item.get(field)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return value
    return None


def _resource(collection: str) -> str:
    """The last segment of a collection: ``awards`` of ``/api/v1/tenders/{id}/awards/``."""
    return collection.rstrip("/").rsplit("/", 1)[-1]


def _collection(template: str) -> str | None:
    """The path up to the last parameter: ``/api/v1/tenders/{id}/awards/`` of
    ``/api/v1/tenders/{id}/awards/{uuid}/approve/``; None without parameters."""
    names = PARAMETER.findall(template)
    return template[: template.index("{" + names[-1] + "}")] if names else None


class PathValues:
    """Known parameter values per path template, collected once before the run."""

    def __init__(self):
        self._values: dict[str, list[dict]] = {}  # by collection
        self._answers: dict[str, list[object]] = {}  # by path read
        self._visiting: set[str] = set()
        self._get: Get | None = None
        self._headers: list[dict] = []
        self._lists: set[str] = set()
        self._details: set[str] = set()

    def collect(self, *, get: Get, paths: dict, headers: list[dict]) -> None:
        """Read the collections of the schema's ``paths`` with ``get``, as each of ``headers``."""
        self._get, self._headers = get, headers
        readable = {path for path, operations in paths.items() if "get" in operations}
        self._lists = {path for path in readable if not path.endswith("}/")}
        self._details = readable - self._lists
        for template in paths:
            self.values_for(template)

    def values_for(self, template: str) -> list[dict]:
        """Values of all parameters of ``template`` that together name a real object."""
        collection = _collection(template)
        if collection is None:
            return [{}]
        if collection not in self._values and collection not in self._visiting:
            self._visiting.add(collection)
            last = PARAMETER.findall(template)[-1]
            found = []
            for values, item in self._objects_in(collection):
                identifier = _identifier(item, last)
                if identifier is not None and {**values, last: identifier} not in found:
                    found.append({**values, last: identifier})
            self._values[collection] = found
            self._visiting.discard(collection)
        return self._values.get(collection, [])

    def _objects_in(self, collection: str):
        """(parent values, item) of the objects of ``collection``, read as every role."""
        parents = self.values_for(collection)[:PARENTS_PER_COLLECTION]
        if collection in self._lists:
            for values in parents:
                for answer in self._read(collection.format(**values)):
                    yield from ((values, item) for item in _items(answer))
            return
        name = _resource(collection)
        if not PARAMETER.search(collection):
            # No list here: the same kind of object is listed elsewhere.
            for other in sorted(self._lists):
                if other != collection and _resource(other) == name:
                    yield from (({}, item) for _values, item in self._objects_in(other))
            return
        # A nested object without a list of its own: its parent shows it.
        parent = collection[: -len(name) - 1]
        if parent in self._details:
            for values in parents:
                for answer in self._read(parent.format(**values)):
                    if isinstance(answer, dict):
                        yield from ((values, item) for item in _items(answer.get(name)))

    def _read(self, path: str) -> list[object]:
        if path not in self._answers:
            answers = []
            for headers in self._headers:
                status, body = self._get(path, headers)
                if status == 200 and body is not None:
                    answers.append(body)
            self._answers[path] = answers
        return self._answers[path]

    def choose(self, template: str, generated: dict) -> st.SearchStrategy:
        """The generated path parameters of ``template``, or (as often) known ones."""
        known = self._values.get(_collection(template) or "", [])
        if not known:
            return st.just(generated)
        real = st.sampled_from(known).map(lambda values: {**generated, **values})
        return st.one_of(st.just(generated), real)
