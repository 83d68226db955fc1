"""tf.train.Saver: save and restore variables' values, safely (.npz, no pickle) and atomically.

`save(sess, "dir/model.ckpt")` writes "dir/model.ckpt.npz" (one array per variable, keyed by
its name) and lists it in "dir/checkpoint" as TF1 does, so latest_checkpoint(dir) finds it;
with write_meta_graph (TF1's default) it also writes the graph, "dir/model.ckpt.meta", which
tf.train.import_meta_graph builds again without the code that built it (meta_graph.py).
"""
import os
import re
import warnings

import numpy as np

from ...io import SafeNpz, atomic_write
from ...core.shapes import describe
from ...graph.graph import Symbol, VariableSymbol, get_default_graph
from .framework import global_variables
from .errors import NotFoundError
from .meta_graph_export import describe as describe_graph, write_meta_graph

SUFFIX = ".npz"
STATE_FILE = "checkpoint"
_MAX_STATE_BYTES = 1 << 20  # a state file lists a few paths; more is not one
_STATE_LINE = re.compile(r'\s*(\w+)\s*:\s*(?:"([^"]*)"|[-+.\w]+)\s*')
_TIMESTAMP_KEYS = ("all_model_checkpoint_timestamps", "last_preserved_timestamp")


class Saver:
    """Saves and restores `var_list`: variables, a dict {checkpoint name: variable}, or None (all)."""

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None, defer_build=False, allow_empty=False,
                 write_version=2, pad_step_number=False, save_relative_paths=False,
                 filename=None):
        var_list = global_variables() if var_list is None else var_list
        self.variables = dict(var_list) if isinstance(var_list, dict) else {v.node_name: v for v in var_list}
        for key, var in self.variables.items():
            if not isinstance(var, VariableSymbol):
                raise TypeError(f"Saver: '{key}' is not a variable ({var!r:.60})")
        if not self.variables and not allow_empty:
            raise ValueError("No variables to save")
        self.max_to_keep = max_to_keep
        self._kept = []

    def save(self, sess, save_path, global_step=None, latest_filename=None,
             meta_graph_suffix="meta", write_meta_graph=True, write_state=True,
             strip_default_attrs=False):
        """Write the variables' values in `sess`; returns the checkpoint prefix to restore from."""
        if global_step is not None:
            step = sess.run(global_step) if isinstance(global_step, Symbol) else global_step
            save_path = f"{save_path}-{int(step)}"
        arrays = sess.run(list(self.variables.values()))
        values = {key: np.asarray(a) for key, a in zip(self.variables, arrays)}
        folder = os.path.dirname(os.path.abspath(save_path))
        os.makedirs(folder, exist_ok=True)
        atomic_write(save_path + SUFFIX, lambda f: np.savez(f, **values))
        if write_meta_graph:
            self.export_meta_graph(f"{save_path}.{meta_graph_suffix}")
        if write_state:
            self._record(save_path, folder, latest_filename or STATE_FILE, meta_graph_suffix)
        return save_path

    def export_meta_graph(self, filename=None, collection_list=None, as_text=False,
                          export_scope=None, clear_devices=False, clear_extraneous_savers=False,
                          strip_default_attrs=False, save_debug_info=False):
        """Write the variables' graph, with this Saver's checkpoint names, to `filename` (.meta)."""
        graph = next(iter(self.variables.values())).graph if self.variables else \
            get_default_graph()
        if filename is None:
            return describe_graph(graph, self.variables, collection_list)[0]
        return write_meta_graph(filename, graph, self.variables, collection_list)

    def _record(self, save_path, folder, state_file, meta_suffix):
        """Keep the newest max_to_keep checkpoints, and list them in the folder's state file."""
        self._kept = [p for p in self._kept if p != save_path] + [save_path]
        if self.max_to_keep and len(self._kept) > self.max_to_keep:
            for old in self._kept[:-self.max_to_keep]:
                for path in (old + SUFFIX, f"{old}.{meta_suffix}"):
                    if os.path.exists(path):
                        os.remove(path)
            self._kept = self._kept[-self.max_to_keep:]
        lines = [f'model_checkpoint_path: "{_relative(save_path, folder)}"']
        lines += [f'all_model_checkpoint_paths: "{_relative(p, folder)}"' for p in self._kept]
        atomic_write(os.path.join(folder, state_file), "\n".join(lines) + "\n")

    def restore(self, sess, save_path):
        """Set the variables in `sess` to the values saved at `save_path`; a failed restore sets none."""
        path = save_path if save_path.endswith(SUFFIX) else save_path + SUFFIX
        if not os.path.exists(path):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path} "
                             f"(no file {path})")
        sess.variables.update(self._read(path))  # only now, with every entry read and checked

    def _read(self, path):
        """{variable: its value} from the checkpoint at `path`, every entry checked first."""
        with SafeNpz(path, "Saver.restore") as npz:
            # 1. Each variable's entry exists and its header agrees with the variable.
            headers = {}
            for key, var in self.variables.items():
                if key not in npz.names:
                    raise NotFoundError(f"Key {key} not found in checkpoint {path}; it holds "
                                        f"{npz.names}; restore with a Saver whose var_list "
                                        "maps checkpoint names to variables")
                headers[key] = header = npz.header(key)
                if not _same_shape(header.shape, var.shape):
                    raise ValueError(f"restore: variable '{var.node_name}' has shape "
                                     f"{describe(var.shape)} but checkpoint entry '{key}' has "
                                     f"shape {describe(header.shape)} in {path}")
                if header.dtype.newbyteorder("=") != var.dtype:
                    raise ValueError(f"restore: variable '{var.node_name}' is {var.dtype} but "
                                     f"checkpoint entry '{key}' holds {header.dtype} in {path}; "
                                     "TF1 refuses this too: save from a graph of the same dtype")
            # 2. The data, each entry read no further than its checked header promises.
            return {var: npz.read(key, headers[key]).astype(var.dtype, copy=False)
                    for key, var in self.variables.items()}

    def recover_last_checkpoints(self, checkpoint_paths):
        """Count `checkpoint_paths` (those that exist) as this Saver's own, for max_to_keep."""
        self._kept = [p for p in checkpoint_paths if os.path.exists(p + SUFFIX)]

    last_checkpoints = property(lambda self: list(self._kept))


