"""Plain-Python transcriptions of the seed recipes, run step by step as their training loops do.

Independent of fastlr: each function follows the seed code (or the peer code the seed quotes)
line by line and returns the per-step values of its loop. torch's LambdaLR / LRScheduler is
used where the seed uses it. Entry ``i`` of every returned list is the value used by optimizer
step ``i``.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from functools import partial

import numpy as np
import torch

# ---- torch helpers ----------------------------------------------------------------------------


def make_sgd(lrs, momentum=0.0, nesterov=False):
    """An SGD optimizer with one one-element parameter per group."""
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs]
    return torch.optim.SGD(groups, lr=lrs[0], momentum=momentum, nesterov=nesterov and momentum > 0)


def torch_loop(opt, sched, T):
    """Read group 0's lr, then ``optimizer.step(); scheduler.step()``; stops early where the peer
    raises ZeroDivisionError or its lr turns complex."""
    out = []
    for i in range(T):
        lr = opt.param_groups[0]["lr"]
        if isinstance(lr, complex):
            break
        out.append(float(lr))
        if i == T - 1:
            break
        opt.step()
        try:
            sched.step()
        except ZeroDivisionError:
            break
    return out


# ---- seed 000: FCN create_lr_scheduler, torchvision warmup_lr_scheduler ------------------------


def seed000_script(initlr, warmup_epochs, num_step, epochs, warmup_factor, warmup=True):
    """The seed-000 script: ``value[x - 1]`` for ``x = 1 .. epochs * num_step``, and the printed
    per-epoch values (``return_value * initlr`` at the last step of each epoch)."""
    value, printed = [], []
    return_value = 0
    for epoch in range(epochs):
        for step in range(num_step):
            x = epoch * num_step + step + 1
            if warmup is True and x <= (warmup_epochs * num_step):
                alpha = float(x) / (warmup_epochs * num_step)
                return_value = warmup_factor * (1 - alpha) + alpha
            else:
                return_value = (1 - (x - warmup_epochs * num_step) / ((epochs - warmup_epochs) * num_step)) ** 0.9
            value.append(return_value * initlr)
        printed.append(return_value * initlr)
    return value, printed


def fcn_lambda(num_step, epochs, warmup=True, warmup_epochs=1, warmup_factor=1e-3):
    """``create_lr_scheduler``'s ``f`` (train_utils of the FCN project the seed reads)."""
    assert num_step > 0 and epochs > 0
    if warmup is False:
        warmup_epochs = 0

    def f(x):
        if warmup is True and x <= (warmup_epochs * num_step):
            alpha = float(x) / (warmup_epochs * num_step)
            return warmup_factor * (1 - alpha) + alpha
        return (1 - (x - warmup_epochs * num_step) / ((epochs - warmup_epochs) * num_step)) ** 0.9

    return f


def torchvision_warmup_lambda(warmup_iters, warmup_factor):
    """torchvision detection's legacy ``warmup_lr_scheduler`` factor."""

    def f(x):
        if x >= warmup_iters:
            return 1
        alpha = float(x) / warmup_iters
        return warmup_factor * (1 - alpha) + alpha

    return f


def lambda_lr_loop(base_lr, f, T):
    opt = make_sgd([base_lr])
    return torch_loop(opt, torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=f), T)


# ---- maskrcnn-benchmark WarmupMultiStepLR -----------------------------------------------------


class MaskrcnnWarmupMultiStepLR(torch.optim.lr_scheduler.LRScheduler):
    """maskrcnn-benchmark's scheduler (closed form in ``get_lr``)."""

    def __init__(
        self, optimizer, milestones, gamma=0.1, warmup_factor=1.0 / 3, warmup_iters=500, warmup_method="linear"
    ):
        if not list(milestones) == sorted(milestones):
            raise ValueError(f"Milestones should be a list of increasing integers. Got {milestones}")
        self.milestones = milestones
        self.gamma = gamma
        self.warmup_factor = warmup_factor
        self.warmup_iters = warmup_iters
        self.warmup_method = warmup_method
        super().__init__(optimizer, -1)

    def get_lr(self):
        factor = 1
        if self.last_epoch < self.warmup_iters:
            if self.warmup_method == "constant":
                factor = self.warmup_factor
            elif self.warmup_method == "linear":
                alpha = float(self.last_epoch) / self.warmup_iters
                factor = self.warmup_factor * (1 - alpha) + alpha
        k = bisect_right(self.milestones, self.last_epoch)
        return [b * factor * self.gamma**k for b in self.base_lrs]


