"""Loading an implementation under test by name, and checking it follows the contract.

`MODULE:ATTR` or `MODULE` (see docs/contract.md).  Layer classes are adapted:
a numpy-ml-style class (constructor (out_ch, kernel_shape, pad, stride, act_fn, ...)) and a
torch `nn.Module` or `autograd.Function` class each get an adapter in `gradgate.harness.adapters`.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any

from gradgate.cases.kinds import DEFAULT_LAYER
from gradgate.harness.implementation import Implementation as Implementation
from gradgate.harness.implementation import ImplementationError as ImplementationError


def _positional_count(fn: Callable[..., Any]) -> int | None:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None  # builtins and C functions: trust them
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)


def _require(obj: object, name: str, attr: str, args: str, count: int) -> Callable[..., Any]:
    fn = getattr(obj, attr, None)
    if fn is None or not callable(fn):
        raise ImplementationError(f"{name} does not follow the contract: {attr}{args} is missing")
    n = _positional_count(fn)
    if n is not None and n != count:
        raise ImplementationError(
            f"{name} does not follow the contract: {attr} takes {n} positional argument(s), "
            f"the contract's {attr}{args} takes {count}"
        )
    return fn


def _is_implementation_class(cls: type) -> bool:
    """A class whose forward and backward are class or static methods with the contract's
    signatures: the implementation as it is.

    Any other class (a torch autograd.Function has static methods, but forward(ctx, ...) and
    backward(ctx, grad)) is a layer class for an adapter to build.
    """
    for attr, count in (("forward", 4), ("backward", 5)):
        if not isinstance(inspect.getattr_static(cls, attr, None), (staticmethod, classmethod)):
            return False
        if _positional_count(getattr(cls, attr)) not in (count, None):
            return False
    return True


# The names gradgate's own implementations are given and reported under (docs/contract.md:
# `reference_impl`, `reference_impl.conv2d`, `harness.frameworks.NAME`, and the old
# `harness.layers...`), from before gradgate became one package.  They always mean gradgate's
# modules (`gradgate.` + the name), never a user's package of the same name; any other module
# name is the user's, so a project may have its own `harness` or `cases`.
PUBLIC_NAMES: tuple[str, ...] = ("reference_impl", "harness.frameworks", "harness.layers")


def module_for(name: str) -> str:
    """The module to import for an implementation's module name (see PUBLIC_NAMES)."""
    if any(name == p or name.startswith(p + ".") for p in PUBLIC_NAMES):
        return f"gradgate.{name}"
    return name


def import_object(spec: str) -> tuple[str, object, list[str]]:
    """(name, object, notes) for MODULE or MODULE:ATTR; the current directory is importable.

    The notes say what loading had to do (a compatibility shim), for the caller to show once.
    """
    if not spec or spec.count(":") > 1:
        raise ImplementationError(f"--impl must be MODULE or MODULE:ATTR, got {spec!r}")
    module_name, _, attr = spec.partition(":")
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    from gradgate.harness.adapters.numpy_ml_compat import ensure_importable

    note = ensure_importable(module_name)
    try:
        with warnings.catch_warnings():
            if module_name.split(".")[0] == "numpy_ml":
                # numpy-ml warns at import that gym is missing (for its RL agents, not layers);
                # its warning class cannot be unpickled by an xdist controller without the shim.
                warnings.simplefilter("ignore")
            obj: object = importlib.import_module(module_for(module_name))
    except Exception as exc:  # any import failure is the user's to fix: say what it was
        raise ImplementationError(
            f"cannot import module {module_name!r}: {type(exc).__name__}: {exc}"
        ) from None
    for part in attr.split(".") if attr else []:
        if not hasattr(obj, part):
            raise ImplementationError(f"module {module_name!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    return spec, obj, [note] if note else []


def load_implementation(spec: str | None = None, layer: str = DEFAULT_LAYER) -> Implementation:
    """The implementation `spec` names (layer classes adapted to the layer kind `layer`), or
    the kind's reference when `spec` is None; ImplementationError if none."""
    if spec is None:
        from gradgate.cases.kinds import layer_kind

        spec = layer_kind(layer).REFERENCE
    name, obj, notes = import_object(spec)
    if inspect.isclass(obj) and not _is_implementation_class(obj):
        from gradgate.harness.adapters import adapt_class

        impl = adapt_class(name, obj, layer)
        impl.notes = notes
        return impl
    forward = _require(obj, name, "forward", "(X, W, b, cfg)", 4)
    backward = _require(obj, name, "backward", "(dY, X, W, b, cfg)", 5)
    supports = getattr(obj, "supports", None)
    if supports is not None and not callable(supports):
        raise ImplementationError(f"{name}: supports must be callable as supports(cfg)")
    impl = Implementation(name, forward, backward, supports, notes)
    _optional_derivatives(impl, obj)
    return impl


def _optional_derivatives(impl: Implementation, obj: object) -> None:
    """`jvp` and `double_backward` where `obj` has them with the contract's signatures; one
    that does not match (a module that imported jax's `jvp`, say) makes that derivative
    unsupported, with the reason, and never stops the first derivative's gate."""
    for derivative, attr, args, count in (
        ("forward", "jvp", "(tX, tW, tb, X, W, b, cfg)", 7),
        ("second", "double_backward", "(ddX, ddW, ddb, dY, X, W, b, cfg)", 8),
    ):
        if getattr(obj, attr, None) is None:
            continue
        try:
            setattr(impl, attr, _require(obj, impl.name, attr, args, count))
        except ImplementationError as exc:
            impl.missing[derivative] = str(exc)
