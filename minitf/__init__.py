"""minitf: the TensorFlow.js Layers API in Python, on a small engine written to be read.

``import minitf as tf`` gives the ``tf`` namespace of TF.js with Python names: ``tf.tensor``,
``tf.tidy``, ``tf.grad``, ``tf.conv2d``... This module only re-exports; nothing is defined here.
"""
from . import env as _env

_env.prefer_fast_blas()  # before NumPy loads: it may pick OpenBLAS's AVX-512 kernels

from . import backends as _backends  # noqa: F401  (registers the numpy backend and its kernels)
from . import dtypes, env, ops
from .dtypes import bool_, float32, float64, int32
from .engine.backend import backend_names, get_backend, set_backend
from .engine.gradients import (custom_grad, grad, grads, value_and_grad, value_and_grads,
                               variable_grads)
from .engine.scope import dispose, keep, memory, tidy
from .ops import *  # noqa: F401,F403
from .ops import fused
from .tensor import DisposedTensorError, Tensor, Variable, dispose_variables
from .tensor import print_tensor as print  # noqa: A001 (TF.js tf.print)
from . import (activations, callbacks, constraints, initializers, layers, losses, metrics,
               optimizers, regularizers, serialization, train)
from .models import LayersModel, Sequential, input, model, sequential
from . import data, datasets, io, vis
from . import parallel
from .io import load_layers_model
from .io import load_layers_model as load_model
from .losses import Reduction
from .optimizers import (AdadeltaOptimizer, AdagradOptimizer, AdamaxOptimizer, AdamOptimizer,
                         MomentumOptimizer, Optimizer, RMSPropOptimizer, SGDOptimizer)

__version__ = "0.1.0"
