"""Search of the public site (/search/?query=…): policies, service guides and news.

The finding and ranking live in ``cms.search``; this view reads the query, asks
for the results in the reader's language and, when an English search finds no
English page, shows the Chinese pages that match instead.
"""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale

from cms import search as site_search
from core.permissions import public

RESULTS_PER_PAGE = 20
# The results are the same for everyone and hold no personal data.
PUBLIC_MAX_AGE = 300


class SearchForm(forms.Form):
    query = forms.CharField(
        label=_("Search policies, service guides and news"),
        max_length=site_search.MAX_QUERY_LENGTH,
        required=False,
        strip=True,
        help_text=_("Chinese or English words, e.g. 低保, 临时救助 or temporary assistance."),
        error_messages={
            "max_length": _(
                "Please use at most %(limit_value)d characters: a few words such as 低保 or "
                "临时救助 work best (you typed %(show_value)d)."
            )
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


@public
def search(request):
    form = SearchForm(request.GET or None)
    query, hits, fallback_hits = "", [], False
    if form.is_valid():
        query = form.cleaned_data["query"]
    if query:
        locale = Locale.get_active()
        hits = site_search.search_pages(query, locale=locale)
        default_locale = Locale.get_default()
        if not hits and locale.pk != default_locale.pk:
            hits = site_search.search_pages(query, locale=default_locale)
            fallback_hits = bool(hits)
    page_obj = Paginator(hits, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    response = render(
        request,
        "cms/search.html",
        {
            "form": form,
            "query": query,
            "searchable": site_search.parse_query(query).is_searchable if query else False,
            "page_obj": page_obj,
            "hits": page_obj.object_list,
            "in_other_language": fallback_hits,
            "suggestions": site_search.SUGGESTIONS,
        },
    )
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response
