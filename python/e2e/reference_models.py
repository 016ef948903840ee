"""Reference architectures in plain torch (torchvision's model code does not import with this torch).

Each builder mirrors the torchvision (or classic) definition layer for layer, with random init, and returns the
module in eval mode with non-trivial BatchNorm statistics, so that folding and inference paths are exercised.
`REFERENCE_MODELS` maps a name to (builder, input shape without batch).
"""
import torch
from torch import nn
import torch.nn.functional as F


def _randomize_batchnorm(module: nn.Module, seed: int) -> nn.Module:
    g = torch.Generator().manual_seed(seed)
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(m.num_features, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    return module.eval()


class LeNet5(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)


class AlexNet(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Linear(4096, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


class VGG11BN(nn.Module):
    CFG = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]

    def __init__(self, num_classes=1000):
        super().__init__()
        layers, c = [], 3
        for v in self.CFG:
            if v == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                layers += [nn.Conv2d(c, v, kernel_size=3, padding=1), nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
                c = v
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet18(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = nn.Sequential(BasicBlock(64, 64), BasicBlock(64, 64))
        self.layer2 = nn.Sequential(BasicBlock(64, 128, 2), BasicBlock(128, 128))
        self.layer3 = nn.Sequential(BasicBlock(128, 256, 2), BasicBlock(256, 256))
        self.layer4 = nn.Sequential(BasicBlock(256, 512, 2), BasicBlock(512, 512))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        hidden = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers += [nn.Conv2d(inp, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True)]
        layers += [
            nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False), nn.BatchNorm2d(hidden),
            nn.ReLU6(inplace=True),
            nn.Conv2d(hidden, oup, 1, bias=False), nn.BatchNorm2d(oup)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2(nn.Module):
    SETTINGS = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2],
                [6, 320, 1, 1]]

    def __init__(self, num_classes=1000):
        super().__init__()
        features = [nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU6(inplace=True))]
        c = 32
        for t, out, n, s in self.SETTINGS:
            for i in range(n):
                features.append(InvertedResidual(c, out, s if i == 0 else 1, t))
                c = out
        features.append(nn.Sequential(nn.Conv2d(c, 1280, 1, bias=False), nn.BatchNorm2d(1280), nn.ReLU6(inplace=True)))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = nn.functional.adaptive_avg_pool2d(x, (1, 1))
        x = torch.flatten(x, 1)
        return self.classifier(x)


class Fire(nn.Module):
    def __init__(self, inplanes, squeeze, expand1x1, expand3x3):
        super().__init__()
        self.squeeze = nn.Conv2d(inplanes, squeeze, kernel_size=1)
        self.squeeze_activation = nn.ReLU(inplace=True)
        self.expand1x1 = nn.Conv2d(squeeze, expand1x1, kernel_size=1)
        self.expand1x1_activation = nn.ReLU(inplace=True)
        self.expand3x3 = nn.Conv2d(squeeze, expand3x3, kernel_size=3, padding=1)
        self.expand3x3_activation = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))
        return torch.cat([self.expand1x1_activation(self.expand1x1(x)),
                          self.expand3x3_activation(self.expand3x3(x))], 1)


class SqueezeNet11(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=3, stride=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
            Fire(64, 16, 64, 64), Fire(128, 16, 64, 64),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
            Fire(128, 32, 128, 128), Fire(256, 32, 128, 128),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
            Fire(256, 48, 192, 192), Fire(384, 48, 192, 192), Fire(384, 64, 256, 256), Fire(512, 64, 256, 256))
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5), nn.Conv2d(512, num_classes, kernel_size=1), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d((1, 1)))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


class TimeSeriesCNN(nn.Module):
    """A 1-D CNN for multichannel time series: dilated convs, BN, pooling, global pooling, a head."""

    def __init__(self, channels=6, num_classes=5):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv1d(channels, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(),
            nn.Conv1d(32, 32, 5, padding="same", dilation=2), nn.BatchNorm1d(32), nn.GELU(),
            nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 3, stride=2, padding=1), nn.BatchNorm1d(64), nn.SiLU(),
            nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(64, num_classes))

    def forward(self, x):
        return self.net(x)


