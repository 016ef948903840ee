"""Real networks the exporter tests export; all_models() gives each with an example input of batch 2.

Between them they use every module type and every functional form the exporter maps.
"""
import importlib.util
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F


def _training_script():
    path = Path(__file__).resolve().parents[2] / "scripts" / "train_lenet5.py"
    spec = importlib.util.spec_from_file_location("train_lenet5", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


lenet5 = _training_script().lenet5  # classic LeNet-5 as one Sequential (layer names "0", "3", ...), as shipped


def lenet5_module():
    """The zero-argument factory the command line calls."""
    return lenet5()


class FunctionalLeNet(nn.Module):
    """LeNet written with functional calls and tensor methods, view(x.size(0), -1) as the flatten."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.avg_pool2d(self.conv2(x).relu(), kernel_size=2, stride=2)
        x = x.view(x.size(0), -1)
        x = torch.relu(self.fc1(x))
        x = F.silu(self.fc2(x))
        return F.log_softmax(self.fc3(x), dim=1)


class BasicBlock(nn.Module):
    """A ResNet basic block (torchvision's layout, in-place ReLU shared by both uses)."""

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNetTiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.layer1 = nn.Sequential(BasicBlock(8, 8), BasicBlock(8, 16, stride=2))
        self.shared = nn.Conv2d(16, 16, 3, padding="same")
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = self.layer1(self.stem(x))
        x = x + self.shared(self.shared(x))  # one module called twice: the same weights, two layers
        x = torch.add(x, F.hardswish(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class InceptionTiny(nn.Module):
    """Parallel branches joined with torch.cat, global pooling as x.mean((2, 3))."""

    def __init__(self):
        super().__init__()
        self.b1 = nn.Conv2d(3, 4, 1)
        self.b3 = nn.Sequential(nn.Conv2d(3, 4, 1), nn.ReLU6(), nn.Conv2d(4, 6, 3, padding=1, dilation=1))
        self.b5 = nn.Sequential(nn.Conv2d(3, 6, 5, padding=4, dilation=2, groups=3), nn.GELU(approximate="tanh"))
        self.pool = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(3, 2, 1), nn.Hardsigmoid())
        self.head = nn.Linear(18, 7)

    def forward(self, x):
        y = torch.cat([self.b1(x), self.b3(x), self.b5(x), self.pool(x)], dim=1)
        y = F.leaky_relu(y, 0.2)
        keep = y.mean((2, 3), keepdim=True).flatten(1)
        return self.head(y.mean(dim=(-1, -2))) + self.head(keep), F.gelu(y)


class Net1d(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(2, 8, 5, stride=2, padding=2), nn.BatchNorm1d(8), nn.ELU(alpha=0.7),
            nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True),
            nn.Conv1d(8, 8, 3, padding="valid"), nn.LeakyReLU(0.05),
            nn.AvgPool1d(2, count_include_pad=False, padding=1),
            nn.ConvTranspose1d(8, 6, 4, stride=2, padding=1, output_padding=1),
            nn.LPPool1d(2, 3, stride=2), nn.Dropout1d(0.3))
        self.pool = nn.AdaptiveMaxPool1d(4)
        self.fc = nn.Linear(24, 3)

    def forward(self, x):
        x = self.pool(self.features(x))
        return F.softmax(self.fc(x.reshape(-1, 24)), dim=-1)


class Net3d(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv3d(1, 4, 3, padding=(1, 0, 1)), nn.BatchNorm3d(4), nn.Hardswish(),
            nn.MaxPool3d(2, ceil_mode=True), nn.Dropout3d(),
            nn.ConvTranspose3d(4, 4, (2, 3, 2), stride=(1, 2, 1), groups=2, dilation=(1, 1, 2)), nn.Tanh(),
            nn.AvgPool3d(2, padding=1, count_include_pad=False, divisor_override=None),
            nn.AdaptiveAvgPool3d((2, None, 1)))
        self.fc = nn.Linear(4 * 2 * 4 * 1, 6)

    def forward(self, x):
        x = F.max_pool3d(self.features(x), kernel_size=(1, 2, 1), stride=1)
        return self.fc(torch.flatten(x, start_dim=1))


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(inplace=True), nn.Flatten(),
            nn.Linear(16 * 7 * 7, 32))
        self.decoder = nn.Sequential(
            nn.Linear(32, 16 * 7 * 7), nn.Unflatten(1, (16, 7, 7)),
            nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1), nn.BatchNorm2d(8), nn.SiLU(),
            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1, bias=False), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


