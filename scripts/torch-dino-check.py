#!/usr/bin/python3
# An independent DINO trainer in PyTorch (from the official code, no code shared with the app): does a setting learn on a dataset, and does the app train as PyTorch does?
"""An independent DINO trainer in PyTorch, for checking whether a setting learns on a dataset (docs/learning.md).

Written from the official DINO code (main_dino.py, vision_transformer.py, utils.py, eval_knn.py) and torchvision,
sharing no code with the app: if this learns where the app does not, the app has a bug; if neither learns, the
setting or the data is the cause. Defaults are the app's `cpu-small` preset (ViT-Tiny/16 of depth 2, 64/32 px,
2 local crops, batch 16, K 1024, head 512/128, teacher temperature 0.02, lr 0.008 at batch 256, 10 warmup epochs,
100 epochs, teacher momentum 0.996, no drop path). Needs Debian's python3-torch and python3-torchvision.

Usage: /usr/bin/python3 scripts/torch-dino-check.py --data DIR (with train/ and val/, class subfolders)
         [--steps N | --minutes M] [--seed S] [--knn-every 50] [--threads 1] [setting flags: see --help]
       [--views DUMP (the app's own batches, from scripts/dump-views.ts)] [--init CHECKPOINT_DIR (an app checkpoint)]
       [--save-at 20,40 --save-dir DIR (student and teacher under the official names, to compare with the app's checkpoints)]
The model's positions are vit_tiny's (img_size 224: 14 x 14, interpolated to every crop size) unless --img-size says otherwise.
Prints one JSON line: the k-NN top-1 curve of the teacher on val (k 20, T 0.07, eval_knn.py's resize + centre crop)
at step 0 and every --knn-every steps, the teacher's entropies, seconds per step, and the settings.
"""
import argparse, json, math, os, random, time
from collections import OrderedDict
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageFilter, ImageOps
from torchvision import transforms as T

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--data', required=True)
ap.add_argument('--steps', type=int, default=0, help='stop after this many updates (default: the whole schedule)')
ap.add_argument('--minutes', type=float, default=0, help='stop after this much training time')
ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--knn-every', type=int, default=50)
ap.add_argument('--views', default='', help="train on the app's own batches written by scripts/dump-views.ts into this folder (instead of torchvision's views)")
ap.add_argument('--init', default='', help="start from an app checkpoint folder (student.safetensors, teacher.safetensors, center.safetensors)")
ap.add_argument('--save-at', default='', help='comma-separated steps at which to write the teacher to --save-dir/teacher-STEP.safetensors')
ap.add_argument('--save-dir', default='')
ap.add_argument('--source-side', type=int, default=0, help='pre-resize every image so its short side is at most this (0: as is)')
pair = lambda s: tuple(float(v) for v in s.split(','))
for name, kind, default in [
    ('img-size', int, 224), ('embed', int, 192), ('depth', int, 2), ('heads', int, 3), ('patch', int, 16), ('drop-path', float, 0.0),
    ('global-size', int, 64), ('local-size', int, 32), ('locals', int, 2), ('batch', int, 16),
    ('out-dim', int, 1024), ('hidden', int, 512), ('bottleneck', int, 128),
    ('lr', float, 0.008), ('min-lr', float, 1e-6), ('epochs', int, 100), ('warmup-epochs', int, 10),
    ('weight-decay', float, 0.04), ('weight-decay-end', float, 0.4), ('clip-grad', float, 3.0), ('freeze-last-layer', int, 1),
    ('student-temp', float, 0.1), ('teacher-temp', float, 0.02), ('warmup-teacher-temp', float, 0.02),
    ('warmup-teacher-temp-epochs', int, 0), ('center-momentum', float, 0.9), ('momentum-teacher', float, 0.996),
    ('brightness', float, 0.4), ('contrast', float, 0.4), ('saturation', float, 0.2), ('hue', float, 0.1),
    ('jitter-prob', float, 0.8), ('grayscale-prob', float, 0.2)]:
    ap.add_argument('--' + name, type=kind, default=default)
