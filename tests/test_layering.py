"""The layers of the house stay layered: no import cycles, no import from a lower layer upward.

Every module of `passos` is read with `ast` (imports at module level and inside
functions alike, relative ones resolved) and placed in a layer by `LAYERS`, the
one table of which module sits where (the architecture notes cite it). A module
may import from its own layer or below; a higher layer extends a lower one
through a hook the lower one declares (e.g. `passos.graph.extend`).
"""
import functools
import ast
import pathlib
import subprocess
import sys

import pytest

import passos

PACKAGE = pathlib.Path(passos.__file__).parent

# Bottom to top, as DESIGN.md orders them. A module belongs to the longest prefix
# listed; each top-level module sits in the layer its imports call for.
LAYERS = [
    ("kernels", ["passos.kernels", "passos.arguments"]),
    ("core", ["passos.core", "passos.gradcheck"]),
    ("ops", ["passos.ops"]),
    ("graph", ["passos.graph"]),
    ("library", ["passos.optim", "passos.initializers", "passos.data", "passos.info",
                 "passos.tensorboard", "passos.io", "passos.debug", "passos.unsupported_names", "passos.notebook",
                 "passos.distributed",
                 "passos"]),  # the package's own __init__ (eager API re-exports), not its modules
    ("front ends", ["passos.keras", "passos.compat", "passos.distributed.keras",
                    "passos.distributed.tensorflow"]),
    ("tools", ["passos.cli", "passos.command_errors", "passos.explain", "passos.plots", "passos.train_command",
               "passos.course"]),
]

# Known violations, each with its reason: {(importer, imported): why}; none today.
PENDING = {}


def layer_of(module):
    """(index, name) of the layer `module` belongs to: its longest listed prefix."""
    best = None
    for index, (name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            inside = prefix != "passos" and module.startswith(prefix + ".")
            if module == prefix or inside:
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), index, name)
    if best is None:
        raise LookupError(f"{module} is in no layer of LAYERS; add its prefix to the table")
    return best[1], best[2]


@functools.lru_cache(maxsize=None)
def modules():
    """{dotted name: path} of every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(module, path, known):
    """[(line, imported module)] for every passos import in `module`'s source."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = resolve(node, package)
            for alias in node.names:
                # `from pkg import name` imports the submodule pkg.name when there is one.
                sub = f"{base}.{alias.name}"
                found.append((node.lineno, sub if sub in known else base))
    return [(line, name) for line, name in found
            if name == "passos" or name.startswith("passos.")]


def resolve(node, package):
    """The absolute module name a `from ... import` statement in `package` imports from."""
    base = node.module or ""
    if not node.level:
        return base
    anchor = package.split(".")
    anchor = anchor[:len(anchor) - (node.level - 1)]
    return ".".join(anchor + ([base] if base else []))


def import_graph():
    """{importer: [(line, imported)]} over the whole package, to modules that exist."""
    known = modules()
    graph = {}
    for module, path in known.items():
        edges = []
        for line, name in imports(module, path, known):
            while name not in known:  # `import passos.a.b` of a name inside a module
                name = name.rpartition(".")[0]
            if name != module:
                edges.append((line, name))
        graph[module] = list(dict.fromkeys(edges))  # `from m import a, b`: one edge
    return graph


def upward_imports(graph):
    """Messages for each import from a lower layer to a higher one, pending ones left out."""
    found = []
    for importer, edges in sorted(graph.items()):
        mine = layer_of(importer)
        for line, imported in edges:
            theirs = layer_of(imported)
            if theirs[0] > mine[0] and (importer, imported) not in PENDING:
                path = modules()[importer].relative_to(PACKAGE.parent)
                found.append(f"{path}:{line}: {importer} ({mine[1]}) imports "
                             f"{imported} ({theirs[1]})")
    return found


def cycles(graph):
    """Each import cycle (a strongly connected component of two or more modules), sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for _, other in graph.get(node, []):
            if (node, other) in PENDING:
                continue
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def describe_cycle(graph, members):
    """The imports inside one cycle, as `file:line: importer -> imported` lines."""
    inside = set(members)
    lines = []
    for importer in members:
        path = modules()[importer].relative_to(PACKAGE.parent)
        lines += [f"  {path}:{line}: {importer} -> {imported}"
                  for line, imported in graph[importer] if imported in inside
                  and (importer, imported) not in PENDING]
    return "\n".join(lines)


def test_every_module_has_a_layer():
    for module in modules():
        layer_of(module)


def test_no_import_from_a_lower_layer_to_a_higher_one():
    found = upward_imports(import_graph())
    assert not found, "imports from a lower layer to a higher one:\n" + "\n".join(found)


def test_no_import_cycles():
    graph = import_graph()
    found = cycles(graph)
    message = "\n".join(f"cycle {' <-> '.join(c)}:\n{describe_cycle(graph, c)}" for c in found)
    assert not found, "import cycles between modules:\n" + message


def test_pending_violations_still_exist():
    """A fixed violation leaves the pending list, so the list never hides a new one."""
    graph = import_graph()
    stale = [pair for pair in PENDING if pair[1] not in {m for _, m in graph.get(pair[0], [])}]
    assert not stale, f"fixed; remove from PENDING: {stale}"


def test_the_checks_catch_what_they_look_for():
    graph = {"passos.core.tensor": [(3, "passos.keras.models")],
             "passos.keras.models": [(5, "passos.core.tensor")]}
    assert cycles(graph) == [["passos.core.tensor", "passos.keras.models"]]
    assert upward_imports(graph) == ["passos/core/tensor.py:3: passos.core.tensor (core) imports "
                                     "passos.keras.models (front ends)"]
    with pytest.raises(LookupError, match="no layer"):
        layer_of("passos.unplaced_module")


def test_front_ends_patch_no_core_class():
    """Front ends extend the core through declared hooks: importing them changes no core class."""
    code = """if True:
        import passos, passos.graph as g
        from passos.core.tensor import Tensor
        classes = [Tensor, g.Symbol, g.VariableSymbol, g.Graph, g.Session]
        before = [dict(vars(c)) for c in classes]
        import passos.compat.v1, passos.keras, passos.explain
        changed = [f"{c.__name__}.{name}" for c, old in zip(classes, before)
                   for name in set(old) | set(vars(c)) if old.get(name) is not vars(c).get(name)]
        print(sorted(changed))
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=PACKAGE.parent, check=True).stdout
    assert out.strip() == "[]", f"importing the front ends changed core classes: {out}"


def side_effect_imports():
    """`file:line: module` for each passos module a module imports (at module level) and never uses.

    Such an import is there for its side effect only. Imports inside functions are left
    out: there a bare import checks that an optional extra is installed, failing early.
    """
    known, found = modules(), []
    for module, path in known.items():
        if path.name == "__init__.py":  # a package's imports are its namespace
            continue
        tree = ast.parse(path.read_text(), str(path))
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        package = module.rpartition(".")[0]
        for node in tree.body:
            if isinstance(node, ast.Import):
                bound = [(a.asname or a.name.partition(".")[0], a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = resolve(node, package)
                bound = [(a.asname or a.name, f"{base}.{a.name}") for a in node.names]
            else:
                continue
            found += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {imported}"
                      for name, imported in bound if imported in known and name not in used]
    return found


def test_no_module_is_imported_for_its_side_effect():
    found = side_effect_imports()
    assert not found, ("modules imported only for their side effect (declare the mechanism "
                       "instead):\n" + "\n".join(found))
