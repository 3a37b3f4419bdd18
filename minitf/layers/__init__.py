"""``tf.layers``: one factory per layer, TF.js names in snake_case (``tf.layers.conv2d``).

Each family module defines its Layer classes (registered for ``from_config``) and lists its
factories in ``__all__``; this package re-exports them.
"""
from .base import Layer, default_layer_name, layer_factory, reset_names
from ..models.symbolic import InputLayer
from .dense import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .reshaping import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .merge import *  # noqa: F401,F403
from .advanced_activations import *  # noqa: F401,F403
from .noise import *  # noqa: F401,F403
from .masking import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .wrappers import *  # noqa: F401,F403

input_layer = layer_factory(InputLayer, "input_layer")
