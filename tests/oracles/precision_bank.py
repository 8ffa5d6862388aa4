"""Layers written to test the precision model: correct float32 layers that sum in different
orders, and layers that lose precision the way real kernels do.

Every layer here is built on each reduction's explicit terms (`Terms`), derived from the layer
kind's own linear map on one-hot probes, so it works for any kind and configuration, and the
summation order is this module's choice, not numpy's:

correct (they must pass `precision:*`):
  - `sequential`: a plain float32 loop, one rounded product and one rounded addition per term;
  - `pairwise`: float32 pairwise (recursive halving) sums;
  - `blocked`: float32 GEMM (numpy's BLAS, blocked and vectorised);
  - `rounded_once`: float64 sums, each result rounded once to float32;
losing precision (they must fail it at 64 terms or more per output element):
  - `tf32_products`: products of factors rounded to TF32 (10 mantissa bits), float32 sums;
  - `bf16_products`: products of factors rounded to bfloat16 (7 mantissa bits);
  - `fp16_dw_partials`: an exact forward and dX, a dW whose partial sums (of 64 terms) are kept
    and added in float16;
  - `tf32_forward_only`: TF32 products in the forward only, an exact float32 backward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from gradgate.cases.case import Case
from gradgate.cases.dtypes import round_to
from gradgate.cases.kinds import layer_kind
from gradgate.reference_impl.activations import activate, activation_grad

Reduce = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (A [N, K], B [K, M] or None) -> sums


@cache
def _axis_taps(layer: str, size_in: int, k: int, s: int, d: int, before: int, after: int, op: int):
    """For one axis: idx[out, tap] = the input position tap `tap` of output `out` reads, or -1."""
    kind = layer_kind(layer)
    probe = Case(
        batch=1,
        in_ch=1,
        out_ch=1,
        groups=1,
        size=(size_in, 1),
        kernel=(k, 1),
        stride=(s, 1),
        padding=(before, after, 0, 0),
        dilation=(d, 1),
        output_padding=(op, 0),
        bias=False,
        activation="identity",
        dtype="float64",
        layer=layer,
    )
    out_len = probe.y_shape[1]
    idx = -np.ones((out_len, k), dtype=np.int64)
    for i in range(size_in):
        for t in range(k):
            X = np.zeros((1, size_in, 1, 1))
            X[0, i, 0, 0] = 1.0
            W = np.zeros(probe.w_shape)
            W[t, 0, 0, 0] = 1.0
            hit = np.flatnonzero(kind.linear_forward(X, W, None, probe.cfg)[0, :, 0, 0])
            idx[hit, t] = i
    return idx


@dataclass(frozen=True)
class Geometry:
    """Which input position each (output position, tap) reads, per axis, and the grouping."""

    rows: np.ndarray  # [out_h, kh]
    cols: np.ndarray  # [out_w, kw]
    groups: int
    w_in_axis: int  # the W axis holding (a group's) input channels: 2 for both kinds


def geometry(case: Case) -> Geometry:
    op = case.output_padding
    rows = _axis_taps(
        case.layer,
        case.in_h,
        case.kh,
        case.stride[0],
        case.dilation[0],
        case.padding[0],
        case.padding[1],
        op[0],
    )
    cols = _axis_taps(
        case.layer,
        case.in_w,
        case.kw,
        case.stride[1],
        case.dilation[1],
        case.padding[2],
        case.padding[3],
        op[1],
    )
    return Geometry(rows, cols, case.groups, 2)


def _gather(X: np.ndarray, geo: Geometry) -> np.ndarray:
    """im2col: [n, out_h, out_w, kh, kw, c] of X at each (output, tap), 0 where none."""
    n, _, _, c = X.shape
    padded = np.concatenate([X, np.zeros((n, 1, X.shape[2], c), X.dtype)], axis=1)
    padded = np.concatenate([padded, np.zeros((n, padded.shape[1], 1, c), X.dtype)], axis=2)
    r = np.where(geo.rows < 0, X.shape[1], geo.rows)
    q = np.where(geo.cols < 0, X.shape[2], geo.cols)
    return padded[:, r[:, None, :, None], q[None, :, None, :], :]


class TermLayer:
    """A layer computed from explicit terms; `reduce` sums rows of products in its order.

    `factors(v, role)` rounds a factor before the products (the precision-losing layers);
    `reduce_dw` may differ from `reduce` (float16 partial sums)."""

    def __init__(
        self,
        layer: str,
        reduce: Reduce,
        factors: Callable[[np.ndarray, str], np.ndarray] | None = None,
        reduce_dw: Reduce | None = None,
        forward_only: bool = False,
        work: Any = np.float32,
    ):
        self.layer = layer
        self.work = np.dtype(work)  # products, sums and intermediates
        self.reduce = reduce
        self.reduce_dw = reduce_dw or reduce
        self._factors = factors or (lambda v, role: v)
        self.forward_only = forward_only

    def supports(self, cfg: Any) -> bool | str:
        return True

    def _case(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> Case:
        kind = layer_kind(self.layer)
        n, in_h, in_w, in_ch = X.shape
        kh, kw = W.shape[:2]
        out_ch = W.shape[3] * (cfg.groups if kind.OUTPUT_PADDING else 1)
        return Case(
            batch=n,
            in_ch=in_ch,
            out_ch=out_ch,
            groups=cfg.groups,
            size=(in_h, in_w),
            kernel=(kh, kw),
            stride=tuple(cfg.stride),
            padding=tuple(cfg.padding),
            dilation=tuple(cfg.dilation),
            output_padding=tuple(getattr(cfg, "output_padding", (0, 0))),
            bias=b is not None,
            activation=cfg.activation,
            dtype="float32",
            layer=self.layer,
        )

    def _f(self, v: np.ndarray, role: str, backward: bool = False) -> np.ndarray:
        if backward and self.forward_only:
            return v
        return np.asarray(self._factors(v, role), dtype=self.work)

    def _z(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, case: Case) -> np.ndarray:
        geo = geometry(case)
        g, cig = case.groups, case.in_ch // case.groups
        cols = _gather(self._f(X, "X"), geo)  # n, oh, ow, kh, kw, c
        n, oh, ow = cols.shape[:3]
        Wf = self._f(W, "W")
        out = []
        for k in range(g):
            A = cols[..., k * cig : (k + 1) * cig].reshape(n * oh * ow, -1)
            Wg = _w_group(Wf, case, k).reshape(A.shape[1], -1)
            out.append(self.reduce(A, Wg).reshape(n, oh, ow, -1))
        Z = np.concatenate(out, axis=3)
        if b is not None:
            Z = (Z + b.astype(self.work)).astype(self.work)
        return Z

    def forward(self, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any) -> np.ndarray:
        case = self._case(X, W, b, cfg)
        return activate(case.activation, self._z(X, W, b, case)).astype(X.dtype)

    def backward(
        self, dY: np.ndarray, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, cfg: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        case = self._case(X, W, b, cfg)
        Z = self._z(X, W, b, case) if not self.forward_only else _exact_z(self, X, W, b, case)
        dZ = (
            dY.astype(self.work) * activation_grad(case.activation, Z, activate(case.activation, Z))
        ).astype(self.work)
        geo = geometry(case)
        g, cig, cog = case.groups, case.in_ch // case.groups, case.out_ch // case.groups
        n, oh, ow = dZ.shape[:3]
        cols = _gather(self._f(X, "X", True), geo)  # n, oh, ow, kh, kw, c
        dZf = self._f(dZ, "dZ", True)
        Wf = self._f(W, "W", True)
        dW_parts, dcols = [], []
        for k in range(g):
            A = cols[..., k * cig : (k + 1) * cig].reshape(n * oh * ow, -1)  # [P, kh kw cig]
            D = dZf[..., k * cog : (k + 1) * cog].reshape(n * oh * ow, cog)  # [P, cog]
            dW_parts.append(self.reduce_dw(A.T.copy(), D).reshape(case.kh, case.kw, cig, cog))
            Wg = _w_group(Wf, case, k).reshape(-1, cog)  # [kh kw cig, cog]
            dcols.append(self.reduce(D, Wg.T.copy()).reshape(n, oh, ow, case.kh, case.kw, cig))
        dW = _w_join(dW_parts, case)
        dX = _scatter_sum(np.concatenate(dcols, axis=5), geo, X.shape, self.reduce)
        db = None
        if b is not None:
            ones = np.ones((dZ.shape[0] * oh * ow, 1), self.work)
            db = self.reduce(dZ.reshape(-1, case.out_ch).T.copy(), ones).reshape(-1).astype(X.dtype)
        return dX.astype(X.dtype), dW.astype(X.dtype), db


def _exact_z(
    layer: TermLayer, X: np.ndarray, W: np.ndarray, b: np.ndarray | None, case: Case
) -> np.ndarray:
    exact = TermLayer(layer.layer, rounded_once)
    return exact._z(X, W, b, case)


def _w_group(W: np.ndarray, case: Case, k: int) -> np.ndarray:
    """Group k's weights as (kh, kw, cig, cog), whichever axis the kind groups."""
    cig, cog = case.in_ch // case.groups, case.out_ch // case.groups
    if W.shape[2] == case.in_ch:  # Deconv2D: (kh, kw, in_ch, out_ch // groups)
        return W[:, :, k * cig : (k + 1) * cig, :]
    return W[:, :, :, k * cog : (k + 1) * cog]  # Conv2D: (kh, kw, in_ch // groups, out_ch)


