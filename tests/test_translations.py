"""The Simplified Chinese catalog is complete, compiled, and covers the source.

Chinese is the default language: an untranslated string shows English to
civil servants and elderly residents who may not read it. Three checks:

* every entry of ``locale/zh_Hans/LC_MESSAGES/django.po`` is translated and
  none is fuzzy (Django ignores fuzzy translations);
* the committed ``django.mo`` holds exactly what the ``.po`` says, so nobody
  forgets ``manage.py compilemessages`` after editing the ``.po``;
* ``makemessages`` run on a copy of the source finds no string that the
  ``.po`` does not translate, so nobody forgets ``makemessages`` after adding
  a ``gettext``/``{% translate %}`` to the code.

The catalog is read by a small parser here rather than polib, to add no
dependency. The checks that need GNU gettext skip without it, except in CI
(``CI=true``) where a skip would hide a missing check.
"""

import ast
import gettext
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.test_settings import BASE_DIR

LOCALE_DIR = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

# What `makemessages` reads and needs, copied to a temporary directory so the
# committed catalog is never rewritten by the test.
SOURCE_DIRS = [
    "config",
    "core",
    "accounts",
    "places",
    "taxonomy",
    "providers",
    "marketplace",
    "contracts",
    "referrals",
    "evaluation",
    "cms",
    "demo",
    "templates",
    "static",
    "locale",
]
# The test settings install tests.testapp, so Django cannot start without it;
# its strings are not extracted (--ignore=tests), as in the project's own runs.
SETTINGS_SUPPORT = ["tests/__init__.py", "tests/testapp"]
MAKEMESSAGES_ARGS = [
    "makemessages",
    "-l",
    "zh_Hans",
    "--ignore=.venv",
    "--ignore=tests",
    "--ignore=node_modules",
    "--no-obsolete",
]
# Only what a Python process needs: DATABASE_URL, REDIS_URL and the like from
# the machine running the tests must not reach the subprocess.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def is_fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def describe(self) -> str:
        where = f"  ({' '.join(self.references)})" if self.references else ""
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"{context}{self.msgid!r}{where}"


def _unquote(line: str) -> str:
    """The text of one quoted PO string; PO escapes are those of C, which Python shares."""
    return ast.literal_eval(line.strip())


def parse_po(text: str) -> list[Entry]:
    """Entries of a PO file (header included, obsolete ``#~`` entries marked)."""
    entries: list[Entry] = []
    entry = Entry()
    keyword = None  # the field that a continuation line ("...") extends

    def finish():
        nonlocal entry, keyword
        if entry.msgstr or entry.msgid or entry.msgid_plural is not None:
            entries.append(entry)
        entry, keyword = Entry(), None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        # A comment or msgctxt/msgid after a msgstr starts the next entry, blank line or not.
        starts_entry = line.startswith("#") or line.startswith(("msgctxt ", "msgid "))
        if entry.msgstr and starts_entry and not line.startswith('#~ "'):
            finish()
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
            if not line or line.startswith("|"):
                continue
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        elif line.startswith("#:"):
            entry.references.extend(line[2:].split())
            continue
        elif line.startswith("#"):
            continue
        if line.startswith('"'):
            value = _unquote(line)
        else:
            keyword, _, rest = line.partition(" ")
            value = _unquote(rest)
        if keyword == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif keyword == "msgid":
            entry.msgid += value
        elif keyword == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif keyword and keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        else:
            raise ValueError(f"Cannot parse PO line: {raw!r}")
    finish()
    return entries


def live(entries: list[Entry]) -> list[Entry]:
    """The messages proper: neither the header nor obsolete entries."""
    return [e for e in entries if not e.is_header and not e.obsolete]


def header_of(entries: list[Entry]) -> dict[str, str]:
    header = next(e for e in entries if e.is_header and not e.obsolete)
    fields = {}
    for line in header.msgstr[0].splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def plural_count(entries: list[Entry]) -> int:
    plural_forms = header_of(entries).get("Plural-Forms", "")
    for part in plural_forms.split(";"):
        name, _, value = part.strip().partition("=")
        if name.strip() == "nplurals":
            return int(value)
    return 2


def untranslated(entries: list[Entry]) -> list[Entry]:
    forms = plural_count(entries)
    missing = []
    for entry in live(entries):
        wanted = range(forms) if entry.msgid_plural is not None else [0]
        if any(not entry.msgstr.get(index) for index in wanted):
            missing.append(entry)
    return missing


def listing(entries: list[Entry]) -> str:
    return "\n".join(f"  - {entry.describe()}" for entry in entries)


def require_tools(*names: str) -> None:
    """Skip when a GNU gettext program is missing, but fail in CI where it must be installed."""
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    reason = f"GNU gettext is not installed ({', '.join(missing)} not found; apt install gettext)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the translation checks.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _restore_migrated_rows():
    """Replace the suite's session fixture of that name: these checks read files only,
    so they neither need the test database nor should fail when it cannot be built."""


@pytest.fixture(scope="module")
def po_entries() -> list[Entry]:
    return parse_po(PO_FILE.read_text(encoding="utf-8"))


# --- (a) the catalog is complete -------------------------------------------------------


