"""tf.train.Saver: save and restore variables' values, safely (.npz, no pickle) and atomically.

`save(sess, "dir/model.ckpt")` writes "dir/model.ckpt.npz" (one array per
variable, keyed by its name) through passos.io.atomic_write, and
records it in "dir/checkpoint" as TF1 does, so latest_checkpoint(dir) finds it.
`restore(sess, "dir/model.ckpt")` loads it with allow_pickle=False.
"""
import os

import numpy as np

from ...io import atomic_write
from ...core.shapes import describe
from ...graph.graph import Symbol, VariableSymbol
from .framework import global_variables

SUFFIX = ".npz"
STATE_FILE = "checkpoint"


class Saver:
    """Saves and restores the variables in `var_list` (all global variables when None).

    `var_list` may be a list of variables or a dict {checkpoint name: variable}.
    """

    def __init__(self, var_list=None, reshape=False, sharded=False, max_to_keep=5,
                 keep_checkpoint_every_n_hours=10000.0, name=None, restore_sequentially=False,
                 saver_def=None, builder=None, defer_build=False, allow_empty=False,
                 write_version=2, pad_step_number=False, save_relative_paths=False,
                 filename=None):
        if var_list is None:
            var_list = global_variables()
        if isinstance(var_list, dict):
            self.variables = dict(var_list)
        else:
            self.variables = {v.name: v for v in var_list}
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
        if write_state:
            self._record(save_path, folder, latest_filename or STATE_FILE)
        return save_path

    def _record(self, save_path, folder, state_file):
        """Keep the newest max_to_keep checkpoints, and list them in the folder's state file."""
        if save_path in self._kept:
            self._kept.remove(save_path)
        self._kept.append(save_path)
        if self.max_to_keep and len(self._kept) > self.max_to_keep:
            for old in self._kept[:-self.max_to_keep]:
                if os.path.exists(old + SUFFIX):
                    os.remove(old + SUFFIX)
            self._kept = self._kept[-self.max_to_keep:]
        lines = [f'model_checkpoint_path: "{_relative(save_path, folder)}"']
        lines += [f'all_model_checkpoint_paths: "{_relative(p, folder)}"' for p in self._kept]
        text = "\n".join(lines) + "\n"
        atomic_write(os.path.join(folder, state_file), text)

    def restore(self, sess, save_path):
        """Set the variables in `sess` to the values saved at `save_path` (no initializer needed)."""
        path = save_path if save_path.endswith(SUFFIX) else save_path + SUFFIX
        if not os.path.exists(path):
            raise ValueError(f"The passed save_path is not a valid checkpoint: {save_path} "
                             f"(no file {path})")
        with np.load(path, allow_pickle=False) as data:
            for key, var in self.variables.items():
                if key not in data.files:
                    raise KeyError(f"Key {key} not found in checkpoint {path}; it holds "
                                   f"{sorted(data.files)}")
                value = data[key]
                if var.shape is not None and value.shape != var.shape:
                    raise ValueError(f"restore: variable '{var.name}' has shape "
                                     f"{describe(var.shape)} but checkpoint entry '{key}' has "
                                     f"shape {describe(value.shape)}")
                sess.variables[var] = np.array(value, dtype=var.dtype)

    @property
    def last_checkpoints(self):
        return list(self._kept)


def _relative(path, folder):
    return os.path.relpath(os.path.abspath(path), folder)


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """{'model_checkpoint_path': ..., 'all_model_checkpoint_paths': [...]} from the folder's state file, or None."""
    path = os.path.join(checkpoint_dir, latest_filename or STATE_FILE)
    if not os.path.exists(path):
        return None
    found = {"model_checkpoint_path": None, "all_model_checkpoint_paths": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.partition(":")
            value = value.strip().strip('"')
            if not os.path.isabs(value):
                value = os.path.join(checkpoint_dir, value)
            if key == "model_checkpoint_path":
                found[key] = value
            elif key == "all_model_checkpoint_paths":
                found[key].append(value)
    return found


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint saved in `checkpoint_dir`, or None."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    path = state and state["model_checkpoint_path"]
    return path if path and os.path.exists(path + SUFFIX) else None


def checkpoint_exists(checkpoint_prefix):
    return os.path.exists(checkpoint_prefix + SUFFIX)
