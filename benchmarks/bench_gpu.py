"""The CUDA path, checked and timed: one short script for a machine with an NVIDIA GPU.

Sections (each timed; a failure prints ``FAILED`` with its traceback and the next one runs):

1. environment: torch, CUDA and the device (without CUDA the script stops here, exit 0);
2. the CUDA tests: every test marked ``@requires_cuda`` in
   ``tests/``, found by reading the test files, run by node id in a pytest subprocess;
3. each estimator fitted with ``device="cuda"`` on breast cancer (and the autoencoder on a
   mixed DataFrame with a text column): the net is on the GPU, outputs are finite and of
   the right shapes;
4. those GPU-fitted models saved with pickle and with ``skops.io``, then loaded in a
   subprocess with ``CUDA_VISIBLE_DEVICES=""``: ``device_`` is ``"cpu"`` and ``transform``,
   ``inverse_transform``, ``score_samples`` and ``sample`` equal the GPU's within 1e-4;
5. epoch time of ``fit`` against a hand-written loop of the same module, loss and
   optimiser with the data on the GPU (``randperm`` on the device, batches by index,
   ``torch.cuda.synchronize()`` before each clock reading): (a) a 1,000,000 x 64 float32
   table at batch 256 and 4096, (b) the conv autoencoder on MNIST-5k (binary
   cross-entropy on the logits, as the estimator for pixels in [0, 1]). skae's epoch time
   is the mean of skorch's per-epoch ``dur``; each side is warmed up once first. The hand
   loop skips the PCA start, which sets where training starts, not what a step costs;
6. inference: ``transform`` of the 1M-row table against raw ``inference_mode`` forward
   passes of the encoder (batches of skae's size with their host transfers, and one pass
   over rows already on the device), rows per second.

Run from the repository root, with ``pip install -e ".[test,bench]"`` done::

    python benchmarks/bench_gpu.py          # on a CUDA machine (sized for < 5 min on an H200)
    python benchmarks/bench_gpu.py --smoke  # sections 3-6 on the CPU, tiny sizes (< 1 min)

The exit code is 1 when a section failed or was skipped for want of time (``--budget``).
"""

import argparse
import os
import pickle
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer

from skae import AEGANFusion, AutoencoderTransformer, GANSampler, VAETransformer
from skae._nn.autoencoder import AutoencoderModule

ROOT = Path(__file__).resolve().parent.parent
ATOL = 1e-4
N_FEATURES = 64


def say(*args):
    print(*args, flush=True)


@dataclass(frozen=True)
class Sizes:
    """What each section runs: the full sizes on a GPU, tiny ones for ``--smoke``."""

    device: str
    fit_epochs: int  # section 3: the autoencoders' max_epochs (early stopping on)
    gan_epochs: object  # section 3: GANSampler's max_epochs
    fusion_steps: tuple  # section 3: fine_tune_steps, critic_steps
    table_rows: int  # sections 5a and 6
    table_epochs: int
    table_repeats: dict  # batch size -> repeats
    mnist_digits: int
    mnist_epochs: int
    mnist_repeats: int
    inference_repeats: int


GPU = Sizes(
    device="cuda",
    fit_epochs=50,
    gan_epochs="auto",
    fusion_steps=(100, 200),
    table_rows=1_000_000,
    table_epochs=3,
    table_repeats={256: 1, 4096: 3},  # one fit at batch 256 (12k steps) is already long
    mnist_digits=5000,
    mnist_epochs=5,
    mnist_repeats=3,
    inference_repeats=3,
)
SMOKE = Sizes(
    device="cpu",
    fit_epochs=2,
    gan_epochs=2,
    fusion_steps=(5, 10),
    table_rows=5_000,
    table_epochs=1,
    table_repeats={256: 1, 4096: 1},
    mnist_digits=200,
    mnist_epochs=1,
    mnist_repeats=1,
    inference_repeats=1,
)


def sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


# ---------------------------------------------------------------------- data
def breast_cancer():
    X, _ = load_breast_cancer(return_X_y=True)
    return X