class Small3DCNN(nn.Module):
    """A small video/volume CNN with Conv3d, BatchNorm3d, 3-d pooling."""

    def __init__(self, num_classes=4):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv3d(1, 8, 3, padding=1), nn.BatchNorm3d(8), nn.ReLU(),
            nn.MaxPool3d(2),
            nn.Conv3d(8, 16, (3, 3, 3), stride=(1, 2, 2), padding=1), nn.BatchNorm3d(16), nn.LeakyReLU(0.1),
            nn.AvgPool3d(2, ceil_mode=True),
            nn.AdaptiveMaxPool3d((1, 2, 2)), nn.Flatten(), nn.Linear(16 * 4, num_classes))

    def forward(self, x):
        return self.net(x)


class ConvAutoencoder(nn.Module):
    """A convolutional autoencoder: strided convs down, ConvTranspose2d up, sigmoid output."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 7))
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(64, 32, 7), nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


class SqueezeExcitation(nn.Module):
    """EfficientNet's SE gate: x * sigmoid(expand(silu(reduce(mean(x))))), broadcast over H x W."""

    def __init__(self, channels, squeezed):
        super().__init__()
        self.reduce = nn.Conv2d(channels, squeezed, 1)
        self.expand = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x):
        gate = F.adaptive_avg_pool2d(x, 1)
        return x * torch.sigmoid(self.expand(F.silu(self.reduce(gate))))


