"""`Lambda`: any function of tensors as a layer (Keras' keras.layers.Lambda).

The output shape is found by tracing the function on a placeholder unless `output_shape`
is given. A config names the function; since loading never runs code from a file,
`load_model` takes the function itself from `custom_objects` (the same for a `mask` function).
`mask` is Keras' output mask: a function (inputs, mask) -> mask, or a fixed mask (None: the
layer takes no mask, as in Keras).
"""
import inspect

from ..engine.base_layer import Layer, layer_label


class Lambda(Layer):
    """function(inputs, **arguments) as a layer; e.g. Lambda(lambda x: x ** 2)."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"{layer_label(self)}: function must be callable, got "
                            f"{function!r:.60}")
        if arguments is not None and not isinstance(arguments, dict):
            raise TypeError(f"{layer_label(self)}: arguments must be a dict of keyword "
                            f"arguments, got {type(arguments).__name__}")
        self.function, self.arguments = function, dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None

    def call(self, inputs, mask=None):
        extra = {"mask": mask} if mask is not None and _takes_mask(self.function) else {}
        return self.function(inputs, **self.arguments, **extra)

    def compute_mask(self, inputs, mask=None):
        if not self.supports_masking:
            return super().compute_mask(inputs, mask)
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def compute_output_shape(self, input_shape):
        given = self._output_shape
        if given is None:
            return super().compute_output_shape(input_shape)
        if callable(given):
            return tuple(given(input_shape))
        batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        return (batch,) + tuple(given)

    def get_config(self):
        name = self._saved_name(self.function)
        mask = self._saved_name(self.mask) if callable(self.mask) else None
        if self.mask is not None and not callable(self.mask):
            raise ValueError(f"{layer_label(self)}: get_config cannot save a fixed mask; give "
                             "mask as a named function (inputs, mask) -> mask")
        shape = self._output_shape
        if callable(shape):
            raise ValueError(f"{layer_label(self)}: get_config cannot save a function as "
                             "output_shape; give the shape as a tuple")
        return {**super().get_config(), "function": name, "arguments": self.arguments,
                "output_shape": None if shape is None else list(shape), "mask": mask}

    def _saved_name(self, function):
        name = getattr(function, "__name__", "")
        if name == "<lambda>" or getattr(function, "__qualname__", name) != name:
            raise ValueError(f"{layer_label(self)}: get_config cannot save the function "
                             f"{function!r:.60} (a lambda or a nested function has no name "
                             "to load it by); use a named module-level function, and pass it to "
                             "load_model(path, custom_objects={'name': function})")
        return name

    @classmethod
    def from_config(cls, config, custom_objects=None):
        function = _named(config, config.get("function"), custom_objects)
        mask = config.get("mask")
        shape = config.get("output_shape")
        return cls(function, output_shape=None if shape is None else tuple(shape),
                   mask=None if mask is None else _named(config, mask, custom_objects),
                   **{k: v for k, v in config.items()
                      if k not in ("function", "output_shape", "mask")})


def _named(config, name, custom_objects):
    """The function `name` from custom_objects (loading never runs code from a file)."""
    function = (custom_objects or {}).get(name)
    if function is None:
        raise ValueError(f"Lambda '{config.get('name')}' calls the function {name!r:.60}; "
                         f"loading never runs code from a file, so pass it: "
                         f"custom_objects={{{name!r:.60}: {name:.60}}}")
    return function


def _takes_mask(function):
    """Keras hands the mask to a Lambda's function that has a `mask` argument."""
    try:
        return "mask" in inspect.signature(function).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False

