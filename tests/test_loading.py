"""Loading implementations by name, and refusing those that do not follow the contract."""

from __future__ import annotations

import pytest

from harness.loading import ImplementationError, load_implementation


def test_default_is_the_reference() -> None:
    impl = load_implementation()
    assert impl.name == "reference_impl" and impl.supports is None


def test_module_attribute_objects_load() -> None:
    impl = load_implementation("tests.bugged_impls:flipped_kernel")
    assert callable(impl.forward) and callable(impl.backward)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module_xyz", "cannot import module 'no_such_module_xyz': ModuleNotFoundError"),
        ("tests.faulty_impls:nothing", "has no attribute 'nothing'"),
        ("tests.faulty_impls:no_backward", r"backward\(dY, X, W, b, cfg\) is missing"),
        ("tests.faulty_impls:bad_signature", "forward takes 3 positional argument"),
        ("tests.faulty_impls:NotAnImplementation", "is a class, but neither"),
        ("a:b:c", "--impl must be MODULE or MODULE:ATTR"),
        ("", "--impl must be MODULE or MODULE:ATTR"),
    ],
)
def test_contract_violations_are_usage_errors(spec: str, message: str) -> None:
    with pytest.raises(ImplementationError, match=message):
        load_implementation(spec)
