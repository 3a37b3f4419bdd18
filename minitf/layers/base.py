"""Layer: the lifecycle every TF.js/Keras layer follows, and what all layers share.

``__init__`` stores configuration only; the first call ``build``s the weights from the input
shape (``add_weight``); ``call`` computes outputs; ``compute_output_shape`` gives shapes without
computing; ``get_config``/``from_config`` round-trip the configuration. Calling a layer on
SymbolicTensors (``tf.input``) records a Node of the graph instead of computing (the functional
API); calling it on Tensors computes at once. Default names follow TF.js: ``dense_Dense1``,
counted per class for the whole process; weights are named ``<layer name>/<weight name>``.
"""
from __future__ import annotations

import functools
from typing import Any, ClassVar, Sequence

import numpy as np

from .. import ops
from ..engine import scope
from ..ops._op import tensor_arg
from ..serialization import to_snake_case, to_snake_keys
from ..tensor import Tensor, Variable

Shape = tuple  # a shape with None for unknown sizes (the batch): (None, 28, 28, 1)

_counters: dict[str, int] = {}
# Activity regularizers' penalties of the outputs of the current training call, and how deep
# the layer calls are nested (a call at depth 0 starts a new forward pass).
_activity: dict[str, Any] = {"depth": 0, "penalties": []}


def take_activity_penalties() -> list[Tensor]:
    """The kept activity penalties of the last training forward pass; the caller owns them."""
    penalties, _activity["penalties"] = _activity["penalties"], []
    return penalties


def unique_name(prefix: str) -> str:
    """``prefix`` followed by a process-wide counter for that prefix: input1, input2, ..."""
    _counters[prefix] = _counters.get(prefix, 0) + 1
    return f"{prefix}{_counters[prefix]}"


def default_layer_name(class_name: str) -> str:
    """TF.js's default layer name: ``dense_Dense1``, ``max_pooling2d_MaxPooling2D3``."""
    return unique_name(f"{to_snake_case(class_name)}_{class_name}")


def reset_names() -> None:
    """Restart the name counters, as a fresh TF.js process would (for tests and examples)."""
    _counters.clear()


def shape_of(x: Any) -> Shape | list[Shape]:
    """The shape of a Tensor or SymbolicTensor, or a list of them for a list."""
    if isinstance(x, (list, tuple)):
        return [tuple(t.shape) for t in x]
    return tuple(x.shape)