def _w_join(parts: list[np.ndarray], case: Case) -> np.ndarray:
    if case.kind.w_shape(case)[2] == case.in_ch:
        return np.concatenate(parts, axis=2)
    return np.concatenate(parts, axis=3)


def _scatter_sum(
    dcols: np.ndarray, geo: Geometry, x_shape: tuple[int, ...], reduce: Reduce
) -> np.ndarray:
    """dX[n, ih, iw, c] = the sum, in `reduce`'s order, of every (output, tap) reading it."""
    n, in_h, in_w, c = x_shape
    oh, kh = geo.rows.shape
    ow, kw = geo.cols.shape
    # For each input row, the (output row, tap) pairs reading it, padded to one length.
    row_terms = _readers(geo.rows, in_h)
    col_terms = _readers(geo.cols, in_w)
    R, Q = row_terms.shape[1], col_terms.shape[1]
    flat = dcols.transpose(0, 1, 3, 2, 4, 5).reshape(n, oh * kh, ow * kw, c)
    padded = np.concatenate([flat, np.zeros((n, 1, ow * kw, c), flat.dtype)], axis=1)
    padded = np.concatenate([padded, np.zeros((n, padded.shape[1], 1, c), flat.dtype)], axis=2)
    rt = np.where(row_terms < 0, oh * kh, row_terms)
    ct = np.where(col_terms < 0, ow * kw, col_terms)
    terms = padded[:, rt[:, None, :, None], ct[None, :, None, :], :]  # n, ih, iw, R, Q, c
    terms = np.moveaxis(terms, 5, 3).reshape(n * in_h * in_w * c, R * Q)
    ones = np.ones((R * Q, 1), terms.dtype)
    return reduce(terms, ones).reshape(n, in_h, in_w, c)


