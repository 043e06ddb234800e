"""Apps depend downward only (STYLE.md, "The shape of an app").

    core  ←  accounts, places, taxonomy  ←  providers, marketplace, contracts,
                                            referrals, evaluation  ←  cms, demo

Three rules, each checked over every project module outside migrations,
tests and benchmarks, by reading its source with ``ast`` (nothing is
imported, so a broken module cannot hide a dependency):

* the lower apps (core, accounts, places, taxonomy) name no feature app and
  neither cms nor demo, not even as a dotted string handed to
  ``import_string``; core names none of the other lower apps either;
* a feature app uses another only through that app's ``services`` and
  ``selectors`` (modules or packages), never its models, rules or views
  (a foreign key names the model by its label, ``"providers.Service"``);
* nothing imports cms or demo except cms and demo themselves and ``config``,
  which wires their URLs and apps in. Demo data is made through the public
  site's services like any other, so demo may use cms; nothing needs demo.

Every import counts wherever it is written: at the top, inside a function,
under ``TYPE_CHECKING``. A dependency is a dependency.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CORE = "core"
LOWER_APPS = frozenset({"core", "accounts", "places", "taxonomy"})
FEATURE_APPS = frozenset({"providers", "marketplace", "contracts", "referrals", "evaluation"})
TOP_APPS = frozenset({"cms", "demo"})
LAYERED_APPS = LOWER_APPS | FEATURE_APPS | TOP_APPS
# What one feature app may use of another.
PUBLIC_ROOMS = frozenset({"services", "selectors"})
# Who may import each top app besides itself.
TOP_APP_IMPORTERS = {"cms": frozenset({"demo", "config"}), "demo": frozenset({"config"})}

NOT_SCANNED = frozenset({".venv", "tests", "bench", "migrations", "__pycache__", "node_modules"})
# A string that starts like a dotted path: "referrals.selectors.returned_count".
DOTTED_PATH = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


@dataclass(frozen=True)
class Reference:
    """One module naming another: by an import statement or by a dotted string."""

    line: int
    target: str  # the module named, e.g. "providers.models"
    by_string: bool = False


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    importer: str
    target: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} → {self.target} ({self.reason})"


# --- the scanner -----------------------------------------------------------------------------


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every project module outside migrations, tests and benchmarks, by dotted name."""
    modules = {}
    for package in sorted(root.iterdir()):
        if package.name in NOT_SCANNED or not (package / "__init__.py").is_file():
            continue
        for path in sorted(package.rglob("*.py")):
            relative = path.relative_to(root)
            if NOT_SCANNED & set(relative.parts):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def references_in(source: str, *, module: str, is_package: bool, known: set[str]):
    """The project modules that ``source`` (the module ``module``) imports or names.

    ``from x import y`` names ``x.y`` when that is a module in ``known``, else
    ``x``. A string constant naming a known module (``"x.y.function"``) counts
    as naming that module, so code loaded by ``import_string`` is seen too.
    """
    tree = ast.parse(source)
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Reference(node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append(Reference(node.lineno, candidate if candidate in known else base))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            named = _module_named_by(node.value, known)
            if named:
                found.append(Reference(node.lineno, named, by_string=True))
    # `from x.models import A, B` names x.models once.
    return list(dict.fromkeys(found))


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _module_named_by(text: str, known: set[str]) -> str | None:
    """The longest known module (two parts at least) that ``text`` starts by naming."""
    match = DOTTED_PATH.match(text)
    if match is None:
        return None
    parts = match.group().split(".")
    for end in range(len(parts), 1, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def _app(module: str) -> str:
    return module.partition(".")[0]


def violations() -> dict[str, list[Violation]]:
    """Every violation of each rule, by rule: "lower", "feature", "top"."""
    modules = project_modules()
    known = set(modules)
    found: dict[str, list[Violation]] = {"lower": [], "feature": [], "top": []}
    for module, path in modules.items():
        importer = _app(module)
        source = path.read_text(encoding="utf-8")
        references = references_in(
            source, module=module, is_package=path.name == "__init__.py", known=known
        )
        for reference in references:
            target_app = _app(reference.target)
            if target_app == importer or target_app not in LAYERED_APPS:
                continue
            rule, reason = _broken_rule(importer, reference)
            if rule:
                relative = str(path.relative_to(ROOT))
                found[rule].append(
                    Violation(relative, reference.line, module, reference.target, reason)
                )
    return found


def _broken_rule(importer: str, reference: Reference) -> tuple[str, str] | tuple[None, None]:
    target_app = _app(reference.target)
    how = "names in a string" if reference.by_string else "imports"
    if importer in LOWER_APPS and target_app in FEATURE_APPS | TOP_APPS:
        return "lower", f"lower app {importer} {how} the higher app {target_app}"
    if importer == CORE and target_app in LOWER_APPS:
        return "lower", f"core {how} {target_app}, which is built on core"
    if target_app in TOP_APPS and importer not in TOP_APP_IMPORTERS[target_app]:
        return "top", f"{importer} {how} {target_app}, which only config may"
    if importer in FEATURE_APPS and target_app in FEATURE_APPS:
        room = reference.target.split(".")[1:2]
        if not room or room[0] not in PUBLIC_ROOMS:
            return "feature", f"{importer} {how} {target_app} beyond its services/selectors"
    return None, None


def _report(found: list[Violation]) -> str:
    return "\n".join(["", *map(str, sorted(found, key=lambda v: (v.path, v.line)))])


# --- the rules ------------------------------------------------------------------------------


def test_lower_apps_name_no_feature_app_nor_cms_nor_demo():
    found = violations()["lower"]
    assert not found, _report(found)


def test_feature_apps_use_each_other_only_through_services_and_selectors():
    found = violations()["feature"]
    assert not found, _report(found)


def test_only_config_wires_in_cms_and_demo():
    found = violations()["top"]
    assert not found, _report(found)


# --- the scanner sees every form of naming a module -----------------------------------------

KNOWN = {
    "providers",
    "providers.models",
    "providers.services",
    "providers.services.sites",
    "referrals",
    "referrals.selectors",
    "marketplace",
    "marketplace.workspace",
}


def _targets(source: str, *, module: str = "marketplace.views", is_package: bool = False):
    return [
        reference.target
        for reference in references_in(source, module=module, is_package=is_package, known=KNOWN)
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import providers.models", ["providers.models"]),
        ("import providers.models as provider_models", ["providers.models"]),
        ("from providers.models import Provider", ["providers.models"]),
        ("from providers import models", ["providers.models"]),
        ("from providers import models, services", ["providers.models", "providers.services"]),
        ("from providers.services.sites import save_site", ["providers.services.sites"]),
        ("from providers import Provider", ["providers"]),  # a name, not a module
        ("def view():\n    from providers.models import Site\n", ["providers.models"]),
        ("class Page:\n    def f(self):\n        import providers.models\n", ["providers.models"]),
        ("count = 'referrals.selectors.returned_count'", ["referrals.selectors"]),
        ("load('providers.models')", ["providers.models"]),
    ],
)
def test_the_scanner_sees_each_way_of_naming_a_module(source, expected):
    assert _targets(source) == expected


def test_the_scanner_resolves_relative_imports():
    assert _targets("from . import workspace", module="marketplace", is_package=True) == [
        "marketplace.workspace"
    ]
    assert _targets("from .workspace import register", module="marketplace.views") == [
        "marketplace.workspace"
    ]


def test_strings_that_name_no_module_are_not_dependencies():
    source = (
        "a = 'providers.Service'\n"  # a model label, as in a ForeignKey
        "b = 'referrals.view_referral'\n"  # a permission
        "c = 'providers:service_list'\n"  # a URL name
        "d = 'See referrals.selectors for the counts.'\n"  # prose
    )
    assert _targets(source) == []


@pytest.mark.parametrize(
    ("importer", "target", "by_string", "rule"),
    [
        ("accounts", "referrals.selectors", False, "lower"),
        ("accounts", "referrals.selectors", True, "lower"),
        ("places", "cms.models", False, "lower"),
        ("core", "places.models", False, "lower"),
        ("accounts", "places.models", False, None),
        ("marketplace", "providers.models", False, "feature"),
        ("marketplace", "providers.models", True, "feature"),
        ("marketplace", "providers", False, "feature"),
        ("marketplace", "providers.selectors", False, None),
        ("marketplace", "providers.services.sites", False, None),
        ("referrals", "accounts.models", False, None),
        ("referrals", "cms.services", False, "top"),
        ("cms", "providers.models", False, None),
        ("demo", "cms.services", False, None),
        ("cms", "demo.people", False, "top"),
        ("config", "demo.urls", False, None),
    ],
)
def test_each_rule_is_broken_by_what_it_forbids_and_only_by_that(importer, target, by_string, rule):
    assert _broken_rule(importer, Reference(1, target, by_string))[0] == rule
