"""Build the documentation site: execute the tutorials in quick mode, then `mkdocs build --strict`.

    python docs/build.py                              # make docs: into build/executed/ and site/
    python docs/build.py --site DIR --executed DIR    # executed notebooks go to DIR/tutorials/

Each tutorials/NN_*.ipynb runs top to bottom with nbclient (kernel python3, PASSOS_QUICK=1, the
repository root as working folder, a time limit per cell); the executed copy, outputs and all,
is what the site renders (docs/hooks.py reads it). A failing cell stops the build with the
notebook, the cell's number and its error. Any MkDocs warning (a broken link, a docstring that
does not render) fails the build too.
"""
import argparse
import logging
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
CELL_TIMEOUT = 300  # seconds; quick mode keeps every cell far below this


def execute(notebook, folder):
    """Run `notebook` in a fresh kernel and write the executed copy into `folder`."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from passos.io import atomic_write

    nb = nbformat.read(notebook, as_version=4)
    class ThisPython(AsyncKernelManager):
        """Only the native python3 kernel (this interpreter), never one a user installed."""

        def _kernel_spec_manager_default(self):
            return KernelSpecManager(kernel_dirs=[])

    client = NotebookClient(nb, kernel_name="python3", kernel_manager_class=ThisPython,
                            timeout=CELL_TIMEOUT, resources={"metadata": {"path": str(ROOT)}})
    try:
        client.execute()
    except CellExecutionError as error:
        cell = next((i for i, c in enumerate(nb.cells) if any(
            o.get("output_type") == "error" for o in c.get("outputs", []))), "?")
        raise SystemExit(f"{notebook.relative_to(ROOT)}: cell {cell} failed (counting from 0, "
                         f"Markdown cells included):\n{error}") from None
    atomic_write(folder / notebook.name, nbformat.writes(nb))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default=str(ROOT / "site"), help="where the site goes")
    parser.add_argument("--executed", default=str(ROOT / "build" / "executed"),
                        help="the executed tutorials go into its tutorials/ folder")
    args = parser.parse_args(argv)
    try:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config
        from mkdocs.exceptions import Abort
    except ImportError:
        raise SystemExit("the documentation needs the docs extra: pip install -e '.[docs]'")
    # 1. Read the configuration (and the hooks) first, so that a mistake there fails at once.
    executed = pathlib.Path(args.executed).resolve()
    logging.basicConfig(format="%(levelname)s - %(message)s", level=logging.WARNING)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(pathlib.Path(args.site).resolve()),
                         strict=True, extra={"executed": str(executed)})
    # 2. Execute every tutorial in quick mode, from the repository root.
    folder = executed / "tutorials"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PASSOS_QUICK"] = "1"
    for notebook in sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.ipynb")):
        start = time.perf_counter()
        execute(notebook, folder)
        print(f"executed {notebook.relative_to(ROOT)} in {time.perf_counter() - start:.1f} s")
    # 3. Build the site strictly from those executed copies.
    try:
        build(config)
    except Abort as error:
        raise SystemExit(f"the documentation site did not build: {error}") from None
    print(f"site built in {args.site}")


if __name__ == "__main__":
    sys.exit(main())
