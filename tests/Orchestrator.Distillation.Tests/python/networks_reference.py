"""Reference networks for the C# Networks tests, in plain torch, following the module structure of the DC/DSA code
(networks.py: ConvNet, ResNet, ResNet_AP, AlexNet, AlexNetBN, VGG) and of the DiM code (gan_model.py: Generator,
Discriminator), so that parameter names, shapes and order are theirs.

Generalized in one way: where the DC code keys the 28-pixel adjustments on `channel == 1` (MNIST), these key them on
the image size, so a 28-pixel input of any channel count works.

Usage: networks_reference.py input.safetensors output.safetensors
  input metadata 'networks': JSON list of {id, kind, name, channels, image_size, classes, seed, gan?}
  input metadata 'cases':    JSON list of {id, network, train}
  input tensors: '<network>/state/<key>' (the C# state dict), '<network>/x' (images or noise), '<network>/labels'
  Everything runs in float32 on torch's own kernels, as the C# side does for this comparison (it switches its
  conv_transpose2d to libtorch's kernel), so both sides take the same ReLU branches: an input gradient through a
  200-channel ReLU network moves by ~1e-3 relative when one pre-activation within rounding of zero flips.
  output tensors per case: '<case>/logits', '/embedding', '/feature/<stage>', '/image', '/score', '/class_logits',
    '/input_grad', '/buffer/<name>' (buffers after the forward pass)
  output metadata per network: '<network>' -> JSON {parameters, buffers, parameter_count, init_max_abs_diff}
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import st


def norm_layer(kind, channels):
    if kind == "instancenorm":
        return nn.GroupNorm(channels, channels, affine=True)
    if kind == "batchnorm":
        return nn.BatchNorm2d(channels)
    return None


def run_staged(sequential, stage_ends, x):
    """Runs a Sequential, collecting the output of each layer index listed in stage_ends."""
    features = {}
    for i, layer in enumerate(sequential):
        x = layer(x)
        if i in stage_ends:
            features[stage_ends[i]] = x
    return x, features


# ---- DC networks.py ----

class ConvNet(nn.Module):
    def __init__(self, channel, num_classes, im_size, net_width=128, net_depth=3, net_norm="instancenorm"):
        super().__init__()
        layers, stage_ends = [], {}
        in_channels = channel
        shape = [channel, 32, 32]  # the DC code treats 28 as 32: the first conv pads by 3
        for d in range(net_depth):
            layers += [nn.Conv2d(in_channels, net_width, kernel_size=3, padding=3 if im_size == 28 and d == 0 else 1)]
            shape[0] = net_width
            if net_norm != "none":
                layers += [norm_layer(net_norm, net_width)]
            layers += [nn.ReLU(inplace=True), nn.AvgPool2d(kernel_size=2, stride=2)]
            shape[1] //= 2
            shape[2] //= 2
            stage_ends[len(layers) - 1] = "block%d" % (d + 1)
            in_channels = net_width
        self.features = nn.Sequential(*layers)
        self.stage_ends = stage_ends
        self.classifier = nn.Linear(shape[0] * shape[1] * shape[2], num_classes)

    def forward(self, x):
        out, features = run_staged(self.features, self.stage_ends, x)
        embedding = out.view(out.size(0), -1)
        return self.classifier(embedding), embedding, features


class BasicBlock(nn.Module):
    """BasicBlock and BasicBlock_AP of the DC code (ap: stride-1 convs, 2x2 average pooling where stride is 2)."""
    expansion = 1

    def __init__(self, in_planes, planes, stride, norm, ap):
        super().__init__()
        self.pool = ap and stride != 1
        conv_stride = 1 if ap else stride
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=conv_stride, padding=1, bias=False)
        self.bn1 = norm_layer(norm, planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = norm_layer(norm, planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            shortcut = [nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=conv_stride, bias=False)]
            if ap:
                shortcut += [nn.AvgPool2d(kernel_size=2, stride=2)]
            shortcut += [norm_layer(norm, self.expansion * planes)]
            self.shortcut = nn.Sequential(*shortcut)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        if self.pool:
            out = F.avg_pool2d(out, kernel_size=2, stride=2)
        out = self.bn2(self.conv2(out))
        out = out + self.shortcut(x)
        return F.relu(out)


class ResNet(nn.Module):
    """ResNet and ResNet_AP of the DC code."""

    def __init__(self, num_blocks, channel, num_classes, im_size, norm="instancenorm", ap=False):
        super().__init__()
        self.in_planes = 64
        self.ap = ap
        self.conv1 = nn.Conv2d(channel, 64, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = norm_layer(norm, 64)
        self.layer1 = self._make_layer(64, num_blocks[0], 1, norm)
        self.layer2 = self._make_layer(128, num_blocks[1], 2, norm)
        self.layer3 = self._make_layer(256, num_blocks[2], 2, norm)
        self.layer4 = self._make_layer(512, num_blocks[3], 2, norm)
        if ap:
            self.classifier = nn.Linear(512 * 3 * 3 if im_size == 28 else 512 * 4 * 4, num_classes)
        else:
            self.classifier = nn.Linear(512, num_classes)

    def _make_layer(self, planes, num_blocks, stride, norm):
        layers = []
        for s in [stride] + [1] * (num_blocks - 1):
            layers.append(BasicBlock(self.in_planes, planes, s, norm, self.ap))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        features = {}
        out = F.relu(self.bn1(self.conv1(x)))
        features["stem"] = out
        for k in range(1, 5):
            out = getattr(self, "layer%d" % k)(out)
            features["layer%d" % k] = out
        out = F.avg_pool2d(out, kernel_size=1, stride=1) if self.ap else F.avg_pool2d(out, 4)
        embedding = out.view(out.size(0), -1)
        return self.classifier(embedding), embedding, features


class AlexNet(nn.Module):
    """AlexNet and AlexNetBN of the DC code."""

    def __init__(self, channel, num_classes, im_size, bn=False):
        super().__init__()
        spec = [(128, 5, 4 if im_size == 28 else 2, True), (192, 5, 2, True), (256, 3, 1, False),
                (192, 3, 1, False), (192, 3, 1, True)]
        layers, stage_ends = [], {}
        in_channels = channel
        for out_channels, kernel, padding, pool in spec:
            layers += [nn.Conv2d(in_channels, out_channels, kernel_size=kernel, stride=1, padding=padding)]
            if bn:
                layers += [nn.BatchNorm2d(out_channels)]
            layers += [nn.ReLU(inplace=True)]
            if pool:
                layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
                stage_ends[len(layers) - 1] = "block%d" % (len(stage_ends) + 1)
            in_channels = out_channels
        self.features = nn.Sequential(*layers)
        self.stage_ends = stage_ends
        self.fc = nn.Linear(192 * 4 * 4, num_classes)

    def forward(self, x):
        out, features = run_staged(self.features, self.stage_ends, x)
        embedding = out.view(out.size(0), -1)
        return self.fc(embedding), embedding, features


class VGG11(nn.Module):
    """VGG('VGG11') of the DC code, instancenorm or batchnorm."""
    cfg = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]

    def __init__(self, channel, num_classes, im_size, norm="instancenorm"):
        super().__init__()
        layers, stage_ends = [], {}
        in_channels = channel
        for ic, x in enumerate(self.cfg):
            if x == "M":
                layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
                stage_ends[len(layers) - 1] = "block%d" % (len(stage_ends) + 1)
            else:
                layers += [nn.Conv2d(in_channels, x, kernel_size=3, padding=3 if im_size == 28 and ic == 0 else 1),
                           nn.GroupNorm(x, x, affine=True) if norm == "instancenorm" else nn.BatchNorm2d(x),
                           nn.ReLU(inplace=True)]
                in_channels = x
        layers += [nn.AvgPool2d(kernel_size=1, stride=1)]
        self.features = nn.Sequential(*layers)
        self.stage_ends = stage_ends
        self.classifier = nn.Linear(512, num_classes)

    def forward(self, x):
        out, features = run_staged(self.features, self.stage_ends, x)
        embedding = out.view(out.size(0), -1)
        return self.classifier(embedding), embedding, features


# The DC code's get_network names (plus ResNet-10 and its variants, as the DiM pool uses them).
CLASSIFIERS = {
    "ConvNet": lambda c, k, s: ConvNet(c, k, s),
    "ConvNetD1": lambda c, k, s: ConvNet(c, k, s, net_depth=1),
    "ConvNetD2": lambda c, k, s: ConvNet(c, k, s, net_depth=2),
    "ConvNetD4": lambda c, k, s: ConvNet(c, k, s, net_depth=4),
    "ConvNetW32": lambda c, k, s: ConvNet(c, k, s, net_width=32),
    "ConvNetW64": lambda c, k, s: ConvNet(c, k, s, net_width=64),
    "ConvNetW256": lambda c, k, s: ConvNet(c, k, s, net_width=256),
    "ConvNetBN": lambda c, k, s: ConvNet(c, k, s, net_norm="batchnorm"),
    "ConvNetNN": lambda c, k, s: ConvNet(c, k, s, net_norm="none"),
    "ResNet10": lambda c, k, s: ResNet([1, 1, 1, 1], c, k, s),
    "ResNet18": lambda c, k, s: ResNet([2, 2, 2, 2], c, k, s),
    "ResNet10BN": lambda c, k, s: ResNet([1, 1, 1, 1], c, k, s, norm="batchnorm"),
    "ResNet18BN": lambda c, k, s: ResNet([2, 2, 2, 2], c, k, s, norm="batchnorm"),
    "ResNet10AP": lambda c, k, s: ResNet([1, 1, 1, 1], c, k, s, ap=True),
    "ResNet18AP": lambda c, k, s: ResNet([2, 2, 2, 2], c, k, s, ap=True),
    "ResNet10BN_AP": lambda c, k, s: ResNet([1, 1, 1, 1], c, k, s, norm="batchnorm", ap=True),
    "ResNet18BN_AP": lambda c, k, s: ResNet([2, 2, 2, 2], c, k, s, norm="batchnorm", ap=True),
    "AlexNet": lambda c, k, s: AlexNet(c, k, s),
    "AlexNetBN": lambda c, k, s: AlexNet(c, k, s, bn=True),
    "VGG11": lambda c, k, s: VGG11(c, k, s),
    "VGG11BN": lambda c, k, s: VGG11(c, k, s, norm="batchnorm"),
}


# ---- DiM gan_model.py ----

class Generator(nn.Module):
    def __init__(self, channels, im_size, num_classes, width=196, dim_noise=100, concat=False):
        super().__init__()
        w = self.width = width
        self.fc1 = nn.Linear(dim_noise + (num_classes if concat else 0), w * 4 * 4)
        self.bn0 = nn.BatchNorm1d(w * 4 * 4)
        self.conv1 = nn.ConvTranspose2d(w, w, kernel_size=3 if im_size == 28 else 4, stride=2, padding=1)
        self.bn1 = nn.BatchNorm2d(w)
        self.conv2 = nn.Conv2d(w, w, kernel_size=3, stride=1, padding=1)
        self.bn2 = nn.BatchNorm2d(w)
        self.conv3 = nn.Conv2d(w, w, kernel_size=3, stride=1, padding=1)
        self.bn3 = nn.BatchNorm2d(w)
        self.conv4 = nn.Conv2d(w, w, kernel_size=3, stride=1, padding=1)
        self.bn4 = nn.BatchNorm2d(w)
        self.conv5 = nn.ConvTranspose2d(w, w, kernel_size=4, stride=2, padding=1)
        self.bn5 = nn.BatchNorm2d(w)
        self.conv6 = nn.Conv2d(w, w, kernel_size=3, stride=1, padding=1)
        self.bn6 = nn.BatchNorm2d(w)
        self.conv7 = nn.ConvTranspose2d(w, w, kernel_size=4, stride=2, padding=1)
        self.bn7 = nn.BatchNorm2d(w)
        self.conv8 = nn.Conv2d(w, channels, kernel_size=3, stride=1, padding=1)  # no bn and relu after conv8

    def forward(self, x):
        x = F.relu(self.bn0(self.fc1(x))).view(-1, self.width, 4, 4)
        for k in range(1, 8):
            x = F.relu(getattr(self, "bn%d" % k)(getattr(self, "conv%d" % k)(x)))
        return torch.tanh(self.conv8(x))


class Discriminator(nn.Module):
    def __init__(self, channels, im_size, num_classes, width=196, slope=0.01):
        super().__init__()
        w, s = width, im_size
        strides = [1, 2, 1, 2, 1, 1, 1, 2]
        sides = [s, s // 2, s // 2, s // 4, s // 4, s // 4, s // 4, 4]
        self.slope = slope
        in_channels = channels
        for k in range(8):
            setattr(self, "conv%d" % (k + 1), nn.Conv2d(in_channels, w, kernel_size=3, stride=strides[k], padding=1))
            setattr(self, "ln%d" % (k + 1), nn.LayerNorm(normalized_shape=[w, sides[k], sides[k]]))
            in_channels = w
        self.pool = nn.MaxPool2d(kernel_size=4, stride=4, padding=0)
        self.src = nn.Linear(w, 1)
        self.cls = nn.Linear(w, num_classes)

    def forward(self, x):
        for k in range(1, 9):
            x = F.leaky_relu(getattr(self, "ln%d" % k)(getattr(self, "conv%d" % k)(x)), self.slope)
        x = self.pool(x).view(x.size(0), -1)
        return self.src(x), self.cls(x)


def build(network):
    c, s, k = network["channels"], network["image_size"], network["classes"]
    kind = network["kind"]
    if kind == "classifier":
        return CLASSIFIERS[network["name"]](c, k, s)
    gan = network["gan"]
    if kind == "generator":
        return Generator(c, s, k, gan["width"], gan["noise_size"], gan["conditioning"] == "Concatenate")
    return Discriminator(c, s, k, gan["width"], gan["critic_slope"])


def condition(network, z, labels):
    """The DiM code's label conditioning (one-hot over the first entries of z), or concatenation."""
    k = network["classes"]
    one_hot = torch.zeros((z.shape[0], k), dtype=z.dtype)
    one_hot[torch.arange(z.shape[0]), labels] = 1
    if network["gan"]["conditioning"] == "Concatenate":
        return torch.cat([z, one_hot], 1)
    noise = z.clone()
    noise[torch.arange(z.shape[0]), :k] = one_hot[torch.arange(z.shape[0])]
    return noise