def test_po_header_declares_simplified_chinese(po_entries):
    header = header_of(po_entries)

    assert header.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in header.get("Content-Type", "")
    assert header.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert not header.get("Project-Id-Version", "PACKAGE").startswith("PACKAGE")


def test_every_message_is_translated(po_entries):
    missing = untranslated(po_entries)

    if missing:
        pytest.fail(
            f"{len(missing)} message(s) in {PO_FILE.relative_to(BASE_DIR)} have no Chinese "
            f"translation; fill in their msgstr, then run `manage.py compilemessages`:\n"
            + listing(missing),
            pytrace=False,
        )


def test_no_message_is_fuzzy(po_entries):
    fuzzy = [e for e in po_entries if e.is_fuzzy and not e.obsolete]

    if fuzzy:
        pytest.fail(
            "Fuzzy entries are guesses by msgmerge and Django does not use them; check each "
            "translation, remove its `#, fuzzy` line and run `manage.py compilemessages`:\n"
            + listing(fuzzy),
            pytrace=False,
        )


def test_msgattrib_agrees_that_nothing_is_untranslated_or_fuzzy():
    """GNU gettext's own reading of the file, in case the parser above misses a case."""
    require_tools("msgattrib")
    for option in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(
            ["msgattrib", option, "--no-obsolete", str(PO_FILE)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
        # msgattrib always prints the header; it counts only when it is itself fuzzy.
        listed = [
            e for e in parse_po(result.stdout) if not e.obsolete and (not e.is_header or e.is_fuzzy)
        ]
        if listed:
            pytest.fail(f"msgattrib {option} lists:\n" + listing(listed), pytrace=False)


# --- (b) the compiled catalog matches ----------------------------------------------------


def without_creation_date(header: str) -> str:
    """msgfmt leaves POT-Creation-Date out of the compiled header (reproducible builds)."""
    return "".join(
        line
        for line in header.splitlines(keepends=True)
        if not line.startswith("POT-Creation-Date:")
    )


def expected_catalog(entries: list[Entry]) -> dict:
    """What msgfmt compiles from the entries, keyed as gettext.GNUTranslations keys it."""
    catalog = {}
    for entry in entries:
        if entry.obsolete or (entry.is_fuzzy and not entry.is_header):
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            if entry.is_header:
                catalog[key] = without_creation_date(entry.msgstr.get(0, ""))
            elif entry.msgstr.get(0):
                catalog[key] = entry.msgstr[0]
        elif all(entry.msgstr.values()):
            for index, text in entry.msgstr.items():
                catalog[(key, index)] = text
    return catalog


def test_compiled_catalog_matches_the_po_file(po_entries):
    with MO_FILE.open("rb") as mo:
        compiled = dict(gettext.GNUTranslations(mo)._catalog)
    compiled[""] = without_creation_date(compiled.get("", ""))
    expected = expected_catalog(po_entries)

    stale = sorted(
        (
            repr(key)
            for key in expected.keys() | compiled.keys()
            if expected.get(key) != compiled.get(key)
        ),
    )
    if stale:
        pytest.fail(
            f"{MO_FILE.relative_to(BASE_DIR)} is out of date with the .po file; run "
            f"`manage.py compilemessages --ignore=.venv`. Messages that differ:\n"
            + "\n".join(f"  - {key}" for key in stale),
            pytrace=False,
        )


# --- (c) the catalog covers the source ---------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_translatable_string_in_the_source_is_in_the_catalog(tmp_path):
    require_tools("xgettext", "msgmerge", "msguniq")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCE_DIRS:
        if (BASE_DIR / name).is_dir():
            shutil.copytree(BASE_DIR / name, tmp_path / name, ignore=ignore)
    for name in SETTINGS_SUPPORT:
        source = BASE_DIR / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=ignore)
        else:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tmp_path / name)
    shutil.copy2(BASE_DIR / "manage.py", tmp_path / "manage.py")
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    # manage.py puts tmp_path first on sys.path, so the copied config (whose
    # LOCALE_PATHS point into tmp_path) wins over the installed project.
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(tmp_path)}
    committed = _sha256(PO_FILE)

    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES_ARGS],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    assert _sha256(PO_FILE) == committed, "makemessages wrote to the project's own catalog"
    regenerated = parse_po((tmp_path / PO_FILE.relative_to(BASE_DIR)).read_text(encoding="utf-8"))
    # msgmerge keeps every existing translation, so a string new in the source comes
    # out empty, or fuzzy when msgmerge guessed it from a similar one.
    missing = untranslated(regenerated)
    empty = {id(entry) for entry in missing}
    missing += [e for e in live(regenerated) if e.is_fuzzy and id(e) not in empty]
    if missing:
        pytest.fail(
            f"{len(missing)} translatable string(s) in the source are not translated in "
            f"{PO_FILE.relative_to(BASE_DIR)}. Run `manage.py makemessages -l zh_Hans "
            f"--ignore=.venv --ignore=tests --ignore=node_modules --no-obsolete`, translate "
            f"them, then `manage.py compilemessages --ignore=.venv`:\n" + listing(missing),
            pytrace=False,
        )