def mixed_frame():
    """Breast cancer as a DataFrame: eight float columns, an integer one and the
    diagnosis as text."""
    data = load_breast_cancer(as_frame=True)
    frame = data.data.iloc[:, :8].copy()
    frame["radius_bin"] = np.digitize(frame["mean radius"], [12, 15, 18])
    frame["diagnosis"] = np.asarray(data.target_names)[data.target]
    return frame


def make_table(n_rows, seed=0):
    """Rows near a smooth 4-d manifold in 64-d with unequal column scales, float32."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n_rows, 4), dtype=np.float32)
    A = rng.standard_normal((4, 16), dtype=np.float32)
    B = rng.standard_normal((16, N_FEATURES), dtype=np.float32)
    X = np.tanh(Z @ A) @ B + 0.1 * rng.standard_normal((n_rows, N_FEATURES), dtype=np.float32)
    return (X * rng.uniform(0.5, 20.0, N_FEATURES).astype(np.float32)).astype(np.float32)


# ---------------------------------------------------------------------- outputs
def outputs(model, X):
    """Everything a fitted model computes from its networks."""
    result = {"sample": model.sample(10, random_state=0)}
    if hasattr(model, "transform"):
        codes = model.transform(X)
        result.update(
            transform=codes,
            inverse_transform=model.inverse_transform(codes),
            score_samples=model.score_samples(X),
        )
    return result


def difference(actual, expected):
    """(largest absolute difference of the numbers, count of differing other values)."""
    if isinstance(expected, pd.DataFrame):
        assert list(actual.columns) == list(expected.columns), "columns differ"
        numeric = [c for c in expected if pd.api.types.is_numeric_dtype(expected[c])]
        other = [c for c in expected if c not in numeric]
        gap = max(
            (
                float(np.max(np.abs(actual[c].to_numpy(float) - expected[c].to_numpy(float))))
                for c in numeric
            ),
            default=0.0,
        )
        return gap, int(sum((actual[c] != expected[c]).sum() for c in other))
    assert np.shape(actual) == np.shape(expected), f"{np.shape(actual)} != {np.shape(expected)}"
    return float(np.max(np.abs(np.asarray(actual, float) - np.asarray(expected, float)))), 0


def net_devices(model):
    """Devices of the parameters of a fitted model's networks."""
    parts = [model.autoencoder_, model.gan_] if isinstance(model, AEGANFusion) else [model]
    return {p.device.type for part in parts for p in part.net_.module_.parameters()}