class MBConv(nn.Module):
    """EfficientNet-B0's block: 1x1 expand, depthwise kxk, SE, 1x1 project, residual when shapes allow."""

    def __init__(self, inp, oup, kernel, stride, expand_ratio):
        super().__init__()
        hidden = inp * expand_ratio
        layers = []
        if expand_ratio != 1:
            layers += [nn.Conv2d(inp, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.SiLU()]
        layers += [nn.Conv2d(hidden, hidden, kernel, stride, kernel // 2, groups=hidden, bias=False),
                   nn.BatchNorm2d(hidden), nn.SiLU(), SqueezeExcitation(hidden, max(1, inp // 4)),
                   nn.Conv2d(hidden, oup, 1, bias=False), nn.BatchNorm2d(oup)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and inp == oup

    def forward(self, x):
        y = self.block(x)
        return x + y if self.residual else y


class EfficientNetB0Tiny(nn.Module):
    """An EfficientNet-B0-style net (stem, MBConv stages with SE and SiLU, head), narrowed for test speed; the
    head scales its features as x * 0.5 + 1 before pooling."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.SiLU())
        self.blocks = nn.Sequential(MBConv(16, 8, 3, 1, 1), MBConv(8, 12, 3, 2, 6), MBConv(12, 12, 3, 1, 6),
                                    MBConv(12, 20, 5, 2, 6), MBConv(20, 20, 5, 1, 6))
        self.head = nn.Sequential(nn.Conv2d(20, 64, 1, bias=False), nn.BatchNorm2d(64), nn.SiLU())
        self.classifier = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        x = x * 0.5 + 1
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class ActivationNet(nn.Module):
    """A small CNN through every activation of format version 2 (PReLU per channel and shared, Softplus, Mish,
    SELU, CELU, Hardtanh, Softsign, LogSigmoid), with a residual product and a broadcast gate."""

    def __init__(self, num_classes=6):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 12, 3, padding=1)
        self.prelu = nn.PReLU(12, init=0.2)
        self.conv2 = nn.Conv2d(12, 12, 3, padding=1, groups=3)
        self.acts = nn.Sequential(nn.Mish(), nn.SELU(), nn.CELU(0.6), nn.Hardtanh(-1.5, 2.5), nn.Softplus(2.0, 4.0))
        self.shared = nn.PReLU()
        self.fc = nn.Linear(12, num_classes)

    def forward(self, x):
        y = self.prelu(self.conv1(x))
        z = self.acts(self.conv2(y))
        gate = torch.sigmoid(F.adaptive_avg_pool2d(z, 1))
        y = self.shared(y * gate - z / (z + 1)) + F.softsign(z) + F.logsigmoid(y)
        return self.fc(torch.flatten(F.adaptive_max_pool2d(y, 1), 1))


class UNetTiny(nn.Module):
    """A U-Net: conv blocks down with max pooling, up by ConvTranspose2d and by bilinear Upsample, skip concats,
    and a 1x1 head; plus a YOLO-style neck branch (nearest upsample, concat of scales, Mish)."""

    def __init__(self, classes=3):
        super().__init__()

        def block(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                                 nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())

        self.down1, self.down2, self.bottom = block(3, 8), block(8, 16), block(16, 32)
        self.pool = nn.MaxPool2d(2)
        self.up2 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec2 = block(32, 16)
        self.up1 = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.dec1 = block(24, 8)
        self.neck = nn.Sequential(nn.Conv2d(32, 8, 1), nn.Mish())
        self.head = nn.Conv2d(16, classes, 1)

    def forward(self, x):
        d1 = self.down1(x)
        d2 = self.down2(self.pool(d1))
        b = self.bottom(self.pool(d2))
        u2 = self.dec2(torch.cat([self.up2(b), d2], 1))
        u1 = self.dec1(torch.cat([self.up1(u2), d1], 1))
        neck = F.interpolate(self.neck(b), scale_factor=4, mode="nearest")
        return self.head(torch.cat([u1, neck], 1))


class ESPCN(nn.Module):
    """An ESPCN-style super-resolution net on the luma channel: convolutions with PReLU (per channel and shared), a
    sub-pixel PixelShuffle(3) output, plus a bicubic-upsampled skip and a PixelUnshuffle / PixelShuffle branch."""

    def __init__(self, upscale=3):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.PReLU(32), nn.Conv2d(32, 16, 3, padding=1),
                                  nn.PReLU(), nn.Conv2d(16, upscale * upscale, 3, padding=1))
        self.shuffle = nn.PixelShuffle(upscale)
        self.branch = nn.Sequential(nn.PixelUnshuffle(2), nn.Conv2d(4, 4, 3, padding=1), nn.PReLU(4),
                                    nn.PixelShuffle(2))
        self.upscale = upscale

    def forward(self, x):
        skip = F.interpolate(self.branch(x), scale_factor=self.upscale, mode="bicubic", align_corners=False)
        return self.shuffle(self.body(x)) + skip


class NormNet(nn.Module):
    """A small CNN through each normalization by the sample's own statistics: GroupNorm, InstanceNorm2d (affine)
    and plain, LayerNorm over the last two dims and over the last one (without bias), with GELU and a residual.
    (torch.onnx.export cannot write an InstanceNorm1d after a flatten with a free batch size: python/tests has it.)"""

    def __init__(self, num_classes=5):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.gn = nn.GroupNorm(4, 16)
        self.inorm = nn.InstanceNorm2d(16, affine=True)
        self.conv2 = nn.Conv2d(16, 8, 3, stride=2, padding=1)
        self.ln = nn.LayerNorm([10, 8], eps=1e-6)
        self.ln_last = nn.LayerNorm(8, bias=False)
        self.plain = nn.InstanceNorm2d(8)
        self.fc = nn.Linear(8, num_classes)
        g = torch.Generator().manual_seed(3)
        with torch.no_grad():
            for m in (self.gn, self.inorm, self.ln, self.ln_last):
                m.weight.uniform_(0.5, 1.5, generator=g)
                if m.bias is not None:
                    m.bias.uniform_(-0.5, 0.5, generator=g)

    def forward(self, x):
        y = F.gelu(self.gn(self.conv1(x)))
        y = self.inorm(y) + y
        y = self.ln_last(self.ln(self.conv2(y)))
        y = torch.tanh(F.pad(self.plain(y), (1, 2, 0, 1), mode="replicate"))  # a pad no conv absorbs
        return self.fc(F.pad(y, (1, 1, 1, 1), value=0.5).mean((2, 3)))


class ConvNeXtBlock(nn.Module):
    """ConvNeXt's block: depthwise 7x7, then channels-last (permute) LayerNorm, Linear 4x, GELU, Linear, a
    per-channel layer-scale parameter, permute back, residual."""

    def __init__(self, dim):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(torch.rand(dim) * 0.5 + 0.25)

    def forward(self, x):
        y = self.dwconv(x).permute(0, 2, 3, 1)
        y = self.pwconv2(self.act(self.pwconv1(self.norm(y))))
        y = self.gamma * y
        return x + y.permute(0, 3, 1, 2)


class ConvNeXtTiny(nn.Module):
    """A ConvNeXt-style net, narrowed: patchify stem with GroupNorm(1, C) (ConvNeXt's channels-first LayerNorm
    normalizes each position over the channels only; GroupNorm(1) over channels and positions, as in ConvNeXt-V2's
    ports), blocks, a GroupNorm + strided conv downsample, global pooling, LayerNorm and a linear head."""

    def __init__(self, num_classes=7):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 4, stride=4), nn.GroupNorm(1, 16))
        self.stage1 = nn.Sequential(ConvNeXtBlock(16), ConvNeXtBlock(16))
        self.down = nn.Sequential(nn.GroupNorm(1, 16), nn.Conv2d(16, 32, 2, stride=2))
        self.stage2 = ConvNeXtBlock(32)
        self.norm = nn.LayerNorm(32, eps=1e-6)
        self.head = nn.Linear(32, num_classes)

    def forward(self, x):
        x = self.stage2(self.down(self.stage1(self.stem(x))))
        return self.head(self.norm(x.mean((2, 3))))


def channel_shuffle(x, groups):
    batchsize, num_channels, height, width = x.size()
    x = x.view(batchsize, groups, num_channels // groups, height, width)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(batchsize, -1, height, width)


class ShuffleUnit(nn.Module):
    """torchvision's ShuffleNetV2 InvertedResidual: split the channels in two (chunk), transform one half, concat,
    channel shuffle (view / transpose / view); with stride 2 both branches see the whole input."""

    def __init__(self, inp, oup, stride):
        super().__init__()
        self.stride = stride
        features = oup // 2
        if stride > 1:
            self.branch1 = nn.Sequential(
                nn.Conv2d(inp, inp, 3, stride, 1, groups=inp, bias=False), nn.BatchNorm2d(inp),
                nn.Conv2d(inp, features, 1, bias=False), nn.BatchNorm2d(features), nn.ReLU(inplace=True))
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if stride > 1 else features, features, 1, bias=False), nn.BatchNorm2d(features),
            nn.ReLU(inplace=True),
            nn.Conv2d(features, features, 3, stride, 1, groups=features, bias=False), nn.BatchNorm2d(features),
            nn.Conv2d(features, features, 1, bias=False), nn.BatchNorm2d(features), nn.ReLU(inplace=True))

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)
            out = torch.cat((x1, self.branch2(x2)), dim=1)
        else:
            out = torch.cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)


class ShuffleNetV2Tiny(nn.Module):
    """A ShuffleNetV2-style net, narrowed: stem conv + max pool, stages of shuffle units, 1x1 conv, global pooling."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(3, 12, 3, 2, 1, bias=False), nn.BatchNorm2d(12), nn.ReLU(inplace=True))
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.stage2 = nn.Sequential(ShuffleUnit(12, 24, 2), ShuffleUnit(24, 24, 1), ShuffleUnit(24, 24, 1))
        self.stage3 = nn.Sequential(ShuffleUnit(24, 48, 2), ShuffleUnit(48, 48, 1))
        self.conv5 = nn.Sequential(nn.Conv2d(48, 64, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True))
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        x = self.conv5(self.stage3(self.stage2(self.maxpool(self.conv1(x)))))
        return self.fc(x.mean([2, 3]))


class Mixer(nn.Module):
    """Holds a parameter used as a matmul operand (the format names it by this module's path)."""

    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n, n) / n ** 0.5)


class ReductionAttentionNet(nn.Module):
    """Reductions, matrix products and squeeze / unsqueeze on computed tensors: a CBAM-style spatial gate (mean and
    amax over the channels, keepdim), channel self-attention (bmm of a tensor with its transpose, matmul with the
    softmax), sum and amin over a dim, unsqueeze, a product with a module's own parameter, squeeze, a Linear head."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.spatial = nn.Conv2d(2, 1, 7, padding=3)
        self.mix = Mixer(8)
        self.head = nn.Linear(8, 5)

    def forward(self, x):
        x = F.relu(self.conv(x))
        gate = torch.sigmoid(self.spatial(torch.cat([torch.mean(x, dim=1, keepdim=True),
                                                     torch.amax(x, dim=1, keepdim=True)], dim=1)))
        x = x * gate
        t = x.flatten(2)
        attn = torch.softmax(torch.bmm(t, t.transpose(1, 2)) * 0.05, dim=-1)
        t = torch.matmul(attn, t) + t
        s = t.sum(dim=-1) * 0.01 + torch.amin(t, dim=2) + t.mean(-1)
        s = torch.unsqueeze(s, 1)
        s = (s @ self.mix.weight).squeeze(1)
        return self.head(s)


def _conv_bn_mish(cin, cout, k=3, s=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, bias=False), nn.BatchNorm2d(cout), nn.Mish())


class YoloNeckTiny(nn.Module):
    """A YOLO-style detector, narrowed: a strided backbone (Conv-BN-Mish) giving three scales, a PAN-style neck
    (nearest 2x upsampling, concat of scales, a strided conv back down, concat again), 1x1 heads per scale whose
    outputs are flattened and concatenated along the anchor dim, as YOLOv4/v5 assemble their predictions."""

    def __init__(self, outputs=7):
        super().__init__()
        self.stem = _conv_bn_mish(3, 8, s=2)
        self.c3 = _conv_bn_mish(8, 16, s=2)
        self.c4 = _conv_bn_mish(16, 24, s=2)
        self.c5 = _conv_bn_mish(24, 32, s=2)
        self.lateral5 = _conv_bn_mish(32, 16, k=1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.td4 = _conv_bn_mish(16 + 24, 16)
        self.lateral4 = _conv_bn_mish(16, 8, k=1)
        self.td3 = _conv_bn_mish(8 + 16, 8)
        self.down3 = _conv_bn_mish(8, 8, s=2)
        self.bu4 = _conv_bn_mish(8 + 8, 16)
        self.down4 = _conv_bn_mish(16, 16, s=2)
        self.bu5 = _conv_bn_mish(16 + 16, 32)
        self.heads = nn.ModuleList([nn.Conv2d(c, outputs, 1) for c in (8, 16, 32)])

    def forward(self, x):
        p3 = self.c3(self.stem(x))
        p4 = self.c4(p3)
        p5 = self.c5(p4)
        l5 = self.lateral5(p5)
        t4 = self.td4(torch.cat([self.up(l5), p4], dim=1))
        l4 = self.lateral4(t4)
        n3 = self.td3(torch.cat([F.interpolate(l4, scale_factor=2.0, mode="nearest"), p3], dim=1))
        n4 = self.bu4(torch.cat([self.down3(n3), l4], dim=1))
        n5 = self.bu5(torch.cat([self.down4(n4), l5], dim=1))
        return torch.cat([head(f).flatten(2) for head, f in zip(self.heads, (n3, n4, n5))], dim=2)


def _conv_bn_relu(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class SegNetTiny(nn.Module):
    """A SegNet-style encoder/decoder, narrowed: Conv-BN-ReLU blocks down with MaxPool2d(return_indices=True), up with
    MaxUnpool2d at the encoder's argmax positions (output_size=the pooled tensor's size where pooling floored), a
    1x1 classifier."""

    def __init__(self, classes=4):
        super().__init__()
        self.enc1 = _conv_bn_relu(3, 8)
        self.pool1 = nn.MaxPool2d(2, return_indices=True)
        self.enc2 = _conv_bn_relu(8, 16)
        self.pool2 = nn.MaxPool2d(2, 2, return_indices=True)
        self.unpool2 = nn.MaxUnpool2d(2)
        self.dec2 = _conv_bn_relu(16, 8)
        self.unpool1 = nn.MaxUnpool2d(2, 2)
        self.dec1 = _conv_bn_relu(8, 8)
        self.classifier = nn.Conv2d(8, classes, 1)

    def forward(self, x):
        x = self.enc1(x)
        x, i1 = self.pool1(x)
        e2 = self.enc2(x)
        x, i2 = self.pool2(e2)
        x = self.unpool2(x, i2, output_size=e2.size())
        x = self.dec2(x)
        x = self.unpool1(x, i1)
        return self.classifier(self.dec1(x))


def build(name: str) -> nn.Module:
    builder, _ = REFERENCE_MODELS[name]
    torch.manual_seed(0)
    return _randomize_batchnorm(builder(), seed=1)


REFERENCE_MODELS = {
    "lenet5": (LeNet5, (1, 28, 28)),
    "alexnet": (AlexNet, (3, 224, 224)),
    "vgg11_bn": (VGG11BN, (3, 224, 224)),
    "resnet18": (ResNet18, (3, 224, 224)),
    "mobilenet_v2": (MobileNetV2, (3, 224, 224)),
    "squeezenet1_1": (SqueezeNet11, (3, 224, 224)),
    "timeseries_cnn1d": (TimeSeriesCNN, (6, 128)),
    "small_cnn3d": (Small3DCNN, (1, 8, 32, 32)),
    "conv_autoencoder": (ConvAutoencoder, (1, 28, 28)),
    "efficientnet_b0_tiny": (EfficientNetB0Tiny, (3, 64, 64)),
    "activation_net": (ActivationNet, (3, 20, 16)),
    "unet_tiny": (UNetTiny, (3, 32, 24)),
    "espcn": (ESPCN, (1, 24, 20)),
    "norm_net": (NormNet, (3, 20, 16)),
    "convnext_tiny": (ConvNeXtTiny, (3, 32, 40)),
    "shufflenet_v2_tiny": (ShuffleNetV2Tiny, (3, 64, 48)),
    "reduction_attention_net": (ReductionAttentionNet, (3, 12, 10)),
    "yolo_neck_tiny": (YoloNeckTiny, (3, 64, 48)),
}
