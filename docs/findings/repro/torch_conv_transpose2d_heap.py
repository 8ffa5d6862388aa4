"""PyTorch 2.13.0 CPU: float32 conv_transpose2d weight gradient corrupts the heap (oneDNN).

Framework only: torch.  Each variant runs in its own forked process (a crash takes down only
it) a few times, and the table says how each run ended (ok, a signal, or a wrong weight
gradient against float64).  The conditions (see docs/findings/torch.md): float32, oneDNN on,
an input with channels-last strides, kernel 1x1, padding 0, groups 1, stride > 1 with
output_padding = stride - 1, fewer than 8 output channels, batch >= 2.

    python torch_conv_transpose2d_heap.py            # the table (seconds)

oneDNN picks its kernels by the CPU: the defect is in its AVX2 1x1 weight-gradient kernel, so
on a CPU with AVX-512 it shows only with ONEDNN_MAX_CPU_ISA=AVX2 (the table runs both).
    python torch_conv_transpose2d_heap.py VARIANT    # one run of one variant
"""

import os
import subprocess
import sys

import torch

VARIANTS = {
    # name: (dtype, channels_last input, oneDNN enabled, out channels, stride)
    "f32-channels-last": (torch.float32, True, True, 4, 2),
    "f32-canonical-NCHW": (torch.float32, False, True, 4, 2),
    "f32-channels-last-no-onednn": (torch.float32, True, False, 4, 2),
    "f32-channels-last-8-out": (torch.float32, True, True, 8, 2),
    "f32-channels-last-stride-1": (torch.float32, True, True, 4, 1),
    "f64-channels-last": (torch.float64, True, True, 4, 2),
}


def run(name: str) -> None:
    dtype, channels_last, onednn, out_ch, stride = VARIANTS[name]
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    worst = 0.0
    with torch.backends.mkldnn.flags(enabled=onednn):
        for _ in range(20):
            x = torch.randn(2, 4, 8, 8, generator=gen, dtype=torch.float64)
            w = torch.randn(4, out_ch, 1, 1, generator=gen, dtype=torch.float64)
            g = torch.randn(2, out_ch, 8 * stride, 8 * stride, generator=gen, dtype=torch.float64)
            xd = x.to(dtype)
            if channels_last:
                xd = xd.to(memory_format=torch.channels_last)
            wd = w.to(dtype).requires_grad_()
            kw = dict(stride=stride, output_padding=stride - 1)
            y = torch.nn.functional.conv_transpose2d(xd, wd, **kw)
            (gw,) = torch.autograd.grad(y, wd, g.to(dtype))
            w64 = w.clone().requires_grad_()
            (gw64,) = torch.autograd.grad(
                torch.nn.functional.conv_transpose2d(x, w64, **kw), w64, g
            )
            worst = max(worst, float((gw.double() - gw64).abs().max()))
    print(f"ok, max |dW - float64 dW| = {worst:.2e}")


def table(repeats: int = 2) -> None:
    for isa in ("", "AVX2"):
        print(f"oneDNN ISA: {isa or 'native (this CPU)'}", flush=True)
        env = {**os.environ, **({"ONEDNN_MAX_CPU_ISA": isa} if isa else {})}
        # One process per ISA (oneDNN reads the variable once), which forks a child per run.
        subprocess.run([sys.executable, __file__, "--forked-runs", str(repeats)], env=env)


def forked_runs(repeats: int) -> None:
    """Each variant `repeats` times, each run in a child forked from this process (torch is
    imported once; a child that corrupts its heap takes down only itself).  oneDNN is first
    used in the children, so each picks its kernels under this process's environment."""
    for name in VARIANTS:
        print(f"  {name:<30}", " | ".join(ends(name) for _ in range(repeats)), flush=True)


def ends(name: str) -> str:
    """How one run of the variant ended, in a forked child: its line, or the signal."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its output into the pipe, then out without cleanup
        os.close(read)
        os.dup2(write, 1)
        os.dup2(write, 2)
        try:
            run(name)
            sys.stdout.flush()
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read().strip()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        tail = (text.splitlines() or [""])[-1]
        return f"signal {os.WTERMSIG(status)} {tail[:40]}"
    return text.splitlines()[-1] if text else f"exit {os.WEXITSTATUS(status)}"


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--forked-runs":
        forked_runs(int(sys.argv[2]))
    elif len(sys.argv) > 1:
        run(sys.argv[1])
    else:
        table()
