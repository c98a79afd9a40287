"""The project's modules form no import cycle, and none reaches into another's private helpers.

Read from the source, not from ``sys.modules``: an import inside a function counts as well, so a
cycle cannot hide behind one. The one exception is a Celery task's body, which imports the
service it runs: the services queue the tasks, and the body runs only in a worker that has
loaded everything.
"""

import ast
import graphlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "audits", "config", "registry")


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


MODULES = project_modules()


def imports(name: str, path: Path) -> list[tuple[ast.ImportFrom | ast.Import, bool]]:
    """Every import statement in the module, each with whether it sits in a task's body."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in tree.body:
        in_task = name.endswith(".tasks") and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        found.extend(
            (child, in_task) for child in ast.walk(node) if isinstance(child, ast.Import | ast.ImportFrom)
        )
    return found


def owner(dotted: str) -> str | None:
    """The project module that ``dotted`` (a module, or a name in one) lives in."""
    while dotted and dotted not in MODULES:
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def imported(name: str, node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """The project modules ``node`` imports from, each with the name it takes there."""
    if isinstance(node, ast.Import):
        return [(target, alias.name) for alias in node.names if (target := owner(alias.name))]
    base = node.module or ""
    if node.level:
        package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    return [(target, alias.name) for alias in node.names if (target := owner(f"{base}.{alias.name}"))]


def test_it_has_no_import_cycle():
    graph = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for node, in_task in imports(name, path):
            if not in_task:
                graph[name].update(target for target, _ in imported(name, node) if target != name)
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None


def test_it_imports_no_private_helper_from_another_module():
    reaching = [
        f"{name}:{node.lineno} imports {imported_name} from {target}"
        for name, path in MODULES.items()
        for node, _ in imports(name, path)
        if isinstance(node, ast.ImportFrom)
        for target, imported_name in imported(name, node)
        if target != name and imported_name.startswith("_") and not imported_name.startswith("__")
    ]
    assert reaching == []


# Who may do what is written once, in accounts/rules.py; the role field is compared there and only
# where a role shapes the user's own record (its labels, its staff flag and department).
ROLE_COMPARISON = re.compile(r"\.role\s*(==|!=|in\b)|\brole\s*(==|!=)\s*Role\.|\bRole\.\w+\s*(==|!=)")
ROLE_RECORD_MODULES = {"accounts.rules", "accounts.models", "accounts.services"}
PERMISSION_CHECK_COPY = re.compile(r"^\s*def _?require(_\w+)?\(", re.MULTILINE)
MAY_FLAG_FROM_ROLES = re.compile(
    r"^\s*may_\w+\s*=.*(permissions\.|\.role\b|is_office_admin|can_act_for)", re.MULTILINE
)


def test_role_rules_are_written_only_in_accounts_rules():
    compared = [
        name
        for name, path in MODULES.items()
        if name not in ROLE_RECORD_MODULES and ROLE_COMPARISON.search(path.read_text())
    ]
    assert compared == [], "compare roles through accounts/rules.py's predicates and permissions"


def test_no_module_keeps_its_own_permission_check_or_may_flags():
    copies = [name for name, path in MODULES.items() if PERMISSION_CHECK_COPY.search(path.read_text())]
    assert copies == [], "services and views check with accounts.rules.authorize"
    flags = [
        name
        for name, path in MODULES.items()
        if (".views" in name or ".api" in name or ".templatetags" in name)
        and MAY_FLAG_FROM_ROLES.search(path.read_text())
    ]
    assert flags == [], "pages read what a user may do from the state tables or the permissions"
