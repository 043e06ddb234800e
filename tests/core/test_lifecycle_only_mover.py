"""``core.lifecycle.move`` is the only code that assigns a status (STYLE.md).

Read with the ``ast`` module, not a regular expression, so comments and strings
do not count and every spelling of an assignment does: ``obj.status = …``,
``setattr(obj, "status", …)``, ``queryset.update(status=…)`` and
``bulk_update(…, ["status"])``.
"""

import ast
from pathlib import Path

from django.apps import apps

from core.lifecycle import lifecycles

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "migrations", "tests", "node_modules", ".git", "bench"}
MOVER = ROOT / "core" / "lifecycle.py"

# Not state machines: a policy's status is an editorial field of a Wagtail
# page, edited in the page editor like its title; a feedback event's status is
# the history row of a move, written by the feedback lifecycle itself.
NOT_STATE_MACHINES = {"cms.policypage", "cms.feedbackevent"}


def project_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts) or path == MOVER:
            continue
        yield path


def _is_status(name) -> bool:
    return name == "status"


def status_assignments(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and _is_status(target.attr):
                    yield node.lineno, "assigns .status"
        elif isinstance(node, ast.Call):
            function = node.func
            name = (
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
            if name == "update" and any(_is_status(k.arg) for k in node.keywords):
                yield node.lineno, "update(status=…)"
            if (
                name == "setattr"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and _is_status(node.args[1].value)
            ):
                yield node.lineno, 'setattr(…, "status", …)'
            if name == "bulk_update":
                for argument in node.args[1:] + [k.value for k in node.keywords]:
                    for constant in ast.walk(argument):
                        if isinstance(constant, ast.Constant) and _is_status(constant.value):
                            yield node.lineno, 'bulk_update(…, ["status"])'


def test_no_module_assigns_a_status_outside_the_lifecycle_mechanism():
    found = []
    for path in project_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, what in status_assignments(tree):
            found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert found == [], "statuses are moved only by core.lifecycle.move:\n" + "\n".join(found)


def test_the_scan_finds_every_spelling_of_a_status_assignment():
    # The guard above is only as good as this: each spelling must be caught.
    source = (
        "bid.status = 'x'\n"
        "setattr(bid, 'status', 'x')\n"
        "Bid.objects.filter(pk=1).update(status='x', updated_at=now)\n"
        "Bid.objects.bulk_update(bids, ['status'])\n"
        "bid.status_changed_at = now\n"  # not a status
        "Bid.objects.filter(status='x')\n"  # a read
    )
    assert [what for _line, what in status_assignments(ast.parse(source))] == [
        "assigns .status",
        'setattr(…, "status", …)',
        "update(status=…)",
        'bulk_update(…, ["status"])',
    ]


def test_every_model_with_a_status_has_a_declared_lifecycle():
    declared = {frozenset(lifecycle.states.values) for lifecycle in lifecycles().values()}
    undeclared = []
    for model in apps.get_models():
        app_path = Path(model._meta.app_config.path)
        if ROOT not in app_path.parents or {".venv", "tests"} & set(app_path.parts):
            continue  # a library's models (Wagtail workflows) or a test-only app
        if model._meta.label_lower in NOT_STATE_MACHINES:
            continue
        field = next((f for f in model._meta.concrete_fields if f.name == "status"), None)
        if field is None or not field.choices:
            continue
        if frozenset(value for value, _label in field.choices) not in declared:
            undeclared.append(model._meta.label)
    assert undeclared == []