ap.add_argument('--global-scale', type=pair, default=(0.4, 1.0))
ap.add_argument('--local-scale', type=pair, default=(0.05, 0.4))
ap.add_argument('--blur-sigma', type=pair, default=(0.1, 2.0))
ap.add_argument('--no-norm-last-layer', action='store_true')
a = ap.parse_args()
torch.set_num_threads(a.threads)
random.seed(a.seed); torch.manual_seed(a.seed)

MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
EXTS = {'.jpg', '.jpeg', '.png', '.bmp', '.webp'}


def load_split(root):
    classes = sorted(d.name for d in Path(root).iterdir() if d.is_dir())
    items = []
    for ci, c in enumerate(classes):
        for f in sorted((Path(root) / c).iterdir()):
            if f.suffix.lower() not in EXTS:
                continue
            im = Image.open(f).convert('RGB')
            if a.source_side and min(im.size) > a.source_side:
                s = a.source_side / min(im.size)
                im = im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))), Image.BICUBIC)
            items.append((im, ci))
    return classes, items


classes, train = load_split(Path(a.data) / 'train')
_, val = load_split(Path(a.data) / 'val')


class Blur:  # DINO utils.GaussianBlur: PIL's blur with a radius uniform in the sigma range, with probability p
    def __init__(self, p): self.p = p
    def __call__(self, im):
        return im.filter(ImageFilter.GaussianBlur(radius=random.uniform(*a.blur_sigma))) if random.random() < self.p else im


class Solarize:
    def __init__(self, p): self.p = p
    def __call__(self, im): return ImageOps.solarize(im) if random.random() < self.p else im


flip_color = T.Compose([T.RandomHorizontalFlip(0.5),
                        T.RandomApply([T.ColorJitter(a.brightness, a.contrast, a.saturation, a.hue)], p=a.jitter_prob),
                        T.RandomGrayscale(a.grayscale_prob)])
norm = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])
g1 = T.Compose([T.RandomResizedCrop(a.global_size, scale=a.global_scale, interpolation=T.InterpolationMode.BICUBIC), flip_color, Blur(1.0), norm])
g2 = T.Compose([T.RandomResizedCrop(a.global_size, scale=a.global_scale, interpolation=T.InterpolationMode.BICUBIC), flip_color, Blur(0.1), Solarize(0.2), norm])
loc = T.Compose([T.RandomResizedCrop(a.local_size, scale=a.local_scale, interpolation=T.InterpolationMode.BICUBIC), flip_color, Blur(0.5), norm])
evaluate = T.Compose([T.Resize(round(a.global_size * 256 / 224), interpolation=T.InterpolationMode.BICUBIC), T.CenterCrop(a.global_size), norm])


def trunc_normal(t, std=0.02):
    return nn.init.trunc_normal_(t, std=std, a=-2, b=2)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads, self.scale = heads, (d // heads) ** -0.5
        self.qkv, self.proj = nn.Linear(d, 3 * d, bias=True), nn.Linear(d, d)

    def forward(self, x):
        B, N, C = x.shape
        q, k, v = self.qkv(x).reshape(B, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, N, C))


class Block(nn.Module):
    def __init__(self, d, heads, drop_path):
        super().__init__()
        self.norm1, self.attn, self.norm2 = nn.LayerNorm(d, eps=1e-6), Attention(d, heads), nn.LayerNorm(d, eps=1e-6)
        self.mlp = nn.Sequential(OrderedDict(fc1=nn.Linear(d, 4 * d), act=nn.GELU(), fc2=nn.Linear(4 * d, d)))
        self.drop_path = drop_path

    def dp(self, x):
        if not self.training or self.drop_path == 0:
            return x
        keep = torch.rand(x.shape[0], 1, 1) >= self.drop_path
        return x * keep / (1 - self.drop_path)

    def forward(self, x):
        x = x + self.dp(self.attn(self.norm1(x)))
        return x + self.dp(self.mlp(self.norm2(x)))