# ---------------------------------------------------------------------- 1. environment
def section_environment(sizes):
    say(
        f"python {sys.version.split()[0]}, torch {torch.__version__}, CUDA build "
        f"{torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}"
    )
    say(f"CUDA available: {torch.cuda.is_available()}, devices: {torch.cuda.device_count()}")
    if torch.cuda.is_available():
        # No CUDA context yet (mem_get_info would make one): the tests of section 2 run in
        # a subprocess, which needs its own on a GPU in exclusive-process mode.
        props = torch.cuda.get_device_properties(0)
        say(
            f"device 0: {props.name}, compute capability {props.major}.{props.minor}, "
            f"{props.multi_processor_count} SMs, {props.total_memory / 2**30:.1f} GiB"
        )
        say(
            f"TF32: matmul {torch.backends.cuda.matmul.allow_tf32}, "
            f"cuDNN {torch.backends.cudnn.allow_tf32}"
        )
        query = "driver_version,compute_mode,memory.used,utilization.gpu"
        try:
            done = subprocess.run(
                ["nvidia-smi", f"--query-gpu={query}", "--format=csv"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            say(done.stdout.strip() or done.stderr.strip())
        except (OSError, subprocess.SubprocessError) as error:
            say(f"nvidia-smi: {error!r}")
    say(
        f"torch threads: {torch.get_num_threads()}, CPUs: {os.cpu_count()}, "
        f"device of sections 3-6: {sizes.device}"
    )


# ---------------------------------------------------------------------- 2. CUDA tests
CUDA_MARKERS = ("@requires_cuda",)


def cuda_test_ids(tests=ROOT / "tests"):
    """pytest node ids of the tests decorated with a CUDA marker, read from the files."""
    ids = []
    for path in sorted(tests.glob("test_*.py")):
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            if not line.strip().startswith(CUDA_MARKERS):
                continue
            for following in lines[i + 1 :]:
                match = re.match(r"(\s*)(?:async\s+)?def (test_\w+)", following)
                if match:
                    node = match.group(2)
                    if match.group(1):  # a method: prefix its class
                        classes = re.findall(r"^class (\w+)", "\n".join(lines[:i]), re.M)
                        node = f"{classes[-1]}::{node}"
                    ids.append(f"tests/{path.name}::{node}")
                    break
    return ids


def section_cuda_tests(sizes, timeout=150):
    ids = cuda_test_ids()
    say(f"{len(ids)} CUDA test functions: " + ", ".join(ids))
    if not ids:
        raise RuntimeError("no test in tests/ carries @requires_cuda")
    if sizes.device == "cpu":
        say("(smoke run: not run)")
        return
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *ids]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as timed_out:
        out = timed_out.stdout or ""
        say(tail(out.decode() if isinstance(out, bytes) else out))
        raise RuntimeError(f"the CUDA tests ran past {timeout} s") from None
    output = done.stdout + done.stderr
    say(tail(output))
    if done.returncode != 0:
        raise RuntimeError(f"pytest exited with {done.returncode}")
    if re.search(r"\d+ skipped", output):
        raise RuntimeError("some CUDA tests were skipped on a CUDA machine")


def tail(text, n_lines=30):
    return "\n".join(text.strip().splitlines()[-n_lines:])


# ---------------------------------------------------------------------- 3. fits
def estimators(sizes):
    """(name, unfitted model, data) for section 3."""
    device, epochs = sizes.device, sizes.fit_epochs
    fine_tune_steps, critic_steps = sizes.fusion_steps
    X, frame = breast_cancer(), mixed_frame()
    fusion = AEGANFusion(
        AutoencoderTransformer(max_epochs=epochs, device=device),
        GANSampler(
            scaler="standard", mixture_init=True, max_epochs=sizes.gan_epochs, device=device
        ),
        fine_tune_steps=fine_tune_steps,
        critic_steps=critic_steps,
        random_state=0,
    )
    return [
        (
            "autoencoder",
            AutoencoderTransformer(max_epochs=epochs, device=device, random_state=0),
            X,
        ),
        (
            "autoencoder-mixed",
            AutoencoderTransformer(max_epochs=epochs, device=device, random_state=0),
            frame,
        ),
        ("vae", VAETransformer(max_epochs=epochs, device=device, random_state=0), X),
        ("gan", GANSampler(max_epochs=sizes.gan_epochs, device=device, random_state=0), X),
        ("fusion", fusion, X),
    ]


def check_fitted(model, X, device):
    """Where the model ran, and that its outputs are finite and of the right shapes."""
    assert model.device_ == device, f"device_ is {model.device_!r}, not {device!r}"
    assert net_devices(model) == {device}, f"parameters on {net_devices(model)}"
    sample = model.sample(50, random_state=0)
    assert sample.shape == (50, X.shape[1]), f"sample shape {sample.shape}"
    if isinstance(X, pd.DataFrame):
        assert list(sample.columns) == list(X.columns)
        assert list(sample.dtypes) == list(X.dtypes), f"{sample.dtypes} != {X.dtypes}"
    numbers = sample.select_dtypes("number") if isinstance(sample, pd.DataFrame) else sample
    checks = {"sample": np.asarray(numbers, dtype=float)}
    if hasattr(model, "transform"):
        codes = model.transform(X)
        autoencoder = model.autoencoder_ if isinstance(model, AEGANFusion) else model
        assert codes.shape == (len(X), autoencoder.n_components_), f"codes {codes.shape}"
        scores = model.score_samples(X)
        assert scores.shape == (len(X),), f"score_samples shape {scores.shape}"
        restored = model.inverse_transform(codes)
        assert restored.shape == X.shape, f"inverse_transform shape {restored.shape}"
        checks.update(transform=codes, score_samples=scores)
    for name, values in checks.items():
        assert np.isfinite(values).all(), f"{name} has non-finite values"


def start_cuda():
    """Create the CUDA context and cuBLAS handle, so that no fit's time includes them."""
    start = time.perf_counter()
    torch.ones(64, 64, device="cuda").matmul(torch.ones(64, 64, device="cuda"))
    torch.cuda.synchronize()
    free, total = torch.cuda.mem_get_info()
    say(f"  CUDA start-up {time.perf_counter() - start:.2f} s; {free / 2**30:.1f} GiB free")


def section_fits(sizes, state):
    if sizes.device.startswith("cuda"):
        start_cuda()
    state["fitted"] = {}
    for name, model, X in estimators(sizes):
        start = time.perf_counter()
        try:
            model.fit(X)
            seconds = time.perf_counter() - start
            check_fitted(model, X, sizes.device)
        except Exception:
            say(f"  {name}: FAILED")
            traceback.print_exc(file=sys.stdout)
            state.setdefault("failures", []).append(name)
            continue
        say(
            f"  {name:<18} {X.shape[0]} x {X.shape[1]:<3} fit {seconds:6.2f} s, n_iter_ "
            f"{model.n_iter_:>3}, networks on {'/'.join(sorted(net_devices(model)))}: ok"
        )
        state["fitted"][name] = (model, X)
    if state.pop("failures", None):
        raise RuntimeError("some fits failed (above)")


# ---------------------------------------------------------------------- 4. persistence
def save_models(fitted, folder):
    """Each model as pickle and skops files, with its input and its outputs here."""
    import skops.io as sio

    for name, (model, X) in fitted.items():
        (folder / f"{name}.pickle").write_bytes(pickle.dumps(model))
        sio.dump(model, folder / f"{name}.skops")
        with open(folder / f"{name}.expected", "wb") as file:
            pickle.dump({"X": X, "device": model.device_, "outputs": outputs(model, X)}, file)


def load_check(folder):
    """Run in the subprocess: load every model saved in ``folder``, with no CUDA device,
    and compare its outputs; 0 when all agree."""
    import skops.io as sio

    folder = Path(folder)
    assert not torch.cuda.is_available(), "CUDA is visible in the subprocess"
    failed = 0
    for expected_file in sorted(folder.glob("*.expected")):
        name = expected_file.stem
        with open(expected_file, "rb") as file:
            expected = pickle.load(file)
        for library in ("pickle", "skops"):
            path = folder / f"{name}.{library}"
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    if library == "pickle":
                        model = pickle.loads(path.read_bytes())
                    else:
                        untrusted = sio.get_untrusted_types(file=path)
                        assert all(t.startswith("skae.") for t in untrusted), untrusted
                        model = sio.load(path, trusted=untrusted)
                warned = any("which this machine does not have" in str(w.message) for w in caught)
                assert warned == (expected["device"] != "cpu"), f"warned: {warned}"
                assert model.device_ == "cpu", f"device_ is {model.device_!r}"
                assert net_devices(model) == {"cpu"}, f"parameters on {net_devices(model)}"
                actual = outputs(model, expected["X"])
                gaps = {k: difference(actual[k], v) for k, v in expected["outputs"].items()}
                bad = [k for k, (gap, count) in gaps.items() if gap > ATOL or count]
                text = ", ".join(
                    f"{k} {gap:.1e}" + (f" (+{count} categories differ)" if count else "")
                    for k, (gap, count) in gaps.items()
                )
                status = f"FAILED ({', '.join(bad)} beyond {ATOL:g})" if bad else "ok"
                say(
                    f"  {name:<18} {library:<6} device_=cpu, device warning: {warned}; largest "
                    f"differences: {text}: {status}"
                )
                failed += bool(bad)
            except Exception:
                say(f"  {name:<18} {library:<6} FAILED")
                traceback.print_exc(file=sys.stdout)
                failed += 1
    return int(failed > 0)


def section_persistence(sizes, state):
    fitted = state.get("fitted") or {}
    if not fitted:
        raise RuntimeError("no fitted model from section 3")
    with tempfile.TemporaryDirectory() as folder:
        save_models(fitted, Path(folder))
        env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
        command = [sys.executable, str(Path(__file__).resolve()), "--load-check", folder]
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=150, check=False
        )
    say(done.stdout.rstrip())
    if done.returncode != 0:
        say(tail(done.stderr))
        raise RuntimeError(f"the CPU-only load check exited with {done.returncode}")