def describe(network, state):
    torch.manual_seed(network["seed"])
    model = build(network)
    default_init = model.state_dict()
    diff = max(((default_init[key].double() - value.double()).abs().max().item() for key, value in state.items()
                if value.is_floating_point() and value.numel() > 0), default=0.0)
    return {
        "parameters": [[n, list(p.shape)] for n, p in model.named_parameters()],
        "buffers": [[n, list(b.shape)] for n, b in model.named_buffers()],
        "parameter_count": sum(p.numel() for p in model.parameters()),
        "init_max_abs_diff": diff,
    }


def run_case(case, network, model, tensors, out):
    prefix = case["id"] + "/"
    x = tensors[network["id"] + "/x"].clone()
    x.requires_grad_(True)
    kind = network["kind"]
    if kind == "generator":
        image = model(condition(network, x, tensors[network["id"] + "/labels"]))
        out[prefix + "image"] = image
        loss = image.square().sum()
    elif kind == "discriminator":
        score, class_logits = model(x)
        out[prefix + "score"], out[prefix + "class_logits"] = score, class_logits
        loss = score.sum() + class_logits.square().sum()
    else:
        logits, embedding, features = model(x)
        out[prefix + "logits"], out[prefix + "embedding"] = logits, embedding
        for stage, f in features.items():
            out[prefix + "feature/" + stage] = f
        loss = logits.square().sum()
    out[prefix + "input_grad"] = torch.autograd.grad(loss, x)[0]
    for name, b in model.named_buffers():
        out[prefix + "buffer/" + name] = b


def state_of(network, tensors):
    prefix = network["id"] + "/state/"
    return {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}


def main(input_path, output_path):
    torch.set_num_threads(1)
    tensors, meta = st.load(input_path)
    networks = {n["id"]: n for n in json.loads(meta["networks"])}
    out, info = {}, {}
    for network in networks.values():
        info[network["id"]] = json.dumps(describe(network, state_of(network, tensors)))
    for case in json.loads(meta["cases"]):
        network = networks[case["network"]]
        model = build(network)
        model.load_state_dict(state_of(network, tensors), strict=True)
        model.train(case["train"])
        run_case(case, network, model, tensors, out)
    st.save(output_path, {k: v.detach() for k, v in out.items()}, info)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
