"""`Lambda`: any function of tensors as a layer (Keras' keras.layers.Lambda).

The output shape is found by tracing the function on a placeholder unless `output_shape`
is given. A config names the function; since loading never runs code from a file,
`load_model` takes the function itself from `custom_objects`.
"""
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

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape):
        given = self._output_shape
        if given is None:
            return super().compute_output_shape(input_shape)
        if callable(given):
            return tuple(given(input_shape))
        batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        return (batch,) + tuple(given)

    def get_config(self):
        name = getattr(self.function, "__name__", "")
        if name == "<lambda>" or getattr(self.function, "__qualname__", name) != name:
            raise ValueError(f"{layer_label(self)}: get_config cannot save the function "
                             f"{self.function!r:.60} (a lambda or a nested function has no name "
                             "to load it by); use a named module-level function, and pass it to "
                             "load_model(path, custom_objects={'name': function})")
        shape = self._output_shape
        if callable(shape):
            raise ValueError(f"{layer_label(self)}: get_config cannot save a function as "
                             "output_shape; give the shape as a tuple")
        return {**super().get_config(), "function": name, "arguments": self.arguments,
                "output_shape": None if shape is None else list(shape)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        name = config.get("function")
        function = (custom_objects or {}).get(name)
        if function is None:
            raise ValueError(f"Lambda '{config.get('name')}' calls the function {name!r:.60}; "
                             f"loading never runs code from a file, so pass it: "
                             f"custom_objects={{{name!r:.60}: {name:.60}}}")
        shape = config.get("output_shape")
        return cls(function, output_shape=None if shape is None else tuple(shape),
                   **{k: v for k, v in config.items()
                      if k not in ("function", "output_shape")})

