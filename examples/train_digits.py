"""Train a small CNN on the 8x8 UCI handwritten digits: a plain PyTorch program.

    python examples/train_digits.py              # on PyTorch
    ember run examples/train_digits.py           # on Ember: the same output, byte for byte

The data set (1,797 images, CC BY 4.0; see ember/_data/README.md) ships inside Ember as
``ember/_data/digits.csv.gz``; the script finds it there (without importing Ember), or takes
the file's path as its first argument. Everything is seeded, so every run prints the same.
"""

import gzip
import importlib.util
import os
import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

EPOCHS = 10
BATCH_SIZE = 64
BAR_WIDTH = 20


def digits_path():
    """The data file: the first argument, else the copy inside the installed Ember package."""
    if len(sys.argv) > 1:
        return sys.argv[1]
    spec = importlib.util.find_spec("ember")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("usage: train_digits.py DIGITS_CSV_GZ (Ember, which ships the file, is not "
                 "installed)")
    return os.path.join(list(spec.submodule_search_locations)[0], "_data", "digits.csv.gz")


def load_digits(path):
    """Images as a float32 array (N, 1, 8, 8) scaled to [0, 1], and int64 labels (N,)."""
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.float32)
    images = (table[:, :64] / 16.0).reshape(-1, 1, 8, 8)
    labels = table[:, 64].astype(np.int64)
    return images, labels


class DigitNet(nn.Module):
    """Two 3x3 conv blocks (conv, batch norm, ReLU, 2x2 max pool), dropout, a linear layer."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1),  # 16 x 8 x 8
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 16 x 4 x 4
            nn.Conv2d(16, 32, kernel_size=3, padding=1),  # 32 x 4 x 4
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 32 x 2 x 2
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.25), nn.Linear(128, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def bar(done, total):
    """A text progress bar: ``[#########-----------]``."""
    filled = BAR_WIDTH * done // total
    return "[" + "#" * filled + "-" * (BAR_WIDTH - filled) + "]"


def evaluate(model, loader):
    """The number of correct predictions over ``loader``."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(dim=1) == labels).sum().item()
    return correct


def main():
    torch.manual_seed(0)
    images, labels = load_digits(digits_path())
    x, y = torch.from_numpy(images), torch.from_numpy(labels)

    # a fixed 80/20 split of the 1,797 images
    order = torch.randperm(len(y))
    n_test = len(y) // 5
    test_idx, train_idx = order[:n_test], order[n_test:]
    train_set = TensorDataset(x[train_idx], y[train_idx])
    test_set = TensorDataset(x[test_idx], y[test_idx])
    train_loader = DataLoader(train_set, batch_size=BATCH_SIZE, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)
    print(f"digits: {len(train_set)} training and {len(test_set)} test images of 8x8 pixels")

    model = DigitNet()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params} parameters")
    print(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()

    for epoch in range(1, EPOCHS + 1):
        model.train()
        total_loss, seen = 0.0, 0
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(labels)
            seen += len(labels)
        scheduler.step()
        correct = evaluate(model, test_loader)
        print(f"epoch {epoch:2d}/{EPOCHS} {bar(epoch, EPOCHS)} loss {total_loss / seen:.4f}"
              f"  test accuracy {correct}/{len(test_set)} ({100.0 * correct / len(test_set):.1f}%)")

    # a test image, drawn in text, and what the model makes of it
    model.eval()
    image, label = test_set[0]
    with torch.no_grad():
        probs = torch.softmax(model(image.unsqueeze(0)), dim=1)[0]
    shades = " .:-=+*#%@"
    for row in image[0].tolist():
        print("    " + "".join(shades[min(9, int(v * 10))] * 2 for v in row))
    print(f"label {label.item()}, predicted {probs.argmax().item()} "
          f"(probability {probs.max().item():.3f})")


if __name__ == "__main__":
    main()