class Zoo(nn.Module):
    """The remaining forms: several inputs and outputs, Identity, Dropout, Softmax modules, AdaptiveMaxPool2d,
    LPPool2d, F.adaptive_max_pool2d, torch.sigmoid/tanh, functional dropout, x.contiguous(),
    x.reshape(x.shape[0], -1), an output that is a model input."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Identity(), nn.Dropout(0.5), nn.Dropout2d(),
                                  nn.ReLU(), nn.LPPool2d(3, 2, ceil_mode=True), nn.AdaptiveMaxPool2d((3, 2)))
        self.softmax = nn.Softmax(dim=1)
        self.log_softmax = nn.LogSoftmax(dim=-1)

    def forward(self, x, y):
        y0 = y
        x = self.body(torch.sigmoid(x))
        y = F.adaptive_max_pool2d(torch.tanh(y), (3, 2))
        s = x + y
        s = s.contiguous().reshape(s.shape[0], -1)
        return self.softmax(s), self.log_softmax(F.dropout(s, 0.1, training=self.training)), x, y0


class Functional1d(nn.Module):
    """The functional forms not used above, on 1-d signals."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, 3, padding=1)

    def forward(self, x):
        x = F.relu6(self.conv(x), inplace=True)
        a = F.avg_pool1d(F.elu(x, 0.5), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
        b = F.lp_pool1d(x.sigmoid(), 2.0, 3, stride=2, ceil_mode=True)
        c = F.adaptive_avg_pool1d(F.hardsigmoid(x).tanh(), 5)
        d = F.dropout1d(F.adaptive_max_pool1d(x, 5), p=0.2, training=False)
        y = torch.cat((a, b, c, d), -1)
        return torch.softmax(y, 1), y.log_softmax(dim=2), F.leaky_relu(y).add(torch.relu(y))


class SqueezeExcite(nn.Module):
    """An EfficientNet-style MBConv tail: a squeeze-and-excitation gate x * sigmoid(fc(pool(x))) broadcast over
    H x W, scaling by numbers on either side, and the element-wise math of the format's version 2."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.reduce = nn.Conv2d(8, 2, 1)
        self.expand = nn.Conv2d(2, 8, 1)

    def forward(self, x):
        y = F.silu(self.conv(x))
        gate = torch.sigmoid(self.expand(F.silu(self.reduce(F.adaptive_avg_pool2d(y, 1)))))
        y = y * gate
        z = y * 0.5 + 1
        z = (1 - z) / (z.abs() + 2) - torch.maximum(y, gate) + torch.minimum(gate, z)
        w = torch.exp(-z.pow(2)) + torch.sqrt(torch.abs(z)) - torch.log(gate) + 2 ** gate
        return torch.neg(w) + y.sub(gate) + y.mean((2, 3), keepdim=True)


class Rounding(nn.Module):
    """The rounding, sign and error functions and remainders (format version 2's Floor, Ceil, Round, Sign, Erf, Fmod,
    Remainder), as torch functions, tensor methods and Python's %, and an SE gate broadcast by expand / expand_as
    (Expand)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        y = self.conv(x) * 4
        steps = torch.floor(y) + y.ceil() * 0.5 - torch.round(y) + y.round() * 0.25
        gate = torch.sigmoid(y.mean((2, 3), keepdim=True))
        y = y * gate.expand_as(y) + gate.expand(-1, -1, y.size(2), 5)  # an SE gate written with expand
        remainders = y % 1.5 + torch.fmod(y, -1.25) - torch.remainder(2.0, y.abs() + 1) + y.fmod(y * 0.3 + 2)
        return steps + torch.sign(y) * torch.erf(y) + y.sign() - y.erf() + torch.special.erf(y * 0.5) + remainders


class Activations(nn.Module):
    """The activations of format version 2 as modules and functions: PReLU (shared and per channel), Softplus,
    Mish, SELU, CELU, Hardtanh, Softsign, LogSigmoid."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.prelu = nn.PReLU(6, init=0.1)
        self.shared = nn.PReLU()
        self.body = nn.Sequential(nn.Softplus(beta=2.0, threshold=5.0), nn.Mish(), nn.SELU(), nn.CELU(0.7),
                                  nn.Hardtanh(-0.5, 2.0), nn.Softsign(), nn.LogSigmoid())
        with torch.no_grad():
            self.prelu.weight.uniform_(-0.5, 0.5)

    def forward(self, x):
        y = self.shared(self.prelu(self.conv(x) * 3))
        z = F.softplus(y) + F.mish(y) + F.selu(y) + F.celu(y, 2.0) + F.hardtanh(y, -1.5, 0.5) + F.softsign(y)
        return self.body(y), z + F.logsigmoid(y)


class Upsampling(nn.Module):
    """Upsample modules and F.interpolate in every mode, by size and by scale_factor."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.nearest = nn.Upsample(scale_factor=2)
        self.bilinear = nn.Upsample(size=(11, 9), mode="bilinear", align_corners=True)
        self.fixed = nn.UpsamplingBilinear2d(scale_factor=1.5)
        self.near2d = nn.UpsamplingNearest2d(size=7)

    def forward(self, x):
        y = self.conv(x)
        a = F.interpolate(self.nearest(y), size=(11, 9), mode="bicubic")
        b = self.bilinear(y) * F.interpolate(y, size=(11, 9), mode="nearest-exact")
        c = F.interpolate(self.fixed(y), scale_factor=0.7, mode="bilinear", recompute_scale_factor=True)
        return a + b, c, self.near2d(y), F.interpolate(y.flatten(2), scale_factor=2.5, mode="linear")


class Norms(nn.Module):
    """GroupNorm, LayerNorm (one and several trailing dims, without bias, without affine) and InstanceNorm1d/2d
    (affine, running statistics, plain), with non-trivial affine parameters and statistics."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.group = nn.GroupNorm(4, 8)
        self.layer = nn.LayerNorm([6, 5], eps=1e-3)
        self.last = nn.LayerNorm(5, bias=False)
        self.plain = nn.LayerNorm(5, elementwise_affine=False)
        self.instance = nn.InstanceNorm2d(8, affine=True)
        self.tracked = nn.InstanceNorm2d(8, track_running_stats=True)
        self.instance1d = nn.InstanceNorm1d(8)
        generator = torch.Generator().manual_seed(2)
        with torch.no_grad():
            for m in self.modules():
                for name, tensor in m.named_parameters(recurse=False):
                    if m is not self.conv:
                        tensor.uniform_(-1.5, 1.5, generator=generator)
            self.tracked.running_mean.uniform_(-0.5, 0.5, generator=generator)
            self.tracked.running_var.uniform_(0.5, 2.0, generator=generator)

    def forward(self, x):
        y = self.group(self.conv(x))
        y = self.plain(self.last(self.layer(y)))
        y = self.tracked(self.instance(y))
        return self.instance1d(y.flatten(2))


class LayerScale(nn.Module):
    """ConvNeXt's channels-last tail: permute, LayerNorm, Linear, a layer-scale parameter (both operand orders,
    and a [C, 1, 1] one against NCHW), transpose back."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.norm = nn.LayerNorm(6)
        self.fc = nn.Linear(6, 6)
        self.gamma = nn.Parameter(torch.rand(6) + 0.5)
        self.scale = nn.Parameter(torch.rand(6, 1, 1) - 0.5)


class LayerScaleNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = LayerScale()

    def forward(self, x):
        b = self.block
        y = b.fc(b.norm(b.conv(x).permute(0, 2, 3, 1)))
        y = b.gamma * y - y * b.gamma * 0.5
        y = torch.transpose(y.permute(0, 3, 1, 2), 2, 3).transpose(2, 3)
        return y + b.scale * y.mean((2, 3), keepdim=True) / b.scale


class DataMovement(nn.Module):
    """chunk, split (sizes and a list), slicing with steps and negative bounds, view to more and fewer dims,
    transpose and a channel shuffle."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 12, 3, padding=1)

    def forward(self, x):
        y = self.conv(x)
        a, b, c = y.chunk(3, dim=1)
        d, e = torch.split(y, [5, 7], dim=1)
        f = y[:, 1:-1:2, ::2, -4:]
        n, ch, h, w = y.size()
        shuffled = y.view(n, 3, ch // 3, h, w).transpose(1, 2).contiguous().view(n, -1, h, w)
        return a * b - c, d[:, :4, 1:] + e[..., 1:, :][:, 3:], f.reshape(-1, 5 * 3 * 4), shuffled, e.view(n, 7, h * w)


class Padding(nn.Module):
    """Padding modules of every mode and F.pad, including negative (cropping) padding and channel padding."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.pads = nn.Sequential(nn.ReflectionPad2d((1, 2, 0, 1)), nn.ReplicationPad2d(1), nn.ZeroPad2d((0, 1, 2, -1)),
                                  nn.ConstantPad2d(1, 0.5), nn.CircularPad2d((1, 1, 2, 0)))

    def forward(self, x):
        y = self.pads(self.conv(x))
        return y, F.pad(y, (1, 1, 0, 0, 1, 0), value=-2.0), F.pad(y.flatten(2), (2, 1), mode="reflect")