class ViT(nn.Module):
    def __init__(self):
        super().__init__()
        d = a.embed
        self.patch_embed = nn.Sequential(OrderedDict(proj=nn.Conv2d(3, d, a.patch, a.patch)))  # official key names: patch_embed.proj
        self.cls_token = nn.Parameter(trunc_normal(torch.zeros(1, 1, d)))
        self.grid = a.img_size // a.patch  # vit_tiny's img_size=[224]: 14 x 14 positions, interpolated for every crop size
        self.pos_embed = nn.Parameter(trunc_normal(torch.zeros(1, 1 + self.grid ** 2, d)))
        rates = [x.item() for x in torch.linspace(0, a.drop_path, a.depth)]
        self.blocks = nn.ModuleList(Block(d, a.heads, r) for r in rates)
        self.norm = nn.LayerNorm(d, eps=1e-6)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                trunc_normal(m.weight); nn.init.zeros_(m.bias)

    def pos(self, side):
        if side == self.grid:
            return self.pos_embed
        grid = self.pos_embed[:, 1:].reshape(1, self.grid, self.grid, -1).permute(0, 3, 1, 2)
        f = (side + 0.1) / self.grid  # vision_transformer.py's interpolate_pos_encoding
        grid = F.interpolate(grid, scale_factor=(f, f), mode='bicubic')
        return torch.cat([self.pos_embed[:, :1], grid.permute(0, 2, 3, 1).reshape(1, side * side, -1)], 1)

    def forward(self, x):
        side = x.shape[-1] // a.patch
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos(side)
        for b in self.blocks:
            x = b(x)
        return self.norm(x)[:, 0]


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(a.embed, a.hidden), nn.GELU(), nn.Linear(a.hidden, a.hidden), nn.GELU(),
                                 nn.Linear(a.hidden, a.bottleneck))
        for m in self.mlp:
            if isinstance(m, nn.Linear):
                trunc_normal(m.weight); nn.init.zeros_(m.bias)
        self.last_layer = nn.utils.weight_norm(nn.Linear(a.bottleneck, a.out_dim, bias=False))
        self.last_layer.weight_g.data.fill_(1)
        if not a.no_norm_last_layer:
            self.last_layer.weight_g.requires_grad = False

    def forward(self, x):
        return self.last_layer(F.normalize(self.mlp(x), dim=-1, p=2))


class Wrapper(nn.Module):  # utils.MultiCropWrapper: one backbone pass per resolution, one head pass
    def __init__(self):
        super().__init__()
        self.backbone, self.head = ViT(), Head()

    def forward(self, crops):
        feats, i = [], 0
        while i < len(crops):
            j = i
            while j < len(crops) and crops[j].shape[-1] == crops[i].shape[-1]:
                j += 1
            feats.append(self.backbone(torch.cat(crops[i:j]))); i = j
        return self.head(torch.cat(feats))


def cosine(base, final, epochs, per_epoch, warmup_epochs=0, start_warmup=0.0):
    warm = [start_warmup + (base - start_warmup) * i / max(1, warmup_epochs * per_epoch) for i in range(warmup_epochs * per_epoch)]
    n = epochs * per_epoch - len(warm)
    return warm + [final + 0.5 * (base - final) * (1 + math.cos(math.pi * i / n)) for i in range(n)]


per_epoch = len(train) // a.batch  # drop_last, as main_dino.py's DataLoader
if a.views:  # the app's batches: view-major NCHW float32, the 2 globals then the locals, one step after another
    import numpy as np
    vmeta = json.load(open(Path(a.views) / 'views.json'))
    assert (vmeta['batch'], vmeta['globalSize'], vmeta['localSize'], vmeta['localCrops']) == (a.batch, a.global_size, a.local_size, a.locals), \
        f"{a.views} holds batch {vmeta['batch']}, {vmeta['globalSize']}/{vmeta['localSize']} px, {vmeta['localCrops']} locals: pass the same settings"
    assert vmeta['batchesPerEpoch'] == per_epoch, 'the dumped dataset has another size'
    vfile = np.memmap(Path(a.views) / 'views.f32', dtype=np.float32, mode='r')
    gsz, lsz = 2 * a.batch * 3 * a.global_size ** 2, a.locals * a.batch * 3 * a.local_size ** 2


