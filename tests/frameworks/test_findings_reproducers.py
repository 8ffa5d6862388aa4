"""Each findings page's standalone reproducer still shows its defect: it exits 1 while the
defect is there, so a framework release that fixes one turns its test red, naming the page to
update.  Each runs in its own process (as a user would run it), skipped when its framework is
not installed.  (MLX's reproducer is held in tests/frameworks/test_mlx_finding.py, torch's
bfloat16 AMX one in test_torch_bf16_finding.py; the sweeps and torch's heap table are run by
the documented-commands test or by hand, as docs say.)"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.commands import ROOT
from tests.frameworks.framework_verdicts import skip_unless_usable

pytestmark = pytest.mark.slow  # the frameworks themselves, one process each

# reproducer (docs/findings/repro/NAME.py), the findings page it belongs to, its framework
REPRODUCERS = [
    ("jax_conv_weight_gradient_float32", "jax.md", "jax"),
    ("jax_bias_gradient_low_precision", "jax.md", "jax"),
    ("tensorflow_leaky_relu_float64", "tensorflow.md", "tensorflow"),
    ("tensorflow_low_precision_sums", "tensorflow.md", "tensorflow"),
    ("tensorflow_explicit_padding_low_precision", "tensorflow.md", "tensorflow"),
    ("tensorflow_float64_conv_gradients", "tensorflow.md", "tensorflow"),
    ("tinygrad_repeat_gradient", "tinygrad.md", "tinygrad"),
    ("tinygrad_cropped_input_gradient", "tinygrad.md", "tinygrad"),
    ("tinygrad_tanh_precision", "tinygrad.md", "tinygrad"),
    ("tinygrad_bf16_products", "tinygrad.md", "tinygrad"),
    ("torch_low_precision_without_onednn", "torch.md", "torch"),
    ("mlx_conv_transpose2d_second_order", "mlx.md", "mlx"),
    ("mlx_conv_transpose2d_second_order_memory", "mlx.md", "mlx"),
]


def test_every_reproducer_is_listed_or_held_elsewhere() -> None:
    held_elsewhere = {
        "mlx_conv_transpose2d",  # tests/frameworks/test_mlx_finding.py
        "torch_bf16_conv_transpose2d_grouped",  # tests/frameworks/test_torch_bf16_finding.py
        "torch_conv_transpose2d_heap",  # a table of crashes, run by the documented commands
    }
    scripts = {p.stem for p in (ROOT / "docs" / "findings" / "repro").glob("*.py")}
    sweeps = {s for s in scripts if s.endswith("_sweep") or s.endswith("_schedules")}
    assert scripts - sweeps - held_elsewhere == {name for name, _, _ in REPRODUCERS}


@pytest.mark.parametrize(("name", "page", "module"), REPRODUCERS, ids=[r[0] for r in REPRODUCERS])
def test_the_reproducer_still_shows_the_defect(name: str, page: str, module: str) -> None:
    skip_unless_usable(module)  # the framework, and what it needs (tinygrad: clang)
    script = ROOT / "docs" / "findings" / "repro" / f"{name}.py"
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, (
        f"{script.name} exited {out.returncode}, not 1: the defect may be fixed in this "
        f"{module}; update docs/findings/{page}\n{out.stdout[-1500:]}{out.stderr[-1500:]}"
    )
