"""Writes go through actions: no view or API module writes a model itself (STYLE.md habit 1)."""

import ast
from pathlib import Path

import unsilo

PACKAGE = Path(unsilo.__file__).parent
WRITES = {"save", "delete", "create", "update", "bulk_create", "bulk_update", "get_or_create",
          "update_or_create"}


def _thin_modules() -> list[Path]:
    """Every views and api module: views.py, views_*.py, views/*.py, and the same for api."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        names = [*parts[:-1], path.stem]
        if any(n in ("views", "api") or n.startswith(("views_", "api_")) for n in names[1:]):
            found.append(path)
    return sorted(found)


def _is_write(call: ast.Call) -> bool:
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in WRITES:
        return False
    if func.attr == "update":
        # dict.update(...) on a plain name is not a write; a queryset's .update() is.
        return isinstance(func.value, ast.Call) or (
            isinstance(func.value, ast.Attribute) and func.value.attr == "objects")
    return True


def _calls(tree: ast.AST) -> list[ast.Call]:
    """Every call but the route decorators (`@router.delete(...)` declares, it does not write)."""
    decorators = {id(d) for node in ast.walk(tree)
                  if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                  for d in node.decorator_list}
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and id(n) not in decorators]


def writes_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} .{node.func.attr}()"
            for node in _calls(tree) if _is_write(node)]


def test_the_layer_check_sees_every_views_and_api_module():
    names = {str(p.relative_to(PACKAGE)) for p in _thin_modules()}
    assert {"org/views.py", "org/api.py", "inbox/views/conversation.py",
            "inbox/api/settings.py", "connectors/views/hooks.py", "core/views_admin.py"} <= names


def test_the_layer_check_finds_a_write(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text("@router.delete('/x')\ndef v(request, silo):\n    silo.save()\n"
                      "    Silo.objects.create(x=1)\n    Silo.objects.filter(pk=1).update(x=2)\n"
                      "    data = {}\n    data.update(a=1)\n")
    found = [n.func.attr for n in _calls(ast.parse(sample.read_text())) if _is_write(n)]
    assert sorted(found) == ["create", "save", "update"]


def test_no_views_or_api_module_writes_a_model():
    offending = [hit for path in _thin_modules() for hit in writes_in(path)]
    assert offending == [], "write through the app's actions instead:\n" + "\n".join(offending)


def _imports(path: Path) -> set[str]:
    """Every module of unsilo that `path` imports, at the top or inside a function."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
    return found


def import_circles() -> list[list[str]]:
    """Groups of unsilo modules that import each other round in a circle."""
    paths = {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
        ".__init__"): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}
    graph = {name: _imports(path) & paths.keys() - {name} for name, path in paths.items()}
    circles, order, low, stack, counter = [], {}, {}, [], [0]

    def visit(node):  # Tarjan's strongly connected components
        order[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        for other in graph[node]:
            if other not in order:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], order[other])
        if low[node] == order[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            if group:
                circles.append(sorted([node, *group]))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return circles


def test_no_modules_import_each_other_in_a_circle():
    # Imports inside functions count: moving one there hides a circle, it does not end it.
    assert import_circles() == []
def test_no_views_or_api_module_reads_the_grants_by_hand():
    # Reads are scoped by the app's queries (permissions.silo_filter, require); only the Admin
    # page that shows the table itself reads it.
    readers = [str(path.relative_to(PACKAGE)) for path in _thin_modules()
               if "GRANTS" in path.read_text(encoding="utf-8")]
    assert readers == ["core/views_admin.py"]
