"""Search of the public site that works for Chinese as well as English.

Chinese is written without spaces, and Wagtail's database search backend (SQLite
FTS5 and PostgreSQL full-text search alike) splits text into words at spaces and
punctuation: a whole Chinese sentence becomes one "word", so a two-character
query such as 救助 or 低保 would find nothing. Three steps make it work:

1. **Indexing.** Each searchable page stores in ``search_terms`` the overlapping
   character pairs (bigrams) of its Chinese text — 临时救助 becomes 临时 时救 救助 —
   and its English words in lower case (:func:`searchable_terms`). The field is
   one of the page's ``search_fields``, so Wagtail indexes the pairs as words.
2. **Finding.** The query is cut into the same pairs and words, widened with the
   common abbreviations and full names of the assistance system (低保 ↔
   最低生活保障…), and Wagtail finds every page holding any of them.
3. **Ranking.** The candidates are ranked here in Python with a scoring we
   control (:data:`FIELD_SCORES`): the query's words in the title count far more
   than in the document number or summary, which count more than in the text;
   words found through an abbreviation count a little less. A page stays in the
   results only if it contains at least half of the character pairs of one of
   the query's words, so that 临时救助 does not list every page mentioning 临时.
"""

import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import capfirst
from wagtail.models import Locale, Page
from wagtail.search import index

MAX_QUERY_LENGTH = 100
# Enough for every page of a site this size that shares a pair with the query;
# ranking happens on these candidates.
MAX_CANDIDATES = 300

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")
# Document numbers are written with several kinds of brackets: 民发〔2015〕55号,
# 民发[2015]55号, 民发（2015）55号. Compare them as one kind.
_BRACKETS = str.maketrans(dict.fromkeys("[(（【﹝", "〔") | dict.fromkeys("])）】﹞", "〕"))

# Words that would match nearly every English page.
ENGLISH_STOP_WORDS = frozenset(
    ("a", "an", "and", "are", "by", "for", "from", "how", "i", "in", "is", "it", "my")
    + ("of", "on", "or", "the", "to", "what", "when", "where", "who", "with")
)

# Names of the same kind of help that people use interchangeably: abbreviations,
# former names and the English names. A query containing one also finds the
# others (scored a little lower, see SYNONYM_WEIGHT).
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("低保", "最低生活保障", "dibao", "minimum living allowance"),
    # 农村五保供养 and the urban 三无人员 were merged into 特困人员救助供养 in 2014.
    ("特困", "特困人员救助供养", "特困供养", "五保", "extreme poverty"),
    ("临时救助", "急难救助", "temporary assistance"),
    ("医疗救助", "medical assistance"),
    ("教育救助", "education assistance"),
    ("住房救助", "housing assistance"),
    ("就业救助", "employment assistance"),
    ("低收入", "低收入家庭", "low-income"),
    ("流浪乞讨", "流浪乞讨人员", "homeless"),
    ("养老", "养老服务", "elderly care"),
    ("残疾人", "残疾", "disability"),
    ("慈善", "charity"),
    ("购买服务", "政府购买服务", "purchase of services", "commissioning"),
)
SYNONYM_WEIGHT = 0.8

# Points for a query word found whole in each part of a page; ≫ between levels.
FIELD_SCORES = {"title": 100, "reference": 30, "summary": 30, "body": 10}
# Points for the share of a word's character pairs found anywhere (partial matches).
COVERAGE_SCORE = 5
# A page must hold at least this share of one query word's pairs to be a result.
MIN_COVERAGE = 0.5


def normalize(text: str) -> str:
    return (text or "").lower().translate(_BRACKETS)


