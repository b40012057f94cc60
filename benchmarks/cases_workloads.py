"""Whole workloads from issue 7: a ResNet-style training step and a matmul/softmax attention block.

Both sides build the same model from ``manual_seed(0)`` (Ember's initialisation draws PyTorch's
numbers) and get the same inputs; the setup checks that the forward outputs agree before anything
is timed, so a case cannot silently compare different work.
"""

import numpy as np
from harness import case


def _resnet(lib):
    """Stem conv 3->16, stage 1 (BasicBlock 16), stage 2 (BasicBlock 32, stride 2, 1x1
    downsample), global average pool, Linear to 10."""
    nn = lib.nn

    class BasicBlock(nn.Module):
        def __init__(self, c_in, c_out, stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(c_out)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(c_out)
            self.downsample = None
            if stride != 1 or c_in != c_out:
                self.downsample = nn.Sequential(
                    nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out)
                )

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + identity)

    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
        BasicBlock(16, 16),
        BasicBlock(16, 32, stride=2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
    )


class _Attention:
    """x (8, 128, 256) -> softmax(q k^T / 16) v -> output projection -> + x."""

    def __init__(self, lib, width=256):
        nn = lib.nn
        self.lib = lib
        self.q, self.k, self.v, self.out = (nn.Linear(width, width) for _ in range(4))
        self.scale = width**0.5

    def parameters(self):
        return [p for m in (self.q, self.k, self.v, self.out) for p in m.parameters()]

    def __call__(self, x):
        q, k, v = self.q(x), self.k(x), self.v(x)
        scores = q @ k.transpose(-2, -1) / self.scale
        attn = self.lib.softmax(scores, -1)
        return self.out(attn @ v) + x


def _check_same(name, out_e, out_t, rtol=1e-4, atol=1e-5):
    """Refuse to time two sides whose forward outputs differ."""
    a, b = out_e.detach().numpy(), out_t.detach().numpy()
    if a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=atol):
        worst = np.max(np.abs(a - b)) if a.shape == b.shape else "shapes differ"
        raise RuntimeError(f"{name}: Ember and PyTorch forward outputs differ ({worst})")


@case("ResNet-style step (2 stages, BatchNorm), batch 16x3x32x32, SGD momentum", repeat=7,
      target=1.0)
def resnet_step():
    import torch

    import ember

    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, 16)
    models, fns = [], []
    for lib in (ember, torch):
        lib.manual_seed(0)
        model = _resnet(lib)
        opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        xs, ys = lib.from_numpy(x.copy()), lib.from_numpy(y.copy())
        models.append((model, xs))

        def step(lib=lib, model=model, opt=opt, xs=xs, ys=ys):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(xs), ys)
            loss.backward()
            opt.step()
            return loss

        fns.append(step)
    # the check runs in training mode: it updates both sides' BatchNorm statistics alike
    _check_same("ResNet-style step", *(model(xs) for model, xs in models))
    return fns[0], fns[1]


@case("attention block (matmul/softmax) forward+backward, 8x128x256", repeat=7)
def attention_block():
    import torch

    import ember

    x = np.random.default_rng(0).standard_normal((8, 128, 256)).astype(np.float32)
    blocks, fns = [], []
    for lib in (ember, torch):
        lib.manual_seed(0)
        block = _Attention(lib)
        xs = lib.from_numpy(x.copy()).requires_grad_(True)
        blocks.append((block, xs))

        def run(block=block, xs=xs):
            for p in block.parameters():
                p.grad = None
            xs.grad = None
            out = block(xs)
            out.sum().backward()
            return out

        fns.append(run)
    _check_same("attention block", *(block(xs) for block, xs in blocks))
    return fns[0], fns[1]