def _readers(idx: np.ndarray, size_in: int) -> np.ndarray:
    """[size_in, r]: flat (out * k + tap) entries reading each input position, -1 padded."""
    lists: list[list[int]] = [[] for _ in range(size_in)]
    out_len, k = idx.shape
    for o in range(out_len):
        for t in range(k):
            if idx[o, t] >= 0:
                lists[idx[o, t]].append(o * k + t)
    width = max(1, max(len(x) for x in lists))
    return np.array([x + [-1] * (width - len(x)) for x in lists], dtype=np.int64)


# The summation orders. A: [N, K] float32, B: [K, M] float32; each returns [N, M] float32.


def _products(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """[N, M, K]: every product, each rounded to A's dtype."""
    return A[:, None, :] * B.T[None, :, :]


def sequential(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A plain loop in A's dtype: one rounded product and one rounded addition per term.

    `np.add.accumulate` adds strictly in order, rounding each sum to the dtype: the loop
    `acc = acc + A[:, k] * B[k]`, vectorised over blocks of terms (a million products each)."""
    acc = np.zeros((A.shape[0], B.shape[1]), A.dtype)
    block = max(1, 2**20 // max(1, acc.size))
    for k in range(0, A.shape[1], block):
        products = A[:, k : k + block, None] * B[None, k : k + block, :]
        products[:, 0, :] = acc + products[:, 0, :]
        acc = np.add.accumulate(products, axis=1)[:, -1, :]
    return acc


def pairwise(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """float32 pairwise summation: halve the rounded products until one is left."""
    t = _products(A, B)
    while t.shape[2] > 1:
        if t.shape[2] % 2:
            t = np.concatenate([t, np.zeros(t.shape[:2] + (1,), t.dtype)], axis=2)
        t = t[:, :, 0::2] + t[:, :, 1::2]
    return t[:, :, 0]


def blocked(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """float32 GEMM: numpy's BLAS, blocked and vectorised as production kernels are."""
    return np.matmul(A.astype(np.float32), B.astype(np.float32)).astype(A.dtype)


def rounded_once(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """float64 sums, each rounded once to A's dtype."""
    return np.matmul(A.astype(np.float64), B.astype(np.float64)).astype(A.dtype)


def fp16_partials(block: int = 64) -> Reduce:
    """Partial sums of `block` terms in float32, each kept in float16 and added in float16."""

    def reduce(A: np.ndarray, B: np.ndarray) -> np.ndarray:
        acc = np.zeros((A.shape[0], B.shape[1]), np.float16)
        for k in range(0, A.shape[1], block):
            part = np.matmul(A[:, k : k + block], B[k : k + block, :]).astype(np.float16)
            acc = (acc + part).astype(np.float16)
        return acc.astype(np.float32)

    return reduce


CORRECT: dict[str, Reduce] = {
    "sequential": sequential,
    "pairwise": pairwise,
    "blocked": blocked,
    "rounded_once": rounded_once,
}


def _rounding(precision: str) -> Callable[[np.ndarray, str], np.ndarray]:
    return lambda v, role: round_to(np.asarray(v, np.float64), precision)


def correct_layer(layer: str, order: str) -> TermLayer:
    return TermLayer(layer, CORRECT[order])


def lossy_layer(layer: str, name: str) -> TermLayer:
    if name == "tf32_products":
        return TermLayer(layer, blocked, factors=_rounding("tf32"))
    if name == "bf16_products":
        return TermLayer(layer, blocked, factors=_rounding("bfloat16"))
    if name == "fp16_dw_partials":
        return TermLayer(layer, blocked, reduce_dw=fp16_partials())
    if name == "tf32_forward_only":
        return TermLayer(layer, blocked, factors=_rounding("tf32"), forward_only=True)
    if name == "fp16_accumulation":  # float16 arrays summed in float16, sequentially
        return TermLayer(layer, sequential, work=np.float16)
    raise ValueError(name)


LOSSY: tuple[str, ...] = ("tf32_products", "bf16_products", "fp16_dw_partials", "tf32_forward_only")
# Which quantities each lossy layer loses precision in.
LOSSY_QUANTITIES: dict[str, tuple[str, ...]] = {
    "tf32_products": ("Y", "dX", "dW"),
    "bf16_products": ("Y", "dX", "dW"),
    "fp16_dw_partials": ("dW",),
    "tf32_forward_only": ("Y",),
}


# Importable instances (`--impl tests.oracles.precision_bank:sequential_deconv2d`), for the
# calibration script and the benchmark.
sequential_deconv2d = correct_layer("deconv2d", "sequential")
pairwise_deconv2d = correct_layer("deconv2d", "pairwise")
blocked_deconv2d = correct_layer("deconv2d", "blocked")
rounded_once_deconv2d = correct_layer("deconv2d", "rounded_once")
sequential_conv2d = correct_layer("conv2d", "sequential")
pairwise_conv2d = correct_layer("conv2d", "pairwise")
blocked_conv2d = correct_layer("conv2d", "blocked")
rounded_once_conv2d = correct_layer("conv2d", "rounded_once")
tf32_products_deconv2d = lossy_layer("deconv2d", "tf32_products")
tf32_forward_only_deconv2d = lossy_layer("deconv2d", "tf32_forward_only")
