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
    # The tutorial in shared/seed, as written (one typo fixed: `super(head, self)`).
    import torch.nn as nn

    class NNModule(nn.Module):
        def __init__(self, in_ch, out_ch, kernel_size=3):
            super().__init__()
            self.conv2d = nn.Conv2d(in_ch, out_ch, kernel_size=kernel_size, padding=1)
            self.activation = nn.Sigmoid()

        def forward(self, x):
            x = self.conv2d(x)
            x = self.activation(x)
            return x

    # Set seed
    seed = 42
    torch.manual_seed(seed)
    torch.cuda.manual_seed(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False

    # Create a tensor with size (batch, C, H, W)
    x = torch.randn(1, 3, 4, 4)

    # Run model
    model = NNModule(in_ch=3, out_ch=1, kernel_size=3)
    out = model(x)
    print("Input tensor shape:", x.shape)
    print("Output tensor shape:", out.shape)
    print("Output:\n", out)

    class Run(NNModule):
        def __init__(self, in_channels, out_channels, kernel_size=3):
            super().__init__(in_channels, out_channels, kernel_size)
            self.cnn = NNModule(in_channels, out_channels, kernel_size=kernel_size)

        def forward(self, x):
            x = self.cnn(x)
            return x

    # Set seed
    seed = 42
    torch.manual_seed(seed)
    torch.cuda.manual_seed(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False

    # Create a tensor with size (batch, C, H, W)
    x = torch.randn(1, 3, 4, 4)

    # Run model
    runner = Run(in_channels=3, out_channels=1, kernel_size=3)
    out2 = runner(x)
    print("Input tensor shape:", x.shape)
    print("Output tensor shape:", out2.shape)
    print("Output:\n", out2)

    class NNSequential(nn.Sequential):
        def __init__(self, in_ch, out_ch, kernel_size=3):
            conv2d = nn.Conv2d(in_ch, out_ch, kernel_size=kernel_size, padding=1)
            activation = nn.Sigmoid()
            super().__init__(conv2d, activation)  # no forward: Sequential runs the layers

    x = torch.randn(1, 3, 4, 4)
    model = NNSequential(3, 1, 3)
    output = model(x)
    print(output)


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