def app_crops(step):
    base = step * (gsz + lsz)
    g = torch.from_numpy(np.array(vfile[base:base + gsz])).view(2, a.batch, 3, a.global_size, a.global_size)
    l = torch.from_numpy(np.array(vfile[base + gsz:base + gsz + lsz])).view(a.locals, a.batch, 3, a.local_size, a.local_size)
    return [g[0], g[1]] + [l[i] for i in range(a.locals)]


total = a.epochs * per_epoch
lr_s = cosine(a.lr * a.batch / 256, a.min_lr, a.epochs, per_epoch, a.warmup_epochs)
wd_s = cosine(a.weight_decay, a.weight_decay_end, a.epochs, per_epoch)
mom_s = cosine(a.momentum_teacher, 1.0, a.epochs, per_epoch)
ttemp = [a.warmup_teacher_temp + (a.teacher_temp - a.warmup_teacher_temp) * i / max(1, a.warmup_teacher_temp_epochs - 1)
         for i in range(a.warmup_teacher_temp_epochs)] + [a.teacher_temp] * (a.epochs - a.warmup_teacher_temp_epochs)

student, teacher = Wrapper(), Wrapper()
teacher.load_state_dict(student.state_dict())


def read_safetensors(path):  # by hand: the safetensors package may be absent
    raw = open(path, 'rb').read()
    n = int.from_bytes(raw[:8], 'little'); header = json.loads(raw[8:8 + n])
    return {k: torch.frombuffer(bytearray(raw[8 + n + e['data_offsets'][0]:8 + n + e['data_offsets'][1]]), dtype=torch.float32).reshape(e['shape'])
            for k, e in header.items() if k != '__metadata__'}


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        b = t.detach().contiguous().float().numpy().tobytes()
        header[k] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}; blobs.append(b); off += len(b)
    h = json.dumps(header).encode(); h += b' ' * ((8 - len(h) % 8) % 8)
    open(path, 'wb').write(len(h).to_bytes(8, 'little') + h + b''.join(blobs))


def official_names(model):  # backbone keys without their prefix, head keys with 'head.', as the app's checkpoints name them
    return {(k[len('backbone.'):] if k.startswith('backbone.') else k): v for k, v in model.state_dict().items()}


if a.init:
    for model, file in ((student, 'student'), (teacher, 'teacher')):
        t = read_safetensors(Path(a.init) / f'{file}.safetensors')
        model.load_state_dict({k: t[k[len('backbone.'):] if k.startswith('backbone.') else k].reshape(v.shape) for k, v in model.state_dict().items()})
save_at = {int(x) for x in a.save_at.split(',') if x}
for p in teacher.parameters():
    p.requires_grad = False
teacher.eval()
regular = [p for n, p in student.named_parameters() if p.requires_grad and not (n.endswith('.bias') or p.ndim == 1)]
no_reg = [p for n, p in student.named_parameters() if p.requires_grad and (n.endswith('.bias') or p.ndim == 1)]
opt = torch.optim.AdamW([{'params': regular}, {'params': no_reg, 'weight_decay': 0.0}])
center = torch.zeros(1, a.out_dim)
if a.init:
    center = next(iter(read_safetensors(Path(a.init) / 'center.safetensors').values())).reshape(1, a.out_dim).clone()
V = 2 + a.locals

val_x = torch.stack([evaluate(im) for im, _ in val]); val_y = torch.tensor([c for _, c in val])
bank_x = torch.stack([evaluate(im) for im, _ in train]); bank_y = torch.tensor([c for _, c in train])


@torch.no_grad()
def knn(k=20, temp=0.07):  # eval_knn.py's weighted k-NN on L2-normalised CLS features of the teacher backbone
    feats = lambda x: F.normalize(torch.cat([teacher.backbone(x[i:i + 128]) for i in range(0, len(x), 128)]), dim=1)
    bank, q = feats(bank_x), feats(val_x)
    sim, idx = (q @ bank.T).topk(min(k, len(bank)), dim=1)
    votes = torch.zeros(len(q), len(classes)).scatter_add_(1, bank_y[idx], (sim / temp).exp())
    return 100.0 * (votes.argmax(1) == val_y).float().mean().item()


