"""Anomaly detection against PyTorch (mirrors ``ember/autograd/anomaly_mode.py``)."""

import warnings

import pytest
import torch

import ember

LIBS = (ember, torch)


def _nan_backward(lib):
    a = lib.tensor([0.0, 1.0], requires_grad=True)
    b = a * lib.tensor([float("nan"), 1.0])
    b.backward(lib.ones(2))


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_detect_anomaly_raises_and_warns(lib):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with lib.autograd.detect_anomaly():
            with pytest.raises(RuntimeError) as info:
                _nan_backward(lib)
    assert str(info.value) == "Function 'MulBackward0' returned nan values in its 0th output."
    msgs = [str(x.message) for x in w]
    assert msgs[0].startswith("Anomaly Detection has been enabled.")
    trace = [m for m in msgs if m.startswith("Error detected in MulBackward0.")]
    assert trace, msgs
    assert "Traceback of forward call that caused the error" in trace[0]
    assert "_nan_backward" in trace[0] and "b = a * lib.tensor" in trace[0]
    assert not lib.is_anomaly_enabled()


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_set_detect_anomaly(lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lib.autograd.set_detect_anomaly(True)
        try:
            assert lib.is_anomaly_enabled()
            with pytest.raises(RuntimeError, match="returned nan values in its 0th output"):
                _nan_backward(lib)
        finally:
            lib.autograd.set_detect_anomaly(False)
    assert not lib.is_anomaly_enabled()
    _nan_backward(lib)  # without anomaly mode NaN gradients pass silently


@pytest.mark.parametrize("lib", LIBS, ids=lambda m: m.__name__)
def test_check_nan_false(lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with lib.autograd.detect_anomaly(check_nan=False):
            assert lib.is_anomaly_check_nan_enabled() is False
            _nan_backward(lib)
    assert lib.is_anomaly_check_nan_enabled() is True


def test_version_error_hint_mentions_anomaly():
    x = ember.ones(2, requires_grad=True)
    h = x * 2
    y = h * h
    h.add_(1)
    with pytest.raises(RuntimeError, match="set_detect_anomaly"):
        y.backward(ember.ones(2))
