"""No import circles: no module of a package imports a module that (directly or transitively) imports it back.

The graph is read with ast over every module of shopee_bridge, so circles through other packages count
too. Every import statement counts, also one inside a function: a local import hides a circle from
the interpreter, not from the design. `from package import name` is an edge to package.name when that
is a module, else to the package; a package's __init__ is not implied by importing its submodules.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = "shopee_bridge"


def modules() -> dict[str, tuple[Path, bool]]:
	"""Dotted module name -> (file, is a package __init__)."""
	found = {}
	for path in (ROOT / APP).rglob("*.py"):
		parts = list(path.relative_to(ROOT).with_suffix("").parts)
		is_package = parts[-1] == "__init__"
		found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
	return found


def _known(name: str, known: dict) -> str | None:
	"""name, or its nearest enclosing module that exists (None outside the app)."""
	while name and name not in known:
		name = name.rpartition(".")[0]
	return name or None


def _base(node: ast.ImportFrom, module: str, is_package: bool) -> str:
	if not node.level:
		return node.module or ""
	package = module.split(".") if is_package else module.split(".")[:-1]
	package = package[: len(package) - (node.level - 1)]
	return ".".join(package + ([node.module] if node.module else []))


def imports_of(module: str, known: dict) -> set[str]:
	"""The app modules one module imports, anywhere in it."""
	path, is_package = known[module]
	targets = set()
	for node in ast.walk(ast.parse(path.read_text(), str(path))):
		if isinstance(node, ast.Import):
			targets.update(_known(alias.name, known) for alias in node.names)
		elif isinstance(node, ast.ImportFrom):
			base = _base(node, module, is_package)
			for alias in node.names:
				full = f"{base}.{alias.name}"
				targets.add(full if full in known else _known(base, known))
	targets.discard(None)
	targets.discard(module)
	return targets


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
	"""Strongly connected groups of more than one module (Tarjan, iterative)."""
	index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], 0
	for start in graph:
		if start in index:
			continue
		work = [(start, iter(sorted(graph[start])))]
		index[start] = low[start] = counter
		counter += 1
		stack.append(start)
		on_stack.add(start)
		while work:
			node, children = work[-1]
			child = next(children, None)
			if child is not None:
				if child not in index:
					index[child] = low[child] = counter
					counter += 1
					stack.append(child)
					on_stack.add(child)
					work.append((child, iter(sorted(graph.get(child, ())))))
				elif child in on_stack:
					low[node] = min(low[node], index[child])
				continue
			work.pop()
			if work:
				low[work[-1][0]] = min(low[work[-1][0]], low[node])
			if low[node] == index[node]:
				group = []
				while True:
					member = stack.pop()
					on_stack.discard(member)
					group.append(member)
					if member == node:
						break
				if len(group) > 1:
					found.append(sorted(group))
	return found


def circles_touching(package: str) -> list[list[str]]:
	known = modules()
	graph = {module: imports_of(module, known) for module in known}
	prefix = f"{APP}.{package}."
	return [group for group in circles(graph) if any(member.startswith(prefix) for member in group)]


def test_the_graph_finds_a_circle():
	graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
	assert circles(graph) == [["a", "b", "c"]]


def test_sandbox_has_no_import_circle():
	assert circles_touching("sandbox") == []


def test_services_have_no_import_circle():
	assert circles_touching("services") == []
