"""Helpful failures for the names of an API a passos front end does not provide.

A front end keeps one table, {module under its package ("" for the package): {name: advice}},
in a `MissingNames`, and ends each module with `__getattr__ = names.module_getattr(__name__)`
(PEP 562): Python calls it only for a name the module lacks, so `hasattr` still answers False,
while a listed name raises an AttributeError (an ImportError in `from m import name`) saying
what to use instead, and any other name suggests close ones.

>>> names = MissingNames("passos.keras", "Keras 2.2.4", {"layers": {"CuDNNGRU": "use GRU"}})
>>> names.explain("passos.keras.layers", "CuDNNGRU")
'passos.keras.layers has no CuDNNGRU: it is a Keras 2.2.4 name that passos does not provide; use GRU'
"""
import difflib
import dis
import sys


class MissingNames:
    """The names of `api` (e.g. 'TensorFlow 1.15') that `package` lacks, with advice for each."""

    def __init__(self, package, api, table):
        self.package, self.api, self.table = package, api, table

    def explain(self, module_name, name):
        """Why `module_name` has no `name`, and what to use instead where there is something."""
        short = module_name[len(self.package) + 1:] if module_name != self.package else ""
        advice = self.table.get(short, {}).get(name)
        if advice:
            return (f"{module_name} has no {name}: it is a {self.api} name that passos does not "
                    f"provide; {advice}")
        module = sys.modules.get(module_name)
        names = [n for n in vars(module) if not n.startswith("_")] if module else []
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else f"; see dir({module_name})"
        return f"module {module_name} has no attribute {name!r}{hint}"

    def error(self, module_name, name, frame):
        """The exception for a missing name: ImportError when `frame` runs `from m import name`."""
        if name.startswith("_"):  # Python and tools probe dunders: answer plainly, fast
            return AttributeError(f"module {module_name!r} has no attribute {name!r}")
        message = self.explain(module_name, name)
        if _in_from_import(frame):
            return ImportError(message, name=module_name)
        return AttributeError(message)

    def module_getattr(self, module_name):
        """A module-level __getattr__ raising the helpful error for `module_name`."""

        def __getattr__(name):  # noqa: N807 (the name PEP 562 asks for)
            raise self.error(module_name, name, sys._getframe(1))

        return __getattr__

    def find_spec(self, fullname, path=None, target=None):
        """Import hook (sys.meta_path): `import package.module.name` of a listed name raises the
        ImportError with its advice (`from tensorflow.contrib.factorization import KMeans`);
        None for every other module, so the import system goes on as usual."""
        parent, _, name = fullname.rpartition(".")
        if parent != self.package and not parent.startswith(self.package + "."):
            return None
        short = parent[len(self.package) + 1:]
        if name not in self.table.get(short, {}):
            return None
        raise ImportError(self.explain(parent, name), name=fullname)

    def install(self):
        """Answer imports of listed submodules (see find_spec); the module whose table lists
        them sets `__path__ = []` so Python asks the import hooks for its submodules."""
        if self not in sys.meta_path:
            sys.meta_path.append(self)


def _in_from_import(frame):
    """True when `frame` is executing `from module import name` (bytecode IMPORT_FROM)."""
    return frame is not None and frame.f_code.co_code[frame.f_lasti] == dis.opmap["IMPORT_FROM"]
