"""Ember's demo: a plain PyTorch program that runs unchanged on Ember.

``ember demo`` runs this file with ``import torch`` resolved to Ember, exactly as ``ember run``
would; ``ember demo --source > demo.py && python demo.py`` runs it on PyTorch, and the two print
the same.

This file is a program, not a module to import: importing it imports ``torch``.

To add an example, write a function and decorate it with ``@example(title, needs=[...])``, listing
the ``torch`` names it uses that Ember may not provide yet. Until Ember has all of them the demo
prints the title, says which name is missing and goes on with the next example.
"""

import importlib

import torch

EXAMPLES = []


def example(title, needs=()):
    """Register the decorated function as a demo example that uses the names in ``needs``."""

    def register(function):
        EXAMPLES.append((title, tuple(needs), function))
        return function

    return register


@example("autograd: the derivative of y = x^2 + 2x at x = 3", needs=["torch.tensor"])
def derivative_example():
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x + 2 * x
    print("y =", y)
    y.backward()  # dy/dx = 2x + 2
    print("dy/dx =", x.grad)


@example(
    "autograd on a vector: the gradient of a sum",
    needs=["torch.tensor", "torch.Tensor.sum"],
)
def gradient_example():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = (x * x + 2 * x).sum()  # z = sum of x_i^2 + 2 x_i
    print("z =", z)
    z.backward()  # dz/dx_i = 2 x_i + 2
    print("dz/dx =", x.grad)


@example(
    "nn.Module vs nn.Sequential: a seeded Conv2d + Sigmoid network",
    needs=[
        "torch.nn.Module",
        "torch.nn.Sequential",
        "torch.nn.Conv2d",
        "torch.nn.Sigmoid",
        "torch.manual_seed",
        "torch.randn",
        "torch.cuda.manual_seed",
        "torch.backends.cudnn",
    ],
)
def module_example():
    # The seed tutorial's three programs, kept in one place: examples/ of the source checkout
    # (tests/examples/test_seed.py checks them byte for byte against PyTorch).
    import os
    import runpy

    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(os.path.dirname(here), "examples", "seed_module_vs_sequential.py")
    if not os.path.exists(path):
        print("(skipped: examples/seed_module_vs_sequential.py is in Ember's source checkout;"
              " install with `pip install -e .` from it)")
        return
    runpy.run_path(path, run_name="__main__")


@example(
    "training: a small CNN on the bundled 8x8 handwritten digits",
    needs=[
        "torch.nn.BatchNorm2d",
        "torch.nn.MaxPool2d",
        "torch.nn.Dropout",
        "torch.nn.CrossEntropyLoss",
        "torch.optim.SGD",
        "torch.optim.lr_scheduler.StepLR",
        "torch.utils.data.DataLoader",
        "torch.softmax",
    ],
)
def digits_example():
    # examples/train_digits.py of the source checkout (tests/examples/test_train_digits.py checks
    # it byte for byte against PyTorch); it reads the digits shipped in ember/_data/.
    import os
    import runpy
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(os.path.dirname(here), "examples", "train_digits.py")
    if not os.path.exists(path):
        print("(skipped: examples/train_digits.py is in Ember's source checkout;"
              " install with `pip install -e .` from it)")
        return
    argv = sys.argv
    sys.argv = [path]  # the script reads an optional data path from its arguments
    try:
        runpy.run_path(path, run_name="__main__")
    finally:
        sys.argv = argv


def missing_name(dotted):
    """The first prefix of ``dotted`` (``'torch.nn.Conv2d'``) that ``torch`` lacks, else None."""
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=2):
        if not hasattr(obj, part):
            try:
                importlib.import_module(".".join(parts[:i]))
            except ImportError:
                return ".".join(parts[:i])
        if not hasattr(obj, part):
            return ".".join(parts[:i])
        obj = getattr(obj, part)
    return None


def main():
    for number, (title, needs, function) in enumerate(EXAMPLES, start=1):
        if number > 1:
            print()
        print(f"== {number}. {title} ==")
        missing = [name for name in needs if missing_name(name) is not None]
        if missing:
            print(f"(skipped: this Ember does not provide {missing_name(missing[0])} yet)")
            continue
        function()


if __name__ == "__main__":
    main()