class Layer:
    """Base class of every layer (TF.js ``tf.layers.Layer``; Keras ``keras.layers.Layer``)."""

    class_name: ClassVar[str] = "Layer"  # the name written in saved models

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:  # a layer built by hand must not build again on its first call
            build = cls.__dict__["build"]

            @functools.wraps(build)
            def build_and_mark(self: "Layer", input_shape: Any) -> None:
                build(self, input_shape)
                self.built = True

            cls.build = build_and_mark  # type: ignore[method-assign]

    def __init__(self, name: str | None = None, trainable: bool = True,
                 input_shape: Sequence[int | None] | None = None,
                 batch_input_shape: Sequence[int | None] | None = None,
                 batch_size: int | None = None, dtype: str | None = None,
                 input_dim: int | None = None, input_dtype: str | None = None,
                 weights: Sequence[Any] | None = None, **unknown: Any) -> None:
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown argument(s) {sorted(unknown)}")
        self.name = name or default_layer_name(self.class_name)
        self._trainable = trainable
        self.dtype = dtype or input_dtype or "float32"
        if input_shape is None and input_dim is not None:
            input_shape = (input_dim,)
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (batch_size, *input_shape)
        self.batch_input_shape = None if batch_input_shape is None else tuple(batch_input_shape)
        self.built = False
        self.supports_masking = False
        self.inbound_nodes: list[Any] = []  # Nodes where this layer was called symbolically
        self._weights: list[tuple[Variable, bool]] = []  # (variable, trainable by design)
        self._regularized: list[tuple[Any, Variable]] = []  # (regularizer, variable)
        self._initial_weights = weights
        self.activity_regularizer: Any = None
        self.weight_scope: str | None = None  # set by a wrapper layer: what weights are named under

    # -- weights -----------------------------------------------------------------------------
    def add_weight(self, name: str, shape: Sequence[int], dtype: str = "float32",
                   initializer: Any = None, regularizer: Any = None, trainable: bool = True,
                   constraint: Any = None) -> Variable:
        """Create the weight ``<layer name>/<name>`` from ``initializer`` (TF.js ``addWeight``);
        inside a wrapper layer, ``<weight_scope>/<name>`` as TF.js names it there."""
        from .. import constraints, initializers, regularizers

        init = initializers.get(initializer or "glorot_normal")
        value = init(tuple(int(d) for d in shape), dtype)
        full_name = f"{self.weight_scope or self.name}/{name}"
        variable = ops.variable(value, trainable=trainable and self._trainable, name=full_name,
                                dtype=dtype)
        value.dispose()
        variable.original_name = full_name
        variable.constraint = constraints.get(constraint)
        self._weights.append((variable, trainable))
        reg = regularizers.get(regularizer)
        if reg is not None:
            self._regularized.append((reg, variable))
        return variable

    @property
    def trainable(self) -> bool:
        """Whether the optimizer updates this layer's weights (freezing sets it to False)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for variable, by_design in self._weights:
            variable.trainable = by_design and self._trainable

    @property
    def trainable_weights(self) -> list[Variable]:
        """Weights the optimizer updates (empty when the layer is frozen)."""
        return [v for v, by_design in self._weights if by_design and self._trainable]

    @property
    def non_trainable_weights(self) -> list[Variable]:
        """Weights the optimizer leaves alone: moving statistics, and all weights when frozen."""
        return [v for v, by_design in self._weights if not (by_design and self._trainable)]

    @property
    def weights(self) -> list[Variable]:
        """Trainable weights first, then the others (TF.js order, also the saved order)."""
        return self.trainable_weights + self.non_trainable_weights

    def count_params(self) -> int:
        """Number of scalars in all weights."""
        return int(sum(v.size for v in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as NumPy arrays, in ``weights`` order."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, values: Sequence[Any]) -> None:
        """Replace the weights (tensors or arrays, in ``weights`` order); shapes must match."""
        weights = self.weights
        if len(values) != len(weights):
            raise ValueError(f"layer {self.name!r}: set_weights got {len(values)} arrays, the "
                             f"layer has {len(weights)} weights ({[w.name for w in weights]})")
        for variable, value in zip(weights, values):
            shape = tuple(value.shape) if hasattr(value, "shape") else np.shape(value)
            if tuple(shape) != variable.shape:
                raise ValueError(f"layer {self.name!r}: weight {variable.original_name!r} has "
                                 f"shape {list(variable.shape)}, got {list(shape)}")
            variable.assign(value if isinstance(value, Tensor)
                            else np.asarray(value, dtype=np.dtype(variable.dtype)))

    def regularization_loss(self) -> Tensor | None:
        """Sum of the weight regularizers' penalties, or None when there are none."""
        penalties = [reg(v) for reg, v in self._regularized]
        return ops.add_n(penalties) if penalties else None

    def apply_constraints(self) -> None:
        """Project the weights onto their constraints (after every optimizer step)."""
        for variable, _ in self._weights:
            if variable.constraint is not None:
                with scope.tidy("constraint"):
                    variable.assign(variable.constraint(variable))

    def dispose(self) -> None:
        """Free every weight this layer owns."""
        for variable, _ in self._weights:
            variable.dispose()
        self._weights.clear()
        self._regularized.clear()
        self.built = False

    # -- the lifecycle --------------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Create the weights for inputs of ``input_shape`` (None for the batch size)."""
        self.built = True

    def call(self, inputs: Any, training: bool | None = None, **kwargs: Any) -> Any:
        """Compute the outputs from tensors; subclasses override this."""
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for ``input_shape`` without computing anything (identity here)."""
        return input_shape

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask passed on to the next layer: by default, the incoming one if supported."""
        return mask if self.supports_masking else None

    def __call__(self, inputs: Any, training: bool | None = None, **kwargs: Any) -> Any:
        """Compute outputs for tensors, or record a graph node for SymbolicTensors (Keras style)."""
        from ..models.symbolic import SymbolicTensor, call_symbolic

        items = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        if any(isinstance(x, SymbolicTensor) for x in items):
            if not all(isinstance(x, SymbolicTensor) for x in items):
                raise TypeError(f"layer {self.name!r}: inputs mix SymbolicTensors and Tensors")
            return call_symbolic(self, inputs, kwargs)
        if isinstance(inputs, (list, tuple)):
            tensors: Any = [tensor_arg(x, f"input {i}", self.name) for i, x in enumerate(inputs)]
        else:
            tensors = tensor_arg(inputs, "input", self.name)
        self.maybe_build(shape_of(tensors))
        if training and _activity["depth"] == 0:  # a new training call: drop stale penalties
            scope.dispose(take_activity_penalties())
        _activity["depth"] += 1
        try:
            outputs = scope.tidy(self.name, lambda: self.call(tensors, training=training,
                                                              **kwargs))
        finally:
            _activity["depth"] -= 1
        if self.activity_regularizer is not None and training:
            for out in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
                # kept: the enclosing model's scope would free it before the loss reads it
                _activity["penalties"].append(scope.keep(self.activity_regularizer(out)))
        return outputs

    def apply(self, inputs: Any, kwargs: dict[str, Any] | None = None, **more: Any) -> Any:
        """Call the layer the TF.js way: ``layer.apply(x, {'training': True})``."""
        options = {**to_snake_keys(kwargs or {}), **more}  # {'initialState': s} works too
        return self(inputs, **options)

    def maybe_build(self, input_shape: Any) -> None:
        """Build once, on the first input shape seen, and set the initial weights if given."""
        if self.built:
            return
        self.build(input_shape)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    # -- the graph ---------------------------------------------------------------------------
    def _node_attr(self, attr: str, what: str) -> Any:
        if not self.inbound_nodes:
            raise AttributeError(f"layer {self.name!r} has never been called, so it has no {what}")
        values = {repr(getattr(node, attr)) for node in self.inbound_nodes}
        if len(values) > 1:
            raise AttributeError(f"layer {self.name!r} has several {what}s (it was called "
                                 "several times); ask its nodes instead")
        return getattr(self.inbound_nodes[0], attr)

    @property
    def input(self) -> Any:
        """The SymbolicTensor(s) this layer was called on (when called once)."""
        return _single(self._node_attr("input_tensors", "input"))

    @property
    def output(self) -> Any:
        """The SymbolicTensor(s) this layer produced (when called once)."""
        return _single(self._node_attr("output_tensors", "output"))

    @property
    def input_shape(self) -> Any:
        """Input shape(s) with None for the batch, from the graph."""
        return _single(self._node_attr("input_shapes", "input shape"))

    @property
    def output_shape(self) -> Any:
        """Output shape(s) with None for the batch, from the graph."""
        return _single(self._node_attr("output_shapes", "output shape"))

    # -- configuration ------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments as a JSON-able dict with snake_case keys (Keras/TF.js)."""
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if self.batch_input_shape is not None:  # TF.js writes the dtype only along with it
            config["batch_input_shape"] = list(self.batch_input_shape)
            config["dtype"] = self.dtype
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Layer":
        """A new layer from ``get_config()`` output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{self.class_name} {self.name!r}>"


def _single(values: Sequence[Any]) -> Any:
    return values[0] if len(values) == 1 else list(values)


def data_format_arg(value: str | None, layer: Layer) -> str:
    """'channels_last' (the default) or 'channels_first'; TF.js's camelCase is accepted."""
    fmt = "channels_last" if value is None else to_snake_case(str(value))
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"{layer.class_name} {layer.name!r}: data_format must be 'channelsLast' "
                         f"or 'channelsFirst', got {value!r}")
    return fmt


def check_rank(layer: Layer, shape: Sequence[Any], rank: int, layout: str = "",
               at_least: bool = False) -> None:
    """Raise a ValueError naming ``layer`` unless inputs of ``shape`` have ``rank`` axes
    (TF.js InputSpec ndim / minNDim); ``layout`` describes the axes in the message."""
    if len(shape) < rank or (not at_least and len(shape) != rank):
        wanted = f"at least {rank}" if at_least else str(rank)
        where = f" ({layout})" if layout else " (the batch axis included)"
        raise ValueError(f"{layer.class_name} {layer.name!r}: expected inputs of rank "
                         f"{wanted}{where}, got shape {list(shape)}")


def layer_factory(cls: type, name: str) -> Any:
    """The ``tf.layers.<name>`` function for ``cls``: keywords, or a TF.js config dict.

    ``tf.layers.dense(units=3)`` and ``tf.layers.dense({'units': 3, 'inputShape': [4]})`` give
    the same layer.
    """
    from ..serialization import merge_config

    def factory(config: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return cls(**merge_config(config, kwargs, f"tf.layers.{name}"))

    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = f"Create a {cls.__name__} layer (TF.js ``tf.layers.{name}``).\n\n" \
                      + (cls.__doc__ or "")
    return factory
