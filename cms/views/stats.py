"""CSV downloads of the statistics page: /stats/data/<table>.csv.

The same tables as the page, suppressed the same way (figures from 1 to 4 are
"<5"). UTF-8 with a byte-order mark, because Excel otherwise reads Chinese as
mojibake; the header row is in the visitor's language.
"""

import csv

from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control

from cms import statistics
from cms.sections import PUBLIC_PAGE_MAX_AGE
from core.permissions import public


@public
def table_csv(request, table):
    found = statistics.table(table)
    if found is None or not found.available:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.slug}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(found.row_heading), *(str(column.label) for column in found.columns)])
    for row in found.rows:
        writer.writerow([row.label, *(cell.csv_text for cell in row.cells)])
    # The same file for everyone; only signed-in users' responses stay out of shared caches.
    if request.user.is_authenticated:
        patch_cache_control(response, private=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_PAGE_MAX_AGE)
    return response
