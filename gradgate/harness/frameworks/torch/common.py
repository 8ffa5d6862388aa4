"""PyTorch set up for the gate: one thread; its activations (the torch oracle's)."""

from __future__ import annotations

import numpy as np
import torch

from gradgate.harness.oracles.torch_autograd import torch_activation

torch.set_num_threads(1)

activation = torch_activation


def tensor(a: np.ndarray) -> torch.Tensor:
    """A tensor sharing `a`'s values exactly: bfloat16 (ml_dtypes) by its bits, as torch reads
    no ml_dtypes array; every other dtype through `torch.from_numpy`."""
    if a.dtype.name == "bfloat16":
        return torch.from_numpy(np.ascontiguousarray(a).view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(a)


def array(t: torch.Tensor) -> np.ndarray:
    """The numpy array of a tensor's values (bfloat16 as ml_dtypes.bfloat16, by its bits)."""
    t = t.detach()
    if t.dtype == torch.bfloat16:
        import ml_dtypes

        return t.contiguous().view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return t.numpy()
