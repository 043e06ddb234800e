#!/usr/bin/env bash
# The API against its own OpenAPI schema (`make api-fuzz`; a stage of .ci/run).
#
# Prepares a scratch SQLite database with the demo data (migrate, load_areas,
# seed_demo), then runs tests_api/ with pytest: schemathesis sends generated
# requests for every operation of /api/schema/ to the application in-process,
# as anonymous, a caseworker, a provider administrator and a commissioner, and
# fails on any 5xx or answer the schema does not allow. Extra arguments go to
# pytest (`make api-fuzz ARGS="-k providers"`).
#
# Environment:
#   API_FUZZ_DIR      scratch folder (database, uploads, Hypothesis's files). By default
#                     a new temporary one, removed at the end. Name one to keep it: the
#                     next run only migrates its database instead of seeding it again.
#   API_FUZZ_TIMEOUT  seconds the requests may take in all (default 900); then the run fails.
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ -n "${API_FUZZ_DIR:-}" ]]; then
    mkdir -p "$API_FUZZ_DIR"
else
    API_FUZZ_DIR=$(mktemp -d -t api-fuzz.XXXXXX)
    trap 'rm -rf "$API_FUZZ_DIR"' EXIT
fi
export API_FUZZ_DIR
export DJANGO_SETTINGS_MODULE=tests_api.settings
export HYPOTHESIS_STORAGE_DIRECTORY=$API_FUZZ_DIR/hypothesis
manage=(.venv/bin/python manage.py)

echo "==> Demo database in $API_FUZZ_DIR"
seeded=$API_FUZZ_DIR/seeded
"${manage[@]}" migrate --noinput >/dev/null
if [[ ! -f "$seeded" ]]; then
    "${manage[@]}" load_areas >/dev/null
    "${manage[@]}" seed_demo >/dev/null
    touch "$seeded"
fi

echo "==> schemathesis against /api/schema/"
status=0
timeout "${API_FUZZ_TIMEOUT:-900}" .venv/bin/python -m pytest --ds tests_api.settings \
    tests_api "$@" || status=$?
if [[ $status -eq 124 ]]; then
    echo "!!  the run took longer than API_FUZZ_TIMEOUT=${API_FUZZ_TIMEOUT:-900} s; failing." >&2
elif [[ $status -eq 5 ]]; then
    echo "!!  pytest collected no tests (arguments: ${*:-none}); failing." >&2
fi
exit "$status"
