#!/usr/bin/env bash
# Run the whole pytest suite; extra arguments go to pytest (`make test ARGS="-k bids"`).
#
# pytest exits with 5 when it collected no tests. That is a failure here: a
# typo in -k, or a suite that lost its tests, must not pass silently.
set -euo pipefail

cd "$(dirname "$0")/.."

status=0
.venv/bin/python -m pytest "$@" || status=$?
if [[ $status -eq 5 ]]; then
    echo "!!  pytest collected no tests (arguments: ${*:-none}); failing." >&2
fi
exit "$status"
