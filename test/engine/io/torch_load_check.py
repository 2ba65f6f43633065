# Loads an exported .safetensors into a PyTorch ViT laid out like DINO's vision_transformer.py (and DINOHead) with strict=True, runs a forward, prints JSON.
# Usage: torch_load_check.py WEIGHTS INPUT_F32 N H W
import json
import math
import sys

import numpy as np
import torch
import torch.nn as nn


def read_safetensors(path):
    """Parse the file by hand (the `safetensors` package may be absent): 8-byte header length, JSON header, raw data."""
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", (name, entry["dtype"])
        a, b = entry["data_offsets"]
        arr = np.frombuffer(raw[base + a : base + b], dtype="<f4").reshape(entry["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


class PatchEmbed(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.patch_size = patch
        self.proj = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c)), attn


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, 4 * dim)

    def forward(self, x):
        y, attn = self.attn(self.norm1(x))
        x = x + y
        return x + self.mlp(self.norm2(x)), attn


class VisionTransformer(nn.Module):
    """Module names and shapes of vision_transformer.VisionTransformer(num_classes=0)."""

    def __init__(self, patch, dim, depth, heads, img_size=224):
        super().__init__()
        self.patch_embed = PatchEmbed(patch, dim)
        n = (img_size // patch) ** 2
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, n + 1, dim))
        self.blocks = nn.ModuleList([Block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Identity()

    def pos_for(self, x, w, h):
        npatch = x.shape[1] - 1
        n = self.pos_embed.shape[1] - 1
        if npatch == n and w == h:
            return self.pos_embed
        cls_pos = self.pos_embed[:, 0]
        grid = self.pos_embed[:, 1:]
        dim = x.shape[-1]
        p = self.patch_embed.patch_size
        # The official code adds 0.1 to the target grid and calls interpolate with a scale factor.
        w0, h0 = w // p + 0.1, h // p + 0.1
        side = int(math.sqrt(n))
        grid = nn.functional.interpolate(
            grid.reshape(1, side, side, dim).permute(0, 3, 1, 2),
            scale_factor=(w0 / math.sqrt(n), h0 / math.sqrt(n)),
            mode="bicubic",
        )
        grid = grid.permute(0, 2, 3, 1).reshape(1, -1, dim)
        return torch.cat((cls_pos.unsqueeze(0), grid), dim=1)

    def forward(self, x):
        b, _, w, h = x.shape
        t = self.patch_embed(x)
        t = torch.cat((self.cls_token.expand(b, -1, -1), t), dim=1)
        t = t + self.pos_for(t, w, h)
        attn = None
        for blk in self.blocks:
            t, attn = blk(t)
        return self.norm(t)[:, 0], attn[:, :, 0, 1:]


class DINOHead(nn.Module):
    def __init__(self, in_dim, out_dim, hidden, bottleneck):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(in_dim, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, bottleneck))
        self.last_layer = nn.utils.weight_norm(nn.Linear(bottleneck, out_dim, bias=False))

    def forward(self, x):
        return self.last_layer(nn.functional.normalize(self.mlp(x), dim=-1, p=2))


class MultiCropWrapper(nn.Module):
    def __init__(self, backbone, head):
        super().__init__()
        self.backbone = backbone
        self.head = head


def main():
    weights, input_path, n, h, w = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    sd = read_safetensors(weights)
    wrapped = any(k.startswith("backbone.") for k in sd)
    bb = {k[len("backbone."):]: v for k, v in sd.items() if k.startswith("backbone.")} if wrapped else sd
    dim, _, patch, _ = bb["patch_embed.proj.weight"].shape
    depth = len({k.split(".")[1] for k in bb if k.startswith("blocks.")})
    heads = {192: 3, 384: 6, 768: 12}[dim]
    grid = int(round(math.sqrt(bb["pos_embed"].shape[1] - 1)))
    vit = VisionTransformer(patch, dim, depth, heads, img_size=grid * patch)
    if wrapped:
        head = DINOHead(dim, sd["head.last_layer.weight_v"].shape[0], sd["head.mlp.0.weight"].shape[0], sd["head.mlp.4.weight"].shape[0])
        model = MultiCropWrapper(vit, head)
    else:
        model = vit
    result = model.load_state_dict(sd, strict=True)
    x = torch.from_numpy(np.fromfile(input_path, dtype="<f4").reshape(n, 3, h, w).copy())
    with torch.no_grad():
        cls, attn = vit(x)
        out = {"cls": cls.flatten().tolist(), "attention": attn.flatten().tolist(), "missing": list(result.missing_keys), "unexpected": list(result.unexpected_keys)}
        if wrapped:
            out["logits"] = model.head(cls).flatten().tolist()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
