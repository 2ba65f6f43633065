#!/usr/bin/env python3
# k-NN (k 20, T 0.07, as eval_knn.py) of DATA/val on DATA/train with hand-made features instead of a network: what a shortcut alone would score.
# Usage: /usr/bin/python3 scripts/hand-feature-knn.py DATA [--size 64] [--resplits 30]
#   DATA holds train/<class>/* and val/<class>/* (the sample, a scripts/sample-variant.ts output, hymenoptera).
#   Prints one JSON line: for each feature (mean colour, colour histogram, raw pixels, gradient-orientation histogram,
#   radial spectrum) the top-1 % on the given split and, over --resplits random splits of the pooled images with the
#   same val size, its mean and standard deviation (how far one split's figure is from the feature's real power).
import argparse, json, os
import numpy as np
from PIL import Image

ap = argparse.ArgumentParser()
ap.add_argument('data')
ap.add_argument('--size', type=int, default=64, help='images are resized to SIZE x SIZE (the run\'s global crop size)')
ap.add_argument('--resplits', type=int, default=30)
args = ap.parse_args()


def load(split):
    xs, ys = [], []
    root = os.path.join(args.data, split)
    classes = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    for ci, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(root, c))):
            im = Image.open(os.path.join(root, c, f)).convert('RGB').resize((args.size, args.size), Image.BICUBIC)
            xs.append(np.asarray(im, dtype=np.float32) / 255)
            ys.append(ci)
    return np.stack(xs), np.array(ys), classes


def mean_colour(x):
    return x.mean((1, 2))


def colour_hist(x):
    return np.stack([np.histogramdd(i.reshape(-1, 3), bins=4, range=[(0, 1)] * 3)[0].ravel() for i in x])


def raw_pixels(x):
    return x.reshape(len(x), -1) - 0.5


def gradient_orientation(x):
    g = x.mean(3)
    gy, gx = np.gradient(g, axis=(1, 2))
    mag, ang = np.hypot(gx, gy), np.arctan2(gy, gx) % np.pi
    return np.stack([np.histogram(ang[i], bins=8, range=(0, np.pi), weights=mag[i])[0] for i in range(len(x))])


def radial_spectrum(x):
    g = x.mean(3)
    f = np.abs(np.fft.fftshift(np.fft.fft2(g - g.mean((1, 2), keepdims=True)), axes=(1, 2)))
    h = args.size // 2
    yy, xx = np.mgrid[-h:args.size - h, -h:args.size - h]
    r = np.hypot(xx, yy).astype(int).ravel()
    return np.stack([np.bincount(r, weights=s.ravel(), minlength=h + 1)[:h] for s in f])


def knn_top1(feat, ytr, yva, tr, va, classes, k=20, t=0.07):
    f = feat / np.maximum(np.linalg.norm(feat, axis=1, keepdims=True), 1e-12)
    sims = f[va] @ f[tr].T
    idx = np.argsort(-sims, axis=1, kind='stable')[:, :k]
    votes = np.zeros((len(va), classes))
    for i in range(len(va)):
        np.add.at(votes[i], ytr[idx[i]], np.exp(sims[i, idx[i]] / t))
    return float((votes.argmax(1) == yva).mean())


xt, yt, classes = load('train')
xv, yv, _ = load('val')
x, y = np.concatenate([xt, xv]), np.concatenate([yt, yv])
given_tr, given_va = np.arange(len(xt)), np.arange(len(xt), len(x))
rng = np.random.default_rng(0)
splits = [rng.permutation(len(x)) for _ in range(args.resplits)]
out = {'data': args.data, 'size': args.size, 'train': len(xt), 'val': len(xv), 'classes': classes,
       'chance': round(100 / len(classes), 2), 'features': {}}
for name, fn in [('meanColour', mean_colour), ('colourHistogram', colour_hist), ('rawPixels', raw_pixels),
                 ('gradientOrientation', gradient_orientation), ('radialSpectrum', radial_spectrum)]:
    feat = fn(x)
    given = knn_top1(feat, y[given_tr], y[given_va], given_tr, given_va, len(classes))
    re = [knn_top1(feat, y[p[len(xv):]], y[p[:len(xv)]], p[len(xv):], p[:len(xv)], len(classes)) for p in splits]
    out['features'][name] = {'top1': round(100 * given, 2), 'resplitMean': round(100 * float(np.mean(re)), 2),
                             'resplitStd': round(100 * float(np.std(re)), 2)}
print(json.dumps(out))
