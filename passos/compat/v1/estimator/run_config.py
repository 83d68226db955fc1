"""RunConfig: where an Estimator keeps its checkpoints, how often it saves and logs, its seed."""

_DEFAULT = object()  # save_checkpoints_secs not given: 600 seconds, unless steps are given
_OPTIONS = ("model_dir", "tf_random_seed", "save_summary_steps", "save_checkpoints_steps",
            "save_checkpoints_secs", "session_config", "keep_checkpoint_max",
            "keep_checkpoint_every_n_hours", "log_step_count_steps", "train_distribute",
            "device_fn", "protocol", "eval_distribute", "experimental_distribute",
            "experimental_max_worker_delay_secs", "session_creation_timeout_secs")


class RunConfig:
    """An Estimator's run settings (read-only; `replace(**changes)` makes a changed copy)."""

    def __init__(self, model_dir=None, tf_random_seed=None, save_summary_steps=100,
                 save_checkpoints_steps=None, save_checkpoints_secs=_DEFAULT,
                 session_config=None, keep_checkpoint_max=5, keep_checkpoint_every_n_hours=10000,
                 log_step_count_steps=100, train_distribute=None, device_fn=None, protocol=None,
                 eval_distribute=None, experimental_distribute=None,
                 experimental_max_worker_delay_secs=None, session_creation_timeout_secs=7200):
        if save_checkpoints_secs is _DEFAULT:
            save_checkpoints_secs = 600 if save_checkpoints_steps is None else None
        elif save_checkpoints_steps is not None and save_checkpoints_secs is not None:
            raise ValueError("RunConfig: save_checkpoints_steps and save_checkpoints_secs cannot "
                             "both be set; choose one")
        for name, value in (("save_checkpoints_steps", save_checkpoints_steps),
                            ("save_checkpoints_secs", save_checkpoints_secs),
                            ("log_step_count_steps", log_step_count_steps)):
            if value is not None and value <= 0:
                raise ValueError(f"RunConfig: {name} must be positive or None, given {value}")
        values = dict(locals())
        self._values = {name: values[name] for name in _OPTIONS}

    def replace(self, **changes):
        """A copy with `changes` (RunConfig's own arguments) applied."""
        unknown = set(changes) - set(_OPTIONS)
        if unknown:
            raise ValueError(f"RunConfig.replace: unknown settings {sorted(unknown)}; it "
                             f"takes {list(_OPTIONS)}")
        values = {**self._values, **changes}
        if "save_checkpoints_steps" in changes and "save_checkpoints_secs" not in changes:
            values["save_checkpoints_secs"] = None if changes["save_checkpoints_steps"] else 600
        return RunConfig(**values)

    def __getattr__(self, name):
        if name.startswith("_") or name not in _OPTIONS:
            raise AttributeError(f"'RunConfig' object has no attribute '{name}'")
        return self._values[name]

    def __repr__(self):
        return f"RunConfig({', '.join(f'{k}={v!r}' for k, v in self._values.items())})"