def _same_shape(found, expected):
    """Whether a saved shape fits a variable's (None: a dimension or the rank known only later)."""
    return expected is None or len(found) == len(expected) and all(
        e is None or f == e for f, e in zip(found, expected))


def _relative(path, folder):
    return os.path.relpath(os.path.abspath(path), folder)


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The state file's {'model_checkpoint_path': ..., 'all_model_checkpoint_paths': [...]}, or None
    when there is none or (with a warning, as in TF 1.15) when it cannot be parsed."""
    path = os.path.join(checkpoint_dir, latest_filename or STATE_FILE)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        raw = f.read(_MAX_STATE_BYTES + 1)
    try:
        if len(raw) > _MAX_STATE_BYTES:
            raise ValueError(f"more than {_MAX_STATE_BYTES} bytes")
        found = _parse_state(raw.decode("utf-8"), checkpoint_dir)
    except (UnicodeDecodeError, ValueError) as error:
        warnings.warn(f"get_checkpoint_state: {path} is not a checkpoint state file ({error}); "
                      "checkpoint ignored, as TF1 does; delete it or save a checkpoint again",
                      stacklevel=2)
        return None
    if found["model_checkpoint_path"] is None:
        raise ValueError(f"Invalid checkpoint state loaded from {checkpoint_dir}: {path} names "
                         "no model_checkpoint_path; delete it or save a checkpoint again")
    return found


def _parse_state(text, checkpoint_dir):
    """The state file's paths; lines are `key: "value"`, keys those of TF1's CheckpointState."""
    found = {"model_checkpoint_path": None, "all_model_checkpoint_paths": []}
    for number, line in enumerate(text.splitlines(), 1):
        match = _STATE_LINE.fullmatch(line)
        key, value = match.groups() if match else (None, None)
        if not line.strip() or key in _TIMESTAMP_KEYS:
            continue
        if key not in found or value is None:
            raise ValueError(f'line {number} is not model_checkpoint_path: "..." or '
                             f'all_model_checkpoint_paths: "...": {line[:80]!r}')
        value = value if os.path.isabs(value) else os.path.join(checkpoint_dir, value)
        if key == "model_checkpoint_path":
            found[key] = value
        else:
            found[key].append(value)
    return found


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint saved in `checkpoint_dir`, or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    path = state and state["model_checkpoint_path"]
    return path if path and os.path.exists(path + SUFFIX) else None


def checkpoint_exists(checkpoint_prefix):
    return os.path.exists(checkpoint_prefix + SUFFIX)


def _checkpoint_file(ckpt_dir_or_file):
    """The .npz of a checkpoint prefix, or of the newest checkpoint in a folder."""
    prefix = ckpt_dir_or_file
    if os.path.isdir(prefix):
        prefix = latest_checkpoint(prefix)
        if prefix is None:
            raise ValueError(f"Couldn't find a checkpoint in {ckpt_dir_or_file}")
    path = prefix if prefix.endswith(SUFFIX) else prefix + SUFFIX
    if not os.path.exists(path):
        raise ValueError(f"Couldn't find a checkpoint at {ckpt_dir_or_file} (no file {path})")
    return path


def list_variables(ckpt_dir_or_file):
    """[(name, shape)] of the variables saved in a checkpoint (or a folder's newest), by name."""
    path = _checkpoint_file(ckpt_dir_or_file)
    with SafeNpz(path, "list_variables") as npz:
        return [(name, list(npz.header(name).shape)) for name in sorted(npz.names)]


def load_variable(ckpt_dir_or_file, name):
    """The value of variable `name` saved in a checkpoint (or a folder's newest)."""
    path = _checkpoint_file(ckpt_dir_or_file)
    name = name[:-2] if name.endswith(":0") else name
    with SafeNpz(path, "load_variable") as npz:
        if name not in npz.names:
            raise NotFoundError(f"Key {name} not found in checkpoint {path}; it holds "
                                f"{sorted(npz.names)}")
        return npz.read(name, npz.header(name))