curve, entropies, step_times, losses = [[0, knn()]], [], [], []
t_train, it, stop = 0.0, 0, False
for epoch in range(a.epochs):
    order = list(range(len(train))); random.shuffle(order)
    for b in range(per_epoch):
        t0 = time.perf_counter()
        if a.views:
            crops = app_crops(it)
        else:
            ims = [train[i][0] for i in order[b * a.batch:(b + 1) * a.batch]]
            crops = [torch.stack([g1(im) for im in ims]), torch.stack([g2(im) for im in ims])] + \
                    [torch.stack([loc(im) for im in ims]) for _ in range(a.locals)]
        for g in opt.param_groups:
            g['lr'] = lr_s[it]
        opt.param_groups[0]['weight_decay'] = wd_s[it]
        with torch.no_grad():
            t_out = teacher(crops[:2])
        s_out = student(crops)
        q = F.softmax((t_out - center) / ttemp[epoch], dim=-1)
        logp = F.log_softmax(s_out / a.student_temp, dim=-1).chunk(V)
        qs = q.detach().chunk(2)
        terms = [torch.sum(-qs[i] * logp[v], dim=-1).mean() for i in range(2) for v in range(V) if v != i]
        loss = sum(terms) / len(terms)
        opt.zero_grad(); loss.backward()
        if a.clip_grad:
            for p in student.parameters():
                if p.grad is not None:
                    c = a.clip_grad / (p.grad.data.norm(2) + 1e-6)
                    if c < 1:
                        p.grad.data.mul_(c)
        if epoch < a.freeze_last_layer:
            for n, p in student.named_parameters():
                if 'last_layer' in n:
                    p.grad = None
        opt.step()
        with torch.no_grad():
            m = mom_s[it]
            for ps, pt in zip(student.parameters(), teacher.parameters()):
                pt.mul_(m).add_((1 - m) * ps.detach())
            center = center * a.center_momentum + t_out.mean(0, keepdim=True) * (1 - a.center_momentum)
            ent = -(q * q.clamp_min(1e-12).log()).sum(-1).mean().item()
            qm = q.mean(0); ent_mean = -(qm * qm.clamp_min(1e-12).log()).sum().item()
        it += 1
        if it in save_at:
            write_safetensors(Path(a.save_dir) / f'teacher-{it}.safetensors', official_names(teacher))
            write_safetensors(Path(a.save_dir) / f'student-{it}.safetensors', official_names(student))
        dt = time.perf_counter() - t0; t_train += dt; step_times.append(dt)
        losses.append(round(loss.item(), 5))
        if it % 50 == 0 or it == 1:
            entropies.append([it, round(ent, 3), round(ent_mean, 3), round(loss.item(), 4)])
        stop = (a.steps and it >= a.steps) or (a.views and it >= vmeta['steps']) or (a.minutes and t_train >= a.minutes * 60) or it >= total
        if a.knn_every and (it % a.knn_every == 0 or stop):
            curve.append([it, knn()])
        if stop:
            break
    if stop:
        break

step_times.sort()
print(json.dumps({
    'framework': f'pytorch {torch.__version__}', 'data': a.data, 'seed': a.seed, 'steps': it, 'of': total,
    'trainMinutes': round(t_train / 60, 2), 'medianStepSeconds': round(step_times[len(step_times) // 2], 4),
    'loadAverage': round(os.getloadavg()[0], 2), 'knnTop1AtInit': round(curve[0][1], 2), 'knnTop1End': round(curve[-1][1], 2),
    'knnTop1Best': round(max(c[1] for c in curve), 2), 'gainPoints': round(curve[-1][1] - curve[0][1], 2),
    'curve': [[s, round(v, 1)] for s, v in curve], 'losses': losses if a.steps and a.steps <= 200 else None, 'entropyTeacherBatchMeanLoss': entropies,
    'lnK': round(math.log(a.out_dim), 2), 'settings': {k: v for k, v in vars(a).items() if k not in ('data',)}}))