def bigrams(run: str) -> list[str]:
    """Overlapping character pairs of a run of Chinese characters; a single character
    stays as it is."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _terms_of(text: str) -> list[str]:
    terms = []
    for token in _TOKEN.findall(normalize(text)):
        terms.extend(bigrams(token) if _CJK_RUN.match(token) else [token])
    return terms


def searchable_terms(*texts: str) -> str:
    """The value of a page's ``search_terms`` field: the character pairs of its Chinese
    text and its English words, lower case, each once, separated by spaces.

    Call it from the page model's ``save()``:
    ``self.search_terms = searchable_terms(*indexed_texts(self))``.
    """
    seen = dict.fromkeys(term for text in texts for term in _terms_of(strip_tags(text or "")))
    return " ".join(seen)


def indexed_texts(page) -> list[str]:
    """The plain text of every ``SearchField`` of ``page`` (rich text and StreamField
    blocks included), ``search_terms`` itself excepted."""
    return [text for _name, text in _field_texts(page)]


def _field_texts(page) -> list[tuple[str, str]]:
    texts = []
    for search_field in page.get_search_fields():
        if not isinstance(search_field, index.SearchField):
            continue
        if search_field.field_name == "search_terms":
            continue
        texts.append((search_field.field_name, _plain(search_field.get_value(page))))
    return texts


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_plain(item) for item in value)
    return " ".join(strip_tags(str(value)).split())


# --- The query --------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """One word of the query, or a name of the same help found through SYNONYMS."""

    text: str
    weight: float = 1.0

    @property
    def pairs(self) -> list[str]:
        return _terms_of(self.text)


@dataclass
class ParsedQuery:
    text: str
    phrases: list[Phrase] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        """What Wagtail is asked for: every pair and word of every phrase, once."""
        return list(dict.fromkeys(term for phrase in self.phrases for term in phrase.pairs))

    @property
    def is_searchable(self) -> bool:
        return bool(self.phrases)


def parse_query(query: str) -> ParsedQuery:
    """The query's words (runs of Chinese characters, English words without the
    commonest ones) plus the other names of any kind of help it names."""
    text = " ".join(normalize(query).split())
    phrases = [
        Phrase(token)
        for token in dict.fromkeys(_TOKEN.findall(text))
        if token not in ENGLISH_STOP_WORDS and (len(token) > 1 or not _CJK_RUN.match(token))
    ]
    # A single Chinese character is too common to search on its own, unless it is all
    # there is.
    if not phrases:
        phrases = [Phrase(token) for token in dict.fromkeys(_TOKEN.findall(text))][:1]
    own = {phrase.text for phrase in phrases}
    for group in SYNONYMS:
        if any(name in text for name in group):
            phrases.extend(Phrase(name, SYNONYM_WEIGHT) for name in group if name not in own)
            own.update(group)
    return ParsedQuery(text=text, phrases=phrases)


# --- Finding and ranking -------------------------------------------------------------


@dataclass
class SearchHit:
    page: Page
    score: float

    @property
    def page_type(self) -> str:
        """What kind of page it is, in words: Policy, Service guide, News item."""
        return capfirst(self.page._meta.verbose_name)


def score_page(page, parsed: ParsedQuery) -> float:
    """The page's score for the query: 0 when it is not a result.

    For each phrase: FIELD_SCORES of the best part of the page where it appears
    whole, plus COVERAGE_SCORE × the share of its pairs found anywhere, times the
    phrase's weight (less for a synonym). The page is a result when one phrase
    has at least MIN_COVERAGE of its pairs on the page.
    """
    parts = _page_parts(page)
    whole = " ".join(parts.values())
    page_terms = set(_terms_of(whole))
    score, is_result = 0.0, False
    for phrase in parsed.phrases:
        pairs = phrase.pairs
        coverage = sum(pair in page_terms for pair in pairs) / len(pairs) if pairs else 0
        found_in = [part for part, text in parts.items() if phrase.text in text]
        if found_in:
            coverage = 1.0
        if coverage >= MIN_COVERAGE:
            is_result = True
        best = max((FIELD_SCORES[part] for part in found_in), default=0)
        score += phrase.weight * (best + COVERAGE_SCORE * coverage)
    # The whole query, as typed, in the title or document number (民发〔2015〕55号).
    compact = parsed.text.replace(" ", "")
    if len(parsed.phrases) > 1 or not _TOKEN.fullmatch(compact):
        for part in ("title", "reference"):
            if compact and compact in parts[part].replace(" ", ""):
                score += FIELD_SCORES[part]
    return score if is_result else 0.0


def _page_parts(page) -> dict[str, str]:
    """The page's text in the parts that FIELD_SCORES weighs, normalized."""
    parts = {"title": page.title, "reference": "", "summary": "", "body": []}
    for name, text in _field_texts(page):
        if name == "title":
            continue
        if name == "document_number":
            parts["reference"] = text
        elif name == "summary":
            parts["summary"] = text
        else:
            parts["body"].append(text)
    parts["body"] = " ".join(parts["body"])
    return {name: normalize(text) for name, text in parts.items()}


def searchable_page_types():
    from cms.models import NewsPage, PolicyPage, ServiceGuidePage

    return (PolicyPage, ServiceGuidePage, NewsPage)


def search_pages(query: str, *, locale: Locale) -> list[SearchHit]:
    """Live, public pages of ``locale`` matching ``query``, best first."""
    parsed = parse_query(query)
    if not parsed.is_searchable:
        return []
    candidates = (
        Page.objects.live()
        .public()
        .filter(locale=locale)
        .type(*searchable_page_types())
        .search(" ".join(parsed.terms), operator="or", order_by_relevance=False)
    )
    candidate_ids = [page.pk for page in candidates[:MAX_CANDIDATES]]
    pages = Page.objects.filter(pk__in=candidate_ids).specific()
    hits = [SearchHit(page, score) for page in pages if (score := score_page(page, parsed))]
    hits.sort(key=_rank)
    return hits


def _rank(hit: SearchHit):
    """Best score first; between equals, what is in force before what is repealed,
    then the newest."""
    page = hit.page
    repealed = getattr(page, "status", "") == "repealed"
    day = getattr(page, "issue_date", None) or getattr(page, "date", None)
    if day is None and page.first_published_at is not None:
        day = timezone.localdate(page.first_published_at)
    return (-hit.score, repealed, -(day.toordinal() if day else 0), page.title)


# Offered under an empty search box: what people most often look for.
SUGGESTIONS = ("低保", "临时救助", "养老")