def maskrcnn_loop(base_lr, T, **kw):
    opt = make_sgd([base_lr])
    return torch_loop(opt, MaskrcnnWarmupMultiStepLR(opt, **kw), T)


# ---- seed 001: MXNet WarmupMultiFactorScheduler, and the seed's described form ----------------


class MXNetWarmupMultiFactorScheduler:
    """Deformable-ConvNets ``lib/utils/lr_scheduler.py`` (stateful; base_lr set by the optimizer)."""

    def __init__(self, step, factor=1, warmup=False, warmup_lr=0, warmup_step=0):
        assert isinstance(step, list) and len(step) >= 1
        for i, s in enumerate(step):
            if i != 0 and step[i] <= step[i - 1]:
                raise ValueError("Schedule step must be an increasing integer list")
            if s < 1:
                raise ValueError("Schedule step must be greater or equal than 1 round")
        if factor > 1.0:
            raise ValueError("Factor must be no more than 1 to make lr reduce")
        self.base_lr = 0.01
        self.step = step
        self.cur_step_ind = 0
        self.factor = factor
        self.count = 0
        self.warmup = warmup
        self.warmup_lr = warmup_lr
        self.warmup_step = warmup_step

    def __call__(self, num_update):
        if self.warmup and num_update < self.warmup_step:
            return self.warmup_lr
        while self.cur_step_ind <= len(self.step) - 1:
            if num_update > self.step[self.cur_step_ind]:
                self.count = self.step[self.cur_step_ind]
                self.cur_step_ind += 1
                self.base_lr *= self.factor
            else:
                return self.base_lr
        return self.base_lr


def mxnet_loop(base_lr, T, **kw):
    """An MXNet optimizer: ``num_update`` is incremented before the lr is read."""
    sched = MXNetWarmupMultiFactorScheduler(**kw)
    sched.base_lr = base_lr  # Optimizer.__init__: lr_scheduler.base_lr = learning_rate
    out, num_update = [], 0
    for _ in range(T):
        num_update += 1
        out.append(float(sched(num_update)))
    return out


def seed001_described_loop(
    base_lr, T, milestones=(), gamma=0.1, warmup_factor=0.0, warmup_iters=0, step_iterations=None
):
    """Seed 001's prose (warmup ``base_lr * it / W``, decay ``gamma^floor((it - W) / step)``) with
    its example's milestones and warmup_factor, stepped per iteration as in its example."""
    out = []
    for iteration in range(T):
        if iteration < warmup_iters:
            alpha = iteration / warmup_iters
            lr = base_lr * (warmup_factor + (1 - warmup_factor) * alpha)
        elif step_iterations is not None:
            lr = base_lr * gamma ** math.floor((iteration - warmup_iters) / step_iterations)
        else:
            lr = base_lr * gamma ** sum(1 for m in milestones if m <= iteration)
        out.append(lr)
    return out


# ---- seed 002: YOLOv5 -------------------------------------------------------------------------


def yolov5_one_cycle(y1=0.0, y2=1.0, steps=100):
    return lambda x: ((1 - math.cos(x * math.pi / steps)) / 2) * (y2 - y1) + y1


