# PyTorch reference of DINO training steps (main_dino.py train_one_epoch, DINOLoss, utils.clip_gradients / cancel_gradients_last_layer / get_params_groups, AdamW, EMA teacher).
# Usage: torch_dino_step.py WORK_DIR   (reads WORK_DIR/plan.json, init.safetensors, views-<step>.f32; writes after-<step>.safetensors, result.json)
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_load_check import DINOHead, VisionTransformer, read_safetensors  # noqa: E402


def write_safetensors(path, tensors):
    header, chunks, off = {}, [], 0
    for name, t in tensors.items():
        a = np.ascontiguousarray(t.detach().cpu().numpy().astype("<f4"))
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}
        chunks.append(a.tobytes())
        off += a.nbytes
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little") + h + b"".join(chunks))


class MultiCropWrapper(nn.Module):
    """utils.MultiCropWrapper: one backbone pass per run of same-resolution crops, one head pass over all."""

    def __init__(self, backbone, head):
        super().__init__()
        self.backbone = backbone
        self.head = head

    def forward(self, x):
        if not isinstance(x, list):
            x = [x]
        idx_crops = torch.cumsum(torch.unique_consecutive(torch.tensor([inp.shape[-1] for inp in x]), return_counts=True)[1], 0)
        start, output = 0, torch.empty(0)
        for end in idx_crops:
            out, _ = self.backbone(torch.cat(x[start:end]))
            output = torch.cat((output, out))
            start = end
        return self.head(output)


class DINOLoss(nn.Module):
    def __init__(self, out_dim, ncrops, student_temp, center_momentum):
        super().__init__()
        self.student_temp = student_temp
        self.center_momentum = center_momentum
        self.ncrops = ncrops
        self.register_buffer("center", torch.zeros(1, out_dim))

    def forward(self, student_output, teacher_output, temp):
        student_out = (student_output / self.student_temp).chunk(self.ncrops)
        teacher_out = F.softmax((teacher_output - self.center) / temp, dim=-1).detach().chunk(2)
        total_loss, n_loss_terms = 0, 0
        for iq, q in enumerate(teacher_out):
            for v in range(len(student_out)):
                if v == iq:
                    continue
                loss = torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1)
                total_loss += loss.mean()
                n_loss_terms += 1
        total_loss /= n_loss_terms
        self.update_center(teacher_output)
        return total_loss

    @torch.no_grad()
    def update_center(self, teacher_output):
        batch_center = torch.sum(teacher_output, dim=0, keepdim=True) / len(teacher_output)
        self.center = self.center * self.center_momentum + batch_center * (1 - self.center_momentum)


def build(sd, plan):
    dim = sd["patch_embed.proj.weight"].shape[0]
    patch = sd["patch_embed.proj.weight"].shape[2]
    depth = len({k.split(".")[1] for k in sd if k.startswith("blocks.")})
    heads = {192: 3, 384: 6, 768: 12}[dim]
    grid = int(round((sd["pos_embed"].shape[1] - 1) ** 0.5))
    vit = VisionTransformer(patch, dim, depth, heads, img_size=grid * patch)
    head = DINOHead(dim, plan["outDim"], plan["hiddenDim"], plan["bottleneckDim"])
    head.last_layer.weight_g.data.fill_(1)
    if plan["normLastLayer"]:
        head.last_layer.weight_g.requires_grad = False
    model = MultiCropWrapper(vit, head)
    model.load_state_dict({("backbone." + k if not k.startswith("head.") else k): v for k, v in sd.items()}, strict=True)
    return model


def get_params_groups(model):
    regularized, not_regularized = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if name.endswith(".bias") or len(param.shape) == 1:
            not_regularized.append(param)
        else:
            regularized.append(param)
    return [{"params": regularized}, {"params": not_regularized, "weight_decay": 0.0}]


def official_name(n):
    return n[len("backbone."):] if n.startswith("backbone.") else n


def main():
    work = sys.argv[1]
    plan = json.load(open(os.path.join(work, "plan.json")))
    sd = read_safetensors(os.path.join(work, "init.safetensors"))
    torch.set_default_dtype(torch.float32)
    student = build(sd, plan)
    teacher = build(sd, plan)
    for p in teacher.parameters():
        p.requires_grad = False
    B, gs, ls, nl = plan["batch"], plan["globalSize"], plan["localSize"], plan["localCrops"]
    loss_fn = DINOLoss(plan["outDim"], 2 + nl, plan["studentTemp"], plan["centerMomentum"])
    optimizer = torch.optim.AdamW(get_params_groups(student))
    losses = []
    for step, sched in enumerate(plan["steps"]):
        raw = np.fromfile(os.path.join(work, f"views-{step}.f32"), dtype="<f4")
        g = torch.from_numpy(raw[: 2 * B * 3 * gs * gs].copy()).reshape(2, B, 3, gs, gs)
        l = torch.from_numpy(raw[2 * B * 3 * gs * gs :].copy()).reshape(nl, B, 3, ls, ls)
        images = [g[0], g[1]] + [l[i] for i in range(nl)]
        for i, pg in enumerate(optimizer.param_groups):
            pg["lr"] = sched["lr"]
            if i == 0:
                pg["weight_decay"] = sched["wd"]
        teacher_output = teacher(images[:2])
        student_output = student(images)
        loss = loss_fn(student_output, teacher_output, sched["teacherTemp"])
        optimizer.zero_grad()
        loss.backward()
        for p in student.parameters():  # utils.clip_gradients
            if p.grad is not None and plan["clipGrad"] > 0:
                clip_coef = plan["clipGrad"] / (p.grad.data.norm(2) + 1e-6)
                if clip_coef < 1:
                    p.grad.data.mul_(clip_coef)
        if sched["freezeLastLayer"]:  # utils.cancel_gradients_last_layer
            for n, p in student.named_parameters():
                if "last_layer" in n:
                    p.grad = None
        optimizer.step()
        with torch.no_grad():
            m = sched["momentum"]
            for pq, pk in zip(student.parameters(), teacher.parameters()):
                pk.data.mul_(m).add_((1 - m) * pq.detach().data)
        losses.append(loss.item())
        out = {}
        for n, p in student.named_parameters():
            out["student." + official_name(n)] = p
            st = optimizer.state.get(p)
            if st:
                out["m." + official_name(n)] = st["exp_avg"]
                out["v." + official_name(n)] = st["exp_avg_sq"]
        for n, p in teacher.named_parameters():
            out["teacher." + official_name(n)] = p
        out["center"] = loss_fn.center
        write_safetensors(os.path.join(work, f"after-{step}.safetensors"), out)
    json.dump({"losses": losses}, open(os.path.join(work, "result.json"), "w"))


if __name__ == "__main__":
    main()