# ---------------------------------------------------------------------- 5. training
def hand_loop(module, X, loss_fn, batch_size, epochs, params, seed=0):
    """Train ``module`` on the device-resident rows ``X`` (each row its own target), as
    skae's nets do: AdamW, a fresh permutation each epoch, batches gathered by index.
    Returns the seconds of each epoch."""
    torch.manual_seed(seed)
    module.to(X.device).train()
    optimizer = torch.optim.AdamW(
        module.parameters(), lr=params["lr"], weight_decay=params["weight_decay"]
    )
    seconds = []
    for _ in range(epochs):
        sync(X.device.type)
        start = time.perf_counter()
        order = torch.randperm(len(X), device=X.device)
        for i in range(0, len(X), batch_size):
            batch = X[order[i : i + batch_size]]
            loss = loss_fn(module(batch), batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        sync(X.device.type)
        seconds.append(time.perf_counter() - start)
    return seconds


def skae_fit(make, X):
    """(seconds of the whole fit, mean epoch seconds from skorch's ``dur``, the model)."""
    model = make()
    start = time.perf_counter()
    model.fit(X)
    seconds = time.perf_counter() - start
    return seconds, sum(row["dur"] for row in model.history_) / len(model.history_), model


def compare_loops(make_skae, make_module, loss_fn, X, M, batch_size, epochs, repeats, device):
    """Median over ``repeats`` (interleaved, after one warm-up each) of the hand loop's
    mean epoch seconds on the model matrix ``M`` (moved to ``device`` once) and of skae's
    (epoch, whole fit) on the user's rows ``X``; and skae's last fitted model."""
    Xd = torch.from_numpy(np.ascontiguousarray(M, dtype=np.float32)).to(device)
    params = make_skae(1).get_params()
    warm = min(len(X), 20_000)
    hand_loop(make_module(), Xd[:warm], loss_fn, batch_size, 1, params)
    skae_fit(lambda: make_skae(1), X[:warm])
    hand, epoch, fit = [], [], []
    for r in range(repeats):
        for side in ("hand", "skae") if r % 2 == 0 else ("skae", "hand"):
            if side == "hand":
                hand.append(
                    statistics.mean(
                        hand_loop(make_module(), Xd, loss_fn, batch_size, epochs, params, seed=r)
                    )
                )
            else:
                fit_seconds, epoch_seconds, model = skae_fit(lambda: make_skae(epochs), X)
                fit.append(fit_seconds)
                epoch.append(epoch_seconds)
    n_hand = sum(p.numel() for p in make_module().parameters())
    n_skae = sum(p.numel() for p in model.net_.module_.parameters())
    assert n_hand == n_skae, f"the hand loop's module has {n_hand} parameters, skae's {n_skae}"
    assert model.net_.batch_size == batch_size, f"skae trained with batch {model.net_.batch_size}"
    return statistics.median(hand), statistics.median(epoch), statistics.median(fit), model


def print_loop_header():
    say(
        f"  {'batch':>6} {'steps/ep':>9} {'hand s/ep':>10} {'skae s/ep':>10} {'ratio':>6} "
        f"{'hand total':>11} {'skae fit':>9} {'ratio':>6}"
    )


def print_loop_row(batch_size, n_rows, epochs, hand, epoch, fit):
    steps = -(-n_rows // batch_size)
    say(
        f"  {batch_size:>6} {steps:>9} {hand:>10.3f} {epoch:>10.3f} {epoch / hand:>6.2f} "
        f"{hand * epochs:>11.2f} {fit:>9.2f} {fit / (hand * epochs):>6.2f}"
    )


def section_table_training(sizes, state, deadline):
    X = make_table(sizes.table_rows)
    state["table"] = X
    # The hand loop trains on the standardised rows, as skae's model matrix holds them.
    M = (X - X.mean(axis=0)) / X.std(axis=0)

    def make_skae(epochs, batch_size=256):
        return AutoencoderTransformer(
            n_components=8,
            hidden_layer_sizes=(128, 64),
            max_epochs=epochs,
            batch_size=batch_size,
            early_stopping=False,
            device=sizes.device,
            random_state=0,
        )

    def make_module():
        return AutoencoderModule(N_FEATURES, 8, (128, 64), "relu", 0.0, linear_path=True)

    say(
        f"  {len(X):,} x {N_FEATURES} float32, epochs: {sizes.table_epochs}; MSE, AdamW; "
        "ratio = skae / hand loop"
    )
    print_loop_header()
    for batch_size, repeats in sizes.table_repeats.items():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"out of time before batch {batch_size}")
        hand, epoch, fit, model = compare_loops(
            lambda e, b=batch_size: make_skae(e, b),
            make_module,
            F.mse_loss,
            X,
            M,
            batch_size,
            sizes.table_epochs,
            repeats,
            sizes.device,
        )
        print_loop_row(batch_size, len(X), sizes.table_epochs, hand, epoch, fit)
        state["table_model"] = model


def section_mnist_training(sizes, state, deadline):
    from skae.datasets import load_mnist_5k

    X, _ = load_mnist_5k()
    X = X[np.random.default_rng(0).permutation(len(X))[: sizes.mnist_digits]]
    probe = AutoencoderTransformer(
        input_shape=(1, 28, 28), max_epochs=1, early_stopping=False, device=sizes.device
    ).fit(X[:64])
    blocks = probe.net_.blocks
    loss_fn = F.binary_cross_entropy_with_logits if blocks.unit_interval else F.mse_loss
    batch_size = probe._batch_size(len(X))
    hidden = probe.hidden_layer_sizes

    def make_skae(epochs):
        return AutoencoderTransformer(
            input_shape=(1, 28, 28),
            max_epochs=epochs,
            early_stopping=False,
            device=sizes.device,
            random_state=0,
        )

    def make_module():
        return AutoencoderModule(
            784,
            probe.n_components_,
            hidden,
            "relu",
            0.0,
            linear_path=True,
            input_shape=(1, 28, 28),
        )

    say(
        f"  {len(X):,} MNIST digits, conv channels {hidden}, epochs: {sizes.mnist_epochs}, "
        f"batch {batch_size} (the estimator's), loss {loss_fn.__name__}"
    )
    print_loop_header()
    hand, epoch, fit, _ = compare_loops(
        make_skae,
        make_module,
        loss_fn,
        X,
        X,
        batch_size,
        sizes.mnist_epochs,
        sizes.mnist_repeats,
        sizes.device,
    )
    print_loop_row(batch_size, len(X), sizes.mnist_epochs, hand, epoch, fit)


# ---------------------------------------------------------------------- 6. inference
def timed(fn, repeats, device):
    """Median seconds of ``fn()`` over ``repeats`` calls after one warm-up; its result."""
    result = fn()
    seconds = []
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        result = fn()
        sync(device)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def inference_batch_rows(model, X):
    """The largest batch skae's encoder sees in ``model.transform(X)`` (also a warm-up)."""
    seen = []
    hook = model.net_.module_.encoder_net.register_forward_hook(
        lambda layer, inputs, output: seen.append(len(inputs[0]))
    )
    try:
        model.transform(X)
    finally:
        hook.remove()
    return max(seen)


def section_inference(sizes, state):
    device = sizes.device
    X = state.get("table")
    if X is None:
        X = make_table(sizes.table_rows)
    model = state.get("table_model")
    if model is None:
        model = AutoencoderTransformer(
            batch_size=4096, max_epochs=1, early_stopping=False, device=device
        ).fit(X)
    module = model.net_.module_.eval()
    M = np.ascontiguousarray(model.codec_.encode(X), dtype=np.float32)  # untimed
    on_device = torch.from_numpy(M).to(device)
    batch_size = inference_batch_rows(model, X)

    def raw_batches():
        out = np.empty((len(M), model.n_components_), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(M), batch_size):
                rows = slice(start, start + batch_size)
                batch = torch.from_numpy(M[rows]).to(device)
                out[rows] = module.encode(batch).cpu().numpy()
        return out

    def raw_resident():
        with torch.inference_mode():
            return module.encode(on_device)

    r = sizes.inference_repeats
    skae_s, codes = timed(lambda: model.transform(X), r, device)
    batches_s, raw_codes = timed(raw_batches, r, device)
    resident_s, resident_codes = timed(raw_resident, r, device)
    gap = max(
        float(np.abs(codes - raw_codes).max()),
        float(np.abs(codes - resident_codes.cpu().numpy()).max()),
    )
    say(f"  encoder of the 5a model, {len(X):,} x {X.shape[1]} float32 rows; median of {r}")
    for label, seconds in [
        (f"skae transform (validation, scaler, {batch_size}-row batches)", skae_s),
        (f"raw encode, {batch_size}-row batches from and to the host", batches_s),
        ("raw encode, one pass over rows already on the device", resident_s),
    ]:
        say(
            f"  {label:<60} {seconds:8.3f} s {len(X) / seconds:>14,.0f} rows/s  "
            f"skae time / this {skae_s / seconds:6.2f}"
        )
    say(f"  largest difference between skae's codes and the raw ones: {gap:.1e}")
    assert gap <= ATOL, "the raw encoder does not compute skae's codes"


# ---------------------------------------------------------------------- driver
def run_sections(sections, deadline):
    """Run each ``(number, title, fn)``; a failure prints its traceback and the next one runs.
    Returns the numbers of those that failed or were skipped."""
    bad = []
    for number, title, fn in sections:
        say(f"\n== {number}. {title}")
        if time.perf_counter() > deadline:
            say(f"-- {number}. {title}: SKIPPED (out of time, see --budget)")
            bad.append(f"{number} (skipped)")
            continue
        start = time.perf_counter()
        try:
            fn()
            status = "ok"
        except Exception:
            traceback.print_exc(file=sys.stdout)
            status = "FAILED"
            bad.append(number)
        say(f"-- {number}. {title}: {status} in {time.perf_counter() - start:.1f} s")
    return bad


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", "--quick", action="store_true", help="sections 3-6 on the CPU, tiny sizes"
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=360.0,
        help="seconds after which no new section or measurement starts",
    )
    parser.add_argument("--threads", type=int, help="torch threads (default: 1 with --smoke)")
    parser.add_argument("--load-check", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_check:  # the CPU-only subprocess of section 4
        sys.exit(load_check(args.load_check))
    begin = time.perf_counter()
    deadline = begin + args.budget
    threads = args.threads or (1 if args.smoke else None)
    if threads:
        torch.set_num_threads(threads)
    sizes = SMOKE if args.smoke else GPU
    state = {}

    say("== 1. environment")
    section_environment(sizes)
    if not args.smoke and not torch.cuda.is_available():
        say("no CUDA device: nothing to measure")
        return 0
    bad = run_sections(
        [
            ("2", "CUDA tests", lambda: section_cuda_tests(sizes)),
            ("3", f"fits on {sizes.device}", lambda: section_fits(sizes, state)),
            (
                "4",
                f"saved on {sizes.device}, loaded without CUDA",
                lambda: section_persistence(sizes, state),
            ),
            (
                "5a",
                "epoch time vs a hand-written loop: 1M-row table",
                lambda: section_table_training(sizes, state, deadline),
            ),
            (
                "5b",
                "epoch time vs a hand-written loop: MNIST conv autoencoder",
                lambda: section_mnist_training(sizes, state, deadline),
            ),
            ("6", "inference throughput", lambda: section_inference(sizes, state)),
        ],
        deadline,
    )
    total = time.perf_counter() - begin
    say(f"\ntotal {total:.0f} s; " + (f"NOT OK: sections {', '.join(bad)}" if bad else "all ok"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