def yolov5_loop(
    epochs,
    nb,
    lr0=0.01,
    lrf=0.01,
    momentum=0.937,
    warmup_epochs=3.0,
    warmup_momentum=0.8,
    warmup_bias_lr=0.1,
    cos_lr=False,
    bias_group=0,
    num_groups=3,
    min_warmup_iters=100,
    legacy_linear=False,
):
    """YOLOv5 ``train.py``: LambdaLR(lf) per epoch, ``np.interp`` warmup per batch.

    Returns ``(lrs, moms)``, each ``num_groups`` lists of ``epochs * nb`` values."""
    opt = make_sgd([lr0] * num_groups, momentum=momentum, nesterov=True)
    if cos_lr:
        lf = yolov5_one_cycle(1, lrf, epochs)
    elif legacy_linear:
        lf = lambda x: (1 - x / (epochs - 1)) * (1.0 - lrf) + lrf  # noqa: E731
    else:
        lf = lambda x: (1 - x / epochs) * (1.0 - lrf) + lrf  # noqa: E731
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=lf)
    nw = max(round(warmup_epochs * nb), min_warmup_iters)
    start_epoch = 0
    scheduler.last_epoch = start_epoch - 1  # do not move
    lrs = [[] for _ in range(num_groups)]
    moms = [[] for _ in range(num_groups)]
    for epoch in range(start_epoch, epochs):
        for i in range(nb):
            ni = i + nb * epoch
            if ni <= nw:
                xi = [0, nw]
                for j, x in enumerate(opt.param_groups):
                    x["lr"] = np.interp(
                        ni, xi, [warmup_bias_lr if j == bias_group else 0.0, x["initial_lr"] * lf(epoch)]
                    )
                    if "momentum" in x:
                        x["momentum"] = np.interp(ni, xi, [warmup_momentum, momentum])
            for j, x in enumerate(opt.param_groups):
                lrs[j].append(float(x["lr"]))
                moms[j].append(float(x["momentum"]))
            opt.step()
        scheduler.step()
    return lrs, moms


def seed002_script(num_epochs=100, nums=600, batch_size=20):
    """Seed 002's simulation, per batch: its own cosine lambda (1 -> 0.2), bias group ``j == 2``,
    a fixed ``xi = [0, 1000]`` warmup toward ``0.01 * lf(epoch)``. ``n = nums / batch_size`` is
    a float in the seed (``range(n)`` would fail); it is used as an int here."""
    n = int(nums / batch_size)
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(3)]
    opt = torch.optim.SGD([params[0]], lr=0.01, momentum=0.937, nesterov=True)
    opt.add_param_group({"params": [params[1]], "weight_decay": 0.0005})
    opt.add_param_group({"params": [params[2]]})
    lf = lambda x: ((1 + math.cos(x * math.pi / num_epochs)) / 2) * (1 - 0.2) + 0.2  # noqa: E731
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer=opt, lr_lambda=lf)
    start_epoch = 0
    scheduler.last_epoch = start_epoch - 1
    lrs = [[], [], []]
    moms = []
    for epoch in range(start_epoch, num_epochs):
        for i in range(n):
            ni = i + n * epoch
            if ni <= 1000:
                xi = [0, 1000]
                for j, x in enumerate(opt.param_groups):
                    x["lr"] = np.interp(ni, xi, [0.1 if j == 2 else 0.0, 0.01 * lf(epoch)])
                    if "momentum" in x:
                        x["momentum"] = np.interp(ni, xi, [0.8, 0.937])
            for j, x in enumerate(opt.param_groups):
                lrs[j].append(float(x["lr"]))
            moms.append(float(opt.param_groups[0]["momentum"]))
            opt.step()  # "pass  # iter and train here"
        scheduler.step()
    return lrs, moms


# ---- seed 003: TensorFlow ---------------------------------------------------------------------


