"""The seed tutorial's three programs: nn.Module vs nn.Sequential, with a seeded Conv2d + Sigmoid.

Run it with PyTorch (``python examples/seed_module_vs_sequential.py``) or with Ember
(``ember run examples/seed_module_vs_sequential.py``): both print the same bytes, and the first
two outputs are the ones the tutorial shows. The tutorial's ``super(head, self)`` is read as
``super(NNModule, self)``; ``print(model)`` is added at the end.
"""

import torch
import torch.nn as nn


class NNModule(nn.Module):

    def __init__(self, in_ch, out_ch, kernel_size=3):
        super(NNModule, self).__init__()  # noqa: UP008 - as the tutorial writes it
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

# Create a torch with size (batch, C, H, W)
x = torch.randn(1, 3, 4, 4)

# Run model
model = NNModule(in_ch=3, out_ch=1, kernel_size=3)

out = model(x)

print('Input tensor shape:', x.shape)
print('Output tensor shape:', out.shape)
print('Output:\n', out)


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

# Create a torch with size (batch, C, H, W)
x = torch.randn(1, 3, 4, 4)

# Run model

runner = Run(in_channels=3, out_channels=1, kernel_size=3)

out2 = runner(x)

print('Input tensor shape:', x.shape)
print('Output tensor shape:', out2.shape)
print('Output:\n', out2)


class NNSequential(nn.Sequential):
    def __init__(self, in_ch, out_ch, kernel_size=3):

        conv2d = nn.Conv2d(in_ch, out_ch, kernel_size=kernel_size, padding=1)

        activation = nn.Sigmoid()

        super().__init__(conv2d, activation)


x = torch.randn(1, 3, 4, 4)

model = NNSequential(3, 1, 3)

output = model(x)

print(output)
print(model)