class FunctionalParameters(nn.Module):
    """F.group_norm / F.layer_norm / F.linear called with modules' own parameters (and F.layer_norm without any), and
    torch.where over comparisons of every kind, with tensor and number operands (a leaky ReLU, clamps, a mask)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.gn = nn.GroupNorm(2, 4)
        self.ln = nn.LayerNorm([6, 5])
        self.fc = nn.Linear(4, 3)
        generator = torch.Generator().manual_seed(2)
        with torch.no_grad():
            for m in (self.gn, self.ln):
                m.weight.uniform_(0.5, 1.5, generator=generator)
                m.bias.uniform_(-0.5, 0.5, generator=generator)

    def forward(self, x):
        y = F.group_norm(self.conv(x), 2, self.gn.weight, self.gn.bias, 1e-4)
        y = torch.where(y > 0, y, y * 0.1)
        y = F.layer_norm(y, (6, 5), self.ln.weight, self.ln.bias)
        y = torch.where(torch.lt(y, -0.5), -0.5, y)
        y = torch.where(y.ge(0.25), y, 0.0) + torch.where(y <= -0.25, 1.0, y)
        y = F.layer_norm(y, (5,), eps=1e-6)
        z = F.linear(y.mean((2, 3)), self.fc.weight, self.fc.bias)
        return torch.where(torch.eq(z, z), z, 1.0)


class ShiftedSequential(nn.Sequential):
    """A functional op before the children "0", "1", ...: layer indices and module names collide."""

    def forward(self, x):
        return super().forward(torch.relu(x))


def all_models():
    """name -> (module, example inputs)."""
    torch.manual_seed(0)
    models = {
        "lenet5": (lenet5(), torch.randn(2, 1, 28, 28)),
        "functional_lenet": (FunctionalLeNet(), torch.randn(2, 1, 28, 28)),
        "resnet_tiny": (ResNetTiny(), torch.randn(2, 3, 12, 10)),
        "inception_tiny": (InceptionTiny(), torch.randn(2, 3, 9, 11)),
        "net1d": (Net1d(), torch.randn(2, 2, 37)),
        "net3d": (Net3d(), torch.randn(2, 1, 6, 9, 7)),
        "functional1d": (Functional1d(), torch.randn(2, 3, 10)),
        "autoencoder": (AutoEncoder(), torch.rand(2, 1, 28, 28)),
        "zoo": (Zoo(), (torch.randn(2, 3, 10, 8), torch.randn(2, 4, 7, 5))),
        "squeeze_excite": (SqueezeExcite(), torch.randn(2, 3, 9, 7)),
        "activations": (Activations(), torch.randn(2, 3, 6, 5)),
        "rounding": (Rounding(), torch.randn(2, 3, 6, 5)),
        "upsampling": (Upsampling(), torch.randn(2, 3, 6, 5)),
        "norms": (Norms(), torch.randn(2, 3, 6, 5)),
        "layer_scale": (LayerScaleNet(), torch.randn(2, 3, 6, 5)),
        "data_movement": (DataMovement(), torch.randn(2, 3, 6, 8)),
        "padding": (Padding(), torch.randn(2, 3, 7, 6)),
        "functional_parameters": (FunctionalParameters(), torch.randn(2, 3, 6, 5)),
        "shifted_sequential": (ShiftedSequential(nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Conv2d(3, 3, 1), nn.Sigmoid(),
                                                 nn.Flatten(0)), torch.randn(2, 2, 5, 5)),
    }
    for module, _ in models.values():
        randomize_statistics(module)
    return models


def randomize_statistics(module):
    """BatchNorm with non-trivial running statistics and affine parameters, so inference mode is tested."""
    generator = torch.Generator().manual_seed(1)
    for m in module.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5, generator=generator)
                m.running_var.uniform_(0.5, 2.0, generator=generator)
                m.weight.uniform_(0.5, 1.5, generator=generator)
                m.bias.uniform_(-0.2, 0.2, generator=generator)