def tf_warmup_lr(init_lr, global_step, warmup_step, num_gpu, decay_step, f32=False):
    """Seed 003's ``warmup_lr`` at one ``global_step`` (``f32``: TF's float32 arithmetic)."""
    cast = np.float32 if f32 else float

    def warmup(end_lr, global_step, warmup_step):
        start_lr = end_lr * 0.1
        global_step = cast(global_step)
        return cast(start_lr) + cast(end_lr - start_lr) * global_step / cast(warmup_step)

    def decay(start_lr, global_step, num_gpu):
        boundaries = [
            np.int64(decay_step[0] // num_gpu),
            np.int64(decay_step[1] // num_gpu),
            np.int64(decay_step[2] // num_gpu),
        ]
        values = [start_lr, start_lr / 10.0, start_lr / 100.0, start_lr / 1000.0]
        # tf.train.piecewise_constant: values[0] if x <= b0; values[i] if b[i-1] < x <= b[i]; last if x > b[-1]
        if global_step <= boundaries[0]:
            return cast(values[0])
        if global_step > boundaries[-1]:
            return cast(values[-1])
        for low, high, v in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
            if low < global_step <= high:
                return cast(v)
        raise AssertionError("unreachable")

    if global_step <= warmup_step:
        return warmup(init_lr, global_step, warmup_step)
    return decay(init_lr, global_step, num_gpu)


def seed003_gradual_loop(init_lr, warmup_steps, max_steps):
    """Seed 003's gradual warmup loop (its ``lr ** 1.0001`` stand-in decay replaced by init_lr)."""
    out = []
    for train_steps in range(max_steps):
        if warmup_steps and train_steps < warmup_steps:
            warmup_percent_done = train_steps / warmup_steps
            learning_rate = init_lr * warmup_percent_done
        else:
            learning_rate = init_lr
        out.append(learning_rate)
    return out


def constant_warmup_loop(init_lr, warmup_lr, warmup_steps, max_steps):
    """The ResNet paper's constant warmup as seed 003 describes it."""
    return [warmup_lr if (warmup_steps and t < warmup_steps) else init_lr for t in range(max_steps)]


# ---- seed 004: YOLOX (Megvii) and bubbliiiing's get_lr_scheduler ------------------------------


def yolox_warm_cos_lr_ratio(lr, min_lr_ratio, total_iters, warmup_total_iters, warmup_lr_start, no_aug_iter, iters):
    """Megvii YOLOX (``min_lr = lr * min_lr_ratio``)."""
    min_lr = lr * min_lr_ratio
    if iters <= warmup_total_iters:
        lr = (lr - warmup_lr_start) * pow(iters / float(warmup_total_iters), 2) + warmup_lr_start
    elif iters >= total_iters - no_aug_iter:
        lr = min_lr
    else:
        lr = min_lr + 0.5 * (lr - min_lr) * (
            1.0 + math.cos(math.pi * (iters - warmup_total_iters) / (total_iters - warmup_total_iters - no_aug_iter))
        )
    return lr


def get_lr_scheduler(
    lr_decay_type,
    lr,
    min_lr,
    total_iters,
    warmup_iters_ratio=0.1,
    warmup_lr_ratio=0.1,
    no_aug_iter_ratio=0.3,
    step_num=10,
):
    """Seed 004's code, verbatim in behaviour."""

    def yolox_warm_cos_lr(lr, min_lr, total_iters, warmup_total_iters, warmup_lr_start, no_aug_iter, iters):
        if iters <= warmup_total_iters:
            lr = (lr - warmup_lr_start) * pow(iters / float(warmup_total_iters), 2) + warmup_lr_start
        elif iters >= total_iters - no_aug_iter:
            lr = min_lr
        else:
            lr = min_lr + 0.5 * (lr - min_lr) * (
                1.0
                + math.cos(math.pi * (iters - warmup_total_iters) / (total_iters - warmup_total_iters - no_aug_iter))
            )
        return lr

    def step_lr(lr, decay_rate, step_size, iters):
        if step_size < 1:
            raise ValueError("step_size must above 1.")
        n = iters // step_size
        out_lr = lr * decay_rate**n
        return out_lr

    if lr_decay_type == "cos":
        warmup_total_iters = min(max(warmup_iters_ratio * total_iters, 1), 3)
        warmup_lr_start = max(warmup_lr_ratio * lr, 1e-6)
        no_aug_iter = min(max(no_aug_iter_ratio * total_iters, 1), 15)
        func = partial(yolox_warm_cos_lr, lr, min_lr, total_iters, warmup_total_iters, warmup_lr_start, no_aug_iter)
    else:
        decay_rate = (min_lr / lr) ** (1 / (step_num - 1))
        step_size = total_iters / step_num
        func = partial(step_lr, lr, decay_rate, step_size)
    return func


def yolox_trainer_loop(name, lr, iters_per_epoch, total_epochs, T, **kw):
    """YOLOX's ``LRScheduler`` driven by its trainer: step 0 uses the optimizer's initial lr
    (``warmup_lr`` when warming up, else ``lr``); after step ``i`` it sets ``update_lr(i + 1)``."""
    total_iters = iters_per_epoch * total_epochs

    def cos_lr(lr, total_iters, iters):
        lr *= 0.5 * (1.0 + math.cos(math.pi * iters / total_iters))
        return lr

    def warm_cos_lr(lr, total_iters, warmup_total_iters, warmup_lr_start, iters):
        if iters <= warmup_total_iters:
            lr = (lr - warmup_lr_start) * iters / float(warmup_total_iters) + warmup_lr_start
        else:
            lr *= 0.5 * (1.0 + math.cos(math.pi * (iters - warmup_total_iters) / (total_iters - warmup_total_iters)))
        return lr

    def multistep_lr(lr, milestones, gamma, iters):
        for milestone in milestones:
            lr *= gamma if iters >= milestone else 1.0
        return lr

    warmup_epochs = kw.get("warmup_epochs", 0)
    if name == "cos":
        func = partial(cos_lr, lr, total_iters)
    elif name == "warmcos":
        func = partial(warm_cos_lr, lr, total_iters, iters_per_epoch * warmup_epochs, kw.get("warmup_lr_start", 1e-6))
    elif name == "yoloxwarmcos":
        func = partial(
            yolox_warm_cos_lr_ratio,
            lr,
            kw.get("min_lr_ratio", 0.2),
            total_iters,
            iters_per_epoch * warmup_epochs,
            kw.get("warmup_lr_start", 0),
            iters_per_epoch * kw["no_aug_epochs"],
        )
    else:
        milestones = [int(total_iters * m / total_epochs) for m in kw["milestones"]]
        func = partial(multistep_lr, lr, milestones, kw.get("gamma", 0.1))
    current = kw.get("warmup_lr_start", 0 if name == "yoloxwarmcos" else 1e-6) if warmup_epochs > 0 else lr
    out = []
    for i in range(T):
        out.append(float(current))
        current = func(i + 1)  # after_iter: update_lr(progress_in_iter + 1)
    return out


# ---- seed 004: CAWB ---------------------------------------------------------------------------


class CosineAnnealingWarmbootingLR:
    """Huangdebo/CAWB ``cawb.py``, on a torch optimizer."""

    def __init__(
        self,
        optimizer,
        epochs=0,
        eta_min=0.05,
        steps=[],  # noqa: B006 - the peer's mutable default, sorted in place
        step_scale=0.8,
        lf=None,
        batchs=0,
        warmup_epoch=0,
        epoch_scale=1.0,
    ):
        self.warmup_iters = batchs * warmup_epoch
        self.optimizer = optimizer
        self.eta_min = eta_min
        self.iters = -1
        self.iters_batch = -1
        self.base_lr = [group["lr"] for group in optimizer.param_groups]
        self.step_scale = step_scale
        steps.sort()
        self.steps = [warmup_epoch] + [i for i in steps if (i < epochs and i > warmup_epoch)] + [epochs]
        self.gap = 0
        self.last_epoch = 0
        self.lf = lf
        self.epoch_scale = epoch_scale
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])

    def step(self, external_iter=None):
        self.iters += 1
        if external_iter is not None:
            self.iters = external_iter
        iters = self.iters + self.last_epoch
        scale = 1.0
        for i in range(len(self.steps) - 1):
            if iters <= self.steps[i + 1]:
                self.gap = self.steps[i + 1] - self.steps[i]
                iters = iters - self.steps[i]
                if i != len(self.steps) - 2:
                    self.gap += self.epoch_scale
                break
            scale *= self.step_scale
        if self.lf is None:
            for group, lr in zip(self.optimizer.param_groups, self.base_lr):
                group["lr"] = (
                    scale
                    * lr
                    * ((((1 + math.cos(iters * math.pi / self.gap)) / 2) ** 1.0) * (1.0 - self.eta_min) + self.eta_min)
                )
        else:
            for group, lr in zip(self.optimizer.param_groups, self.base_lr):
                group["lr"] = scale * lr * self.lf(iters, self.gap)
        return self.optimizer.param_groups[0]["lr"]

    def step_batch(self):
        self.iters_batch += 1
        if self.iters_batch < self.warmup_iters:
            rate = self.iters_batch / self.warmup_iters
            for group, lr in zip(self.optimizer.param_groups, self.base_lr):
                group["lr"] = lr * rate
            return self.optimizer.param_groups[0]["lr"]
        return None


def cawb_loop(base_lr, n_epochs, batchs, **kw):
    """CAWB's demo loop: ``step_batch()`` then the update for every batch, ``step()`` per epoch.

    With ``batchs = 0`` one value per epoch (no batch warmup)."""
    opt = make_sgd([base_lr])
    kw = dict(kw)
    kw["steps"] = list(kw.get("steps", []))
    sched = CosineAnnealingWarmbootingLR(opt, batchs=batchs, **kw)
    out = []
    for _ in range(n_epochs):
        for _ in range(max(batchs, 1)):
            if batchs:
                sched.step_batch()
            out.append(float(opt.param_groups[0]["lr"]))
            opt.step()
        sched.step()
    return out
