"""fastlr.torch.TableScheduler on a CUDA GPU: CUDA-graph capture and torch.compile (inductor).

Skipped without a torch that sees a CUDA device. ``tests/test_torch_bridge.py`` covers the same
scheduler on the CPU (values, no host reads with ``capturable=True``, one compile with the
``aot_eager`` backend); this file runs what only a GPU can: the scheduler's ``step()`` captured
in a CUDA graph together with ``optimizer.step()`` and replayed, and the default inductor
backend compiling Adam's step while the scheduler changes its tensor hyperparameters.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("torch sees no CUDA device (or was built without CUDA)", allow_module_level=True)

import fastlr as fl  # noqa: E402
from fastlr.torch import TableScheduler  # noqa: E402

T = 24
WARM_COS = fl.Schedule(fl.Cosine(1e-3, 1e-5, T - 6), warmup=fl.Warmup(6, start=1e-5))
BETA1 = fl.Linear(0.95, 0.85, 10)
BASES = (1e-3, 2e-3)
DEV = "cuda"


def make_adam(tensor_betas: bool = True, **kw) -> torch.optim.Adam:
    """Two param groups on the GPU, each with its own tensor lr (and tensor betas) on the GPU."""
    g = torch.Generator().manual_seed(0)
    groups = []
    for base in BASES:
        p = torch.nn.Parameter(torch.randn(257, generator=g).to(DEV))
        betas = (torch.tensor(0.9, device=DEV), torch.tensor(0.999, device=DEV)) if tensor_betas else (0.9, 0.999)
        groups.append({"params": [p], "lr": torch.tensor(base, device=DEV), "betas": betas})
    return torch.optim.Adam(groups, **kw)


def static_grads(opt: torch.optim.Optimizer) -> None:
    g = torch.Generator().manual_seed(1)
    for group in opt.param_groups:
        for p in group["params"]:
            p.grad = torch.randn(p.shape, generator=g).to(DEV)


def expected(step: int) -> tuple[list[np.float32], np.float32]:
    """float32 lrs per group (relative: float64 base * table, rounded once) and beta1 at ``step``."""
    j = min(step, T - 1)
    bases = [float(np.float32(b)) for b in BASES]  # the tensors' initial values are the bases
    lrs = [np.float32(np.float64(b) * WARM_COS.table(T)[j]) for b in bases]
    return lrs, np.float32(BETA1.table(T)[j])


def assert_row(opt: torch.optim.Optimizer, step: int, beta1: bool = True) -> None:
    lrs, beta = expected(step)
    got_lr = [g["lr"].item() for g in opt.param_groups]
    assert got_lr == [float(v) for v in lrs], f"step {step}: lr {got_lr} != {lrs}"
    if beta1:
        got_beta = [g["betas"][0].item() for g in opt.param_groups]
        assert got_beta == [float(beta)] * len(BASES), f"step {step}: beta1 {got_beta} != {beta}"


def scheduler(opt: torch.optim.Optimizer, capturable: bool, beta1: bool = True) -> TableScheduler:
    spec = {"lr": WARM_COS, "beta1": BETA1} if beta1 else {"lr": WARM_COS}
    return TableScheduler(opt, spec, total_steps=T, relative=["lr"], capturable=capturable)


def test_capturable_scheduler_in_a_cuda_graph():
    """optimizer.step() + scheduler.step() captured once, replayed past the table's end.

    The lr tensors only: torch's capturable Adam (foreach, torch 2.11) turns a tensor beta1 into
    a Python scalar (``_foreach_lerp_(..., 1 - beta1)``), a host read that a capture refuses
    (cudaErrorStreamCaptureUnsupported, seen on an H200), whoever updates the betas.
    """
    opt = make_adam(tensor_betas=False, capturable=True)
    sched = scheduler(opt, capturable=True, beta1=False)
    assert sched.step_tensor is not None and sched.step_tensor.is_cuda
    static_grads(opt)
    warm = 3
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):  # optimizer state is created during warm-up, off the capture
        for _ in range(warm):
            opt.step()
            sched.step()
    torch.cuda.current_stream().wait_stream(side)
    torch.cuda.synchronize()
    assert_row(opt, warm, beta1=False)

    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        opt.step()
        sched.step()
    torch.cuda.synchronize()
    assert int(sched.step_tensor.item()) == warm  # capture records, it does not run
    assert_row(opt, warm, beta1=False)

    replays = T - warm + 5  # runs past the end: past_end="hold" keeps row T - 1
    for k in range(1, replays + 1):
        graph.replay()
        torch.cuda.synchronize()
        assert int(sched.step_tensor.item()) == warm + k
        assert_row(opt, warm + k, beta1=False)
    assert sched.state_dict()["last_epoch"] == warm + replays  # read from the device counter

    # the captured optimizer step read the updated tensors: same parameters as an eager twin
    twin = make_adam(tensor_betas=False, capturable=True)
    twin_sched = scheduler(twin, capturable=True, beta1=False)
    static_grads(twin)
    for _ in range(warm + replays):
        twin.step()
        twin_sched.step()
    initial = [g["params"][0] for g in make_adam().param_groups]
    for a, b, p0 in zip(opt.param_groups, twin.param_groups, initial):
        torch.testing.assert_close(a["params"][0], b["params"][0])
        assert not torch.equal(a["params"][0], p0)  # the replays did move the parameters


def _eager_params(capturable: bool, steps: int) -> list[torch.Tensor]:
    opt = make_adam(capturable=capturable)
    sched = scheduler(opt, capturable=capturable)
    static_grads(opt)
    for _ in range(steps):
        opt.step()
        sched.step()
    return [g["params"][0].detach().clone() for g in opt.param_groups]


@pytest.mark.parametrize("capturable", [False, True])
def test_inductor_compiled_adam_step_does_not_recompile(capturable):
    """torch.compile (default inductor backend) of Adam's step on the GPU over many scheduler
    steps, lr and beta1 tensors changing every step: one compile, no recompile, table values."""
    from torch._dynamo.testing import CompileCounterWithBackend

    torch._dynamo.reset()
    counter = CompileCounterWithBackend("inductor")
    opt = make_adam(capturable=capturable)
    sched = scheduler(opt, capturable=capturable)
    static_grads(opt)

    @torch.compile(backend=counter)
    def opt_step() -> None:
        opt.step()

    steps = T + 6
    with torch._dynamo.config.patch(error_on_recompile=True):
        for i in range(steps):
            assert_row(opt, i)
            opt_step()
            sched.step()
    assert_row(opt, steps)
    assert counter.frame_count == 1, f"{counter.frame_count} compiles"
    for a, b in zip([g["params"][0] for g in opt.param_groups], _eager_params(capturable, steps)):
        torch.testing.assert_close(a, b)
    torch._dynamo.reset()
