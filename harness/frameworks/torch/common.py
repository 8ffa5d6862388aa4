"""PyTorch set up for the gate: one thread; its activations (the torch oracle's)."""

from __future__ import annotations

import torch

from harness.oracles.torch_autograd import torch_activation

torch.set_num_threads(1)

activation = torch_activation
