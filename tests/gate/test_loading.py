"""Loading implementations by name, and refusing those that do not follow the contract."""

from __future__ import annotations

import pytest

from gradgate.harness.loading import ImplementationError, load_implementation


def test_default_is_the_reference() -> None:
    impl = load_implementation()
    assert impl.name == "reference_impl" and impl.supports is None


def test_module_attribute_objects_load() -> None:
    impl = load_implementation("tests.kinds.deconv2d.bugged_impls:flipped_kernel")
    assert callable(impl.forward) and callable(impl.backward)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("no_such_module_xyz", "cannot import module 'no_such_module_xyz': ModuleNotFoundError"),
        ("tests.gate.faulty_impls:nothing", "has no attribute 'nothing'"),
        ("tests.gate.faulty_impls:no_backward", r"backward\(dY, X, W, b, cfg\) is missing"),
        ("tests.gate.faulty_impls:bad_signature", "forward takes 3 positional argument"),
        ("tests.gate.faulty_impls:NotAnImplementation", "is a class, but neither"),
        ("a:b:c", "--impl must be MODULE or MODULE:ATTR"),
        ("", "--impl must be MODULE or MODULE:ATTR"),
    ],
)
def test_contract_violations_are_usage_errors(spec: str, message: str) -> None:
    with pytest.raises(ImplementationError, match=message):
        load_implementation(spec)


@pytest.mark.parametrize(
    "spec", ["tests.gate.contract_classes:StaticDeconv", "tests.gate.contract_classes:ClassDeconv"]
)
def test_a_class_with_static_or_class_methods_is_the_implementation_as_it_is(spec: str) -> None:
    from gradgate.cases.case import parse_case_id
    from gradgate.harness.engine import run_case

    impl = load_implementation(spec)
    case = parse_case_id("n2-c2x4-g2-i4x5-k3x2-s2x1-p1.0.0.2-d1x2-op1x0-b1-tanh-f64")
    result = run_case(impl, case)
    if spec.endswith("ClassDeconv"):
        assert result.status == "unsupported" and result.message == "groups > 1 is not implemented"
        result = run_case(impl, parse_case_id(case.id.replace("c2x4-g2", "c2x4-g1")))
    assert result.status == "passed", result.message


def test_a_class_method_implementation_is_called_on_the_class() -> None:
    from gradgate.cases.case import parse_case_id
    from gradgate.harness.engine import run_case
    from tests.gate.contract_classes import ClassDeconv

    before = ClassDeconv.calls
    run_case(
        load_implementation("tests.gate.contract_classes:ClassDeconv"),
        parse_case_id("n1-c1x1-g1-i1x1-k1x1-s1x1-p0.0.0.0-d1x1-op0x0-b1-identity-f64"),
    )
    assert ClassDeconv.calls > before


def test_a_class_with_instance_methods_is_not_taken_for_the_contract() -> None:
    with pytest.raises(ImplementationError, match="is a class, but neither"):
        load_implementation("tests.gate.contract_classes:InstanceMethodsOnly")


def test_static_methods_with_other_signatures_are_not_the_contract() -> None:
    with pytest.raises(ImplementationError, match="is a class, but neither"):
        load_implementation("tests.gate.contract_classes:WrongArity")
    impl = load_implementation("tests.kinds.deconv2d.torch_modules:ConvTranspose2dFunction")
    assert impl.supports is not None  # the torch adapter, which declares its scope
