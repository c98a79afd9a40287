"""The project's modules form no import cycle, and none reaches into another's private helpers.

Read from the source, not from ``sys.modules``: an import inside a function counts as well, so a
cycle cannot hide behind one. The one exception is a Celery task's body, which imports the
service it runs: the services queue the tasks, and the body runs only in a worker that has
loaded everything.

And every room (each domain of audits/, each other app) names its modules from one vocabulary.
"""

import ast
import graphlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "audits", "config", "content", "registry", "tooling")


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


# The one module that changes an account's status and writes its filings (docs/design.md §5.1, §5.2).
REGISTRY_OWNER = "registry.services"
WRITES = {"create", "bulk_create", "update", "bulk_update", "get_or_create", "update_or_create", "delete"}


def _names(node: ast.expr) -> list[str]:
    """The names along an attribute or call chain, from its root: ``Filing.objects.filter().update``
    gives ``["Filing", "objects", "filter", "update"]``."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            return [node.id, *reversed(names)]
        else:
            return list(reversed(names))


def _account_status_writes(tree: ast.Module) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            named = ast.walk(node.value) if node.value is not None else ()
            if any(isinstance(name, ast.Name) and name.id == "MediaAccountStatus" for name in named) and any(
                isinstance(target, ast.Attribute) and target.attr == "status" for target in targets
            ):
                found.append((node.lineno, "sets an account's status"))
        elif isinstance(node, ast.Call):
            chain = _names(node)
            if chain[:1] == ["Filing"] and (
                len(chain) == 1 or (chain[1] == "objects" and chain[-1] in WRITES)
            ):
                found.append((node.lineno, f"writes filings ({'.'.join(chain)})"))
            elif (
                chain[:2] == ["MediaAccount", "objects"]
                and chain[-1] in WRITES
                and any(keyword.arg == "status" for keyword in node.keywords)
            ):
                found.append((node.lineno, f"sets accounts' status ({'.'.join(chain)})"))
    return found


def test_it_leaves_an_accounts_status_and_its_filings_to_the_registry():
    # A campaign orders and closes through the registry's services, which record every change: a
    # second writer would change the account's state machine behind the registry's back. The
    # benchmark's builder (tooling/) writes a throwaway province's registrations of past years in
    # bulk, never a site's database, and says so in its docstring.
    writers = [
        f"{name}:{line} {what}"
        for name, path in MODULES.items()
        if name != REGISTRY_OWNER and ".migrations." not in name and not name.startswith("tooling.")
        for line, what in _account_status_writes(ast.parse(path.read_text(), filename=str(path)))
    ]
    assert writers == []


# One vocabulary for every room: each of audits/'s domains and each other app names its modules
# alike, so a newcomer who knows one room's layout knows them all.
LAYERS = {
    "models",
    "choices",
    "services",
    "selectors",
    "forms",
    "filters",
    "views",
    "api",
    "urls",
    "admin",
    "spreadsheets",
    "tasks",
    "states",  # a domain's state machines, declared once
}
# What Django looks for in an app under these names.
DJANGO = {"apps", "context_processors", "management", "migrations", "signals", "templatetags"}
# A domain's own modules, each under a plain name.
PLAIN = {
    "accounts": {"permissions", "rules", "validators"},
    "registry": {"exports", "imports", "metrics", "partitions", "reading"},
    "content": {"posts", "wording"},
    "audits.inspections": {"rules", "schedule"},
    "audits.trail": {"actions", "context", "db", "middleware"},
}
# The audits app itself keeps only what Django needs, and its domains.
AUDITS_DOMAINS = {"campaigns", "inspections", "ranking", "releases", "todo", "trail"}


def members(package: Path) -> set[str]:
    """The modules and packages directly inside ``package``."""
    return {
        path.stem if path.suffix == ".py" else path.name
        for path in package.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file()
    }


def rooms() -> dict[str, Path]:
    found = {app: ROOT / app for app in ("accounts", "content", "registry")}
    found.update({f"audits.{domain}": ROOT / "audits" / domain for domain in AUDITS_DOMAINS})
    return found


def test_the_audits_app_keeps_only_what_django_needs_and_its_domains():
    assert members(ROOT / "audits") - DJANGO == {"admin", "models", "urls"} | AUDITS_DOMAINS


def test_every_room_names_its_modules_from_one_vocabulary():
    strays = {
        room: sorted(members(package) - LAYERS - DJANGO - PLAIN.get(room, set()))
        for room, package in rooms().items()
    }
    assert {room: names for room, names in strays.items() if names} == {}


def test_no_module_name_is_a_layer_with_a_suffix():
    # forms_inspections.py, urls_inspections.py: a second module of a layer is a domain of its own.
    suffixed = sorted(
        name
        for name in MODULES
        if "migrations" not in name.split(".")
        and any(name.rpartition(".")[2].startswith(f"{layer}_") for layer in LAYERS)
    )
    assert suffixed == []


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
