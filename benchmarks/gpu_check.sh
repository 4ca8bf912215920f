#!/usr/bin/env bash
# fastlr's CUDA checks and benchmark on a machine with an NVIDIA GPU, in one go.
#
#   OUT=/tmp/gpu-check bash benchmarks/gpu_check.sh        # from the repository root
#
# Steps (each under `timeout`, capped by what is left of GPU_CHECK_BUDGET seconds, default 480,
# so the whole script ends in about 8 minutes even if one step hangs; a step with under 20 s
# left is skipped and says so):
#   env        versions, nvidia-smi, a one-line Numba CUDA kernel (retried with CUDA_HOME set to
#              /usr/local/cuda if NVVM is not found)                              ~10 s
#   gpu_tests  pytest tests/cuda_sim tests/test_torch_cuda.py on the real GPU     ~2.5 min
#              (CUDA == CPU for every shape and composition, and for users' functions
#              (fastlr.Formula: not yet timed there); CUDA graphs and inductor)
#   bench      benchmarks/bench_cuda.py --cpu, full sizes                         ~65 s
#              plus its `formula` section (10,000 param sets of one fastlr.Formula x 1e4
#              steps, closed form and cumulative, CUDA == CPU, CPU timed too: not yet timed)
#   test_cuda  pytest tests/test_cuda.py without test_simulator_suite (the simulator in a
#              subprocess: over 160 s on the H200 machine, and nothing GPU-specific), so the
#              PTX compile check and the no-GPU error paths      (not yet timed there)
# Times as measured on a lent H200 (16 cores) on 2026-12-04; see benchmarks/RESULTS_cuda.md.
# Logs go to $OUT/<step>.log, the bench's figures to $OUT/results.{json,md}, one line per step
# to $OUT/summary.txt (7 files). fastlr is used from the checkout (PYTHONPATH), nothing is
# installed. The exit status is the number of steps that failed or were skipped.
set -u -o pipefail
OUT=${OUT:-/tmp/fastlr-gpu-check}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export NUMBA_CACHE_DIR=${NUMBA_CACHE_DIR:-/tmp/fastlr-gpu-nbc}
unset NUMBA_ENABLE_CUDASIM
PY=${PYTHON:-python3}
BUDGET=${GPU_CHECK_BUDGET:-480}
START=$(date +%s)
FAILED=0

left() { echo $((BUDGET - ($(date +%s) - START))); }

step() { # step NAME CAP COMMAND...: run with timeout min(CAP, time left - 5); log to $OUT/NAME.log
    local name=$1 cap=$2 t s rc
    shift 2
    t=$(($(left) - 5))
    ((t > cap)) && t=$cap
    if ((t < 20)); then
        echo "== $name: SKIPPED, only $(left) s of the budget left" | tee -a "$OUT/summary.txt"
        FAILED=$((FAILED + 1))
        return
    fi
    echo "== $name (timeout ${t}s): $*"
    s=$(date +%s)
    timeout -k 10 "$t" "$@" 2>&1 | tee "$OUT/$name.log"
    rc=$?
    ((rc != 0)) && FAILED=$((FAILED + 1))
    echo "== $name: rc=$rc in $(($(date +%s) - s)) s$( ((rc == 124 || rc == 137)) && echo ' (TIMED OUT)')" |
        tee -a "$OUT/summary.txt"
}

preflight() {
    set -x
    uname -a
    nproc
    free -g
    nvidia-smi
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,clocks.mem --format=csv
    "$PY" - <<'EOF'
import importlib.metadata as md, sys, time
print(sys.version)
for p in ("numpy", "numba", "numba-cuda", "cuda-bindings", "cuda-toolkit", "llvmlite", "torch", "triton",
          "pytest", "hypothesis", "pytest-benchmark"):
    try:
        print(f"{p} {md.version(p)}")
    except md.PackageNotFoundError:
        print(f"{p} -")
row_stack = "row_stack" in vars(__import__("numpy"))
import fastlr.kernels.cuda  # restores numpy.row_stack, which numba-cuda 0.30 needs, on NumPy >= 2.5
print("numpy.row_stack before fastlr:", row_stack)
import numba.cuda as cuda
print("numba.cuda implementation:", getattr(cuda, "implementation", "Built-in"), "available:", cuda.is_available())
cuda.detect()
@cuda.jit
def twice(x):
    i = cuda.grid(1)
    if i < x.size:
        x[i] = 2.0 * i
t = time.perf_counter()
a = cuda.device_array(1000)
twice[4, 256](a)
h = a.copy_to_host()
assert h[999] == 1998.0, h[999]
print(f"numba.cuda kernel compiled and ran in {time.perf_counter() - t:.2f} s")
import torch
print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available(), torch.cuda.get_device_name())
EOF
}

env_step() {
    if ! preflight; then
        if [[ -z "${CUDA_HOME:-}" && -d /usr/local/cuda ]]; then
            echo "preflight failed: retrying with CUDA_HOME=/usr/local/cuda"
            export CUDA_HOME=/usr/local/cuda
            preflight
        else
            return 1
        fi
    fi
}

echo "== env"
env_step 2>&1 | tee "$OUT/env.log"
rc=$?
echo "== env: rc=$rc in $(($(date +%s) - START)) s" | tee -a "$OUT/summary.txt"
((rc != 0)) && FAILED=$((FAILED + 1))
grep -q "retrying with CUDA_HOME" "$OUT/env.log" && export CUDA_HOME=/usr/local/cuda

step gpu_tests 210 "$PY" -m pytest tests/cuda_sim tests/test_torch_cuda.py -q -p no:cacheprovider -rs --durations=12
step bench 250 "$PY" benchmarks/bench_cuda.py --cpu --out "$OUT"
step test_cuda 160 "$PY" -m pytest tests/test_cuda.py -q -p no:cacheprovider -rs --durations=5 \
    --deselect tests/test_cuda.py::test_simulator_suite
echo "== total $(($(date +%s) - START)) s, $FAILED step(s) failed or skipped" | tee -a "$OUT/summary.txt"
exit "$FAILED"
