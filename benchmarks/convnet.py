"""Benchmark the TF.js mnist-node convnet: minitf (cpu, numpy) beside PyTorch and Keras, one run.

Every engine trains the same model (four 3x3 convolutions, two max-pools, dense 512, dropout,
softmax; 594,922 parameters) on random data of MNIST's shapes (28x28x1 float32 images, 10
one-hot classes), batch 128, for ``--steps`` optimizer steps after ``--warmup`` steps, then
predicts on the same images. Each engine runs in its own subprocess, so thread settings and
imported libraries do not interfere; the parent prints one table with minitf-cpu / peer ratios
(above 1: minitf is faster). The minitf children also print where a step's time goes, per layer
and per kernel (see minitf_profile.py).

    python benchmarks/convnet.py                          # every engine that imports
    python benchmarks/convnet.py --only minitf-cpu --steps 5
    python benchmarks/convnet.py --only torch,keras --threads 2 --json results.json
    python benchmarks/convnet.py --steps 10 --repeats 2 --rounds 3   # on a shared machine

Engines: minitf-cpu, minitf-numpy, torch-nchw, torch-cl (channels_last), keras; the aliases
``minitf`` and ``torch`` name both of theirs. PyTorch and TensorFlow are not minitf
dependencies: benchmarks/README.md shows how to install them into a separate venv.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # numpy is imported inside the engines, after the thread variables are set
    import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENGINES = ["minitf-cpu", "minitf-numpy", "torch-nchw", "torch-cl", "keras"]
ALIASES = {"minitf": ["minitf-cpu", "minitf-numpy"], "torch": ["torch-nchw", "torch-cl"],
           "tensorflow": ["keras"], "cpu": ["minitf-cpu"], "numpy": ["minitf-numpy"]}
REFERENCE = "minitf-cpu"  # the engine every ratio is taken against
BATCH = 128
IMAGE = (28, 28, 1)
CLASSES = 10

# The mnist-node convnet as (kind, size); every engine builds its model from this list.
# Convolutions are 3x3 valid with relu, pools 2x2, dense layers relu except the softmax last.
ARCH: list[tuple[str, float]] = [
    ("conv", 32), ("conv", 32), ("pool", 2), ("conv", 64), ("conv", 64), ("pool", 2),
    ("flatten", 0), ("dropout", 0.25), ("dense", 512), ("dropout", 0.5), ("dense", CLASSES)]
PARAMS = 594_922


# -- the model on paper: parameters and FLOPs from the layer shapes ------------------------------
def layer_shapes(arch: list[tuple[str, float]] = ARCH) -> list[dict[str, Any]]:
    """Each layer's input and output shape (one sample), parameters and multiply-adds."""
    shape: tuple[int, ...] = IMAGE
    rows = []
    for kind, size in arch:
        out, params, macs = shape, 0, 0
        if kind == "conv":
            h, w, c = shape
            out = (h - 2, w - 2, int(size))
            params = 3 * 3 * c * int(size) + int(size)
            macs = out[0] * out[1] * int(size) * 3 * 3 * c  # one 3x3xc dot product per output
        elif kind == "pool":
            h, w, c = shape
            out = (h // int(size), w // int(size), c)
        elif kind == "flatten":
            out = (shape[0] * shape[1] * shape[2],)
        elif kind == "dense":
            out = (int(size),)
            params = shape[0] * int(size) + int(size)
            macs = shape[0] * int(size)
        rows.append({"kind": kind, "input": shape, "output": out, "params": params, "macs": macs})
        shape = out
    return rows


def model_flops() -> dict[str, float]:
    """FLOPs per sample: forward = 2 x the conv and dense multiply-adds; training ~= 3 x forward
    (the backward pass computes two products of the forward's size: input and weight grads)."""
    forward = 2 * sum(row["macs"] for row in layer_shapes())
    return {"forward": forward, "train": 3 * forward}


# -- data and timing helpers ---------------------------------------------------------------------
def random_data(samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Uniform [0, 1) images [samples, 28, 28, 1] and one-hot labels [samples, 10], float32."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.random((samples, *IMAGE), dtype=np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, samples)]
    return x, y


def seconds(fn: Callable[[], Any], repeats: int = 1) -> float:
    """Wall-clock seconds of the fastest of ``repeats`` calls of ``fn`` (the least disturbed by
    other work on the machine)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measured(engine: str, train_s: float, infer_s: float, args: argparse.Namespace,
             **extra: Any) -> dict[str, Any]:
    """The result record of one engine: throughputs from the timed fit and predict."""
    samples = args.steps * BATCH
    return {"engine": engine, "steps": args.steps, "batch": BATCH, "threads": args.threads,
            "repeats": args.repeats,
            "train_samples_per_s": samples / train_s, "ms_per_step": 1000 * train_s / args.steps,
            "infer_samples_per_s": samples / infer_s, **extra}


# -- the engines: each returns its result record -------------------------------------------------
def run_minitf(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    """model.fit / model.predict of examples/mnist_node.py's create_model on one backend."""
    import numba

    import minitf as tf
    from minitf.backends.cpu import threads

    sys.path.insert(0, str(ROOT / "examples"))
    from mnist_node import create_model

    import minitf_profile

    backend = engine.split("-", 1)[1]
    tf.set_backend(backend)
    model = create_model()  # compiled: rmsprop, categoricalCrossentropy, accuracy
    assert model.count_params() == PARAMS, model.count_params()
    x, y = random_data(args.steps * BATCH)
    model.fit(x[:args.warmup * BATCH], y[:args.warmup * BATCH], batch_size=BATCH, epochs=1,
              verbose=0)  # warm-up: Numba compiles (or loads its cache), buffers settle
    train_s = seconds(lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0),
                      args.repeats)
    model.predict(x[:args.predict_batch], batch_size=args.predict_batch).dispose()
    infer_s = seconds(lambda: model.predict(x, batch_size=args.predict_batch).dispose(),
                      args.repeats)
    version = f"numba {numba.__version__}, OpenBLAS's {threads.blas_core()} kernels"
    result = measured(engine, train_s, infer_s, args, version=version,
                      tensors_after=tf.memory().num_tensors)
    if not args.no_breakdown:
        result["layers"] = minitf_profile.layer_times(tf, model, BATCH, args.reps)
        minitf_profile.print_layers(engine, result["layers"], result["ms_per_step"])
        result["kernels"] = minitf_profile.kernel_times(model, x, y, BATCH, args.profile_steps)
        minitf_profile.print_kernels(engine, result["kernels"], args.top)
    return result


def build_torch_model(nn: Any) -> Any:
    """ARCH as a torch.nn.Sequential on NCHW images; the last softmax is in the loss."""
    modules, channels, features = [], IMAGE[2], 0
    for row, (kind, size) in zip(layer_shapes(), ARCH):
        if kind == "conv":
            modules += [nn.Conv2d(channels, int(size), 3), nn.ReLU()]
            channels = int(size)
        elif kind == "pool":
            modules.append(nn.MaxPool2d(int(size)))
        elif kind == "flatten":
            modules.append(nn.Flatten())
            features = row["output"][0]
        elif kind == "dropout":
            modules.append(nn.Dropout(size))
        elif kind == "dense":
            modules.append(nn.Linear(features, int(size)))
            if size != CLASSES:
                modules.append(nn.ReLU())
            features = int(size)
    return nn.Sequential(*modules)


def run_torch(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    """A plain PyTorch loop: shuffled batches, RMSprop as Keras/TF.js define it (rho 0.9,
    eps 1e-7), cross-entropy on one-hot targets, the batch accuracy as minitf's fit computes."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    layout = torch.channels_last if engine == "torch-cl" else torch.contiguous_format
    model = build_torch_model(nn).to(memory_format=layout)
    params = sum(p.numel() for p in model.parameters())
    assert params == PARAMS, params
    optimizer = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    images, labels = random_data(args.steps * BATCH)
    x = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous(memory_format=layout)
    y = torch.from_numpy(labels)

    def fit(samples: int) -> None:
        model.train()
        order = torch.randperm(samples)
        for start in range(0, samples, BATCH):
            index = order[start:start + BATCH]
            xb, yb = x[index].contiguous(memory_format=layout), y[index]
            optimizer.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)  # softmax + categorical cross-entropy
            loss.backward()
            optimizer.step()
            (logits.argmax(1) == yb.argmax(1)).float().mean()  # the accuracy metric

    def predict(samples: int) -> None:
        model.eval()
        with torch.inference_mode():
            outs = [F.softmax(model(x[start:start + args.predict_batch]), dim=1)
                    for start in range(0, samples, args.predict_batch)]
            torch.cat(outs)

    fit(args.warmup * BATCH)
    train_s = seconds(lambda: fit(len(x)), args.repeats)
    predict(args.predict_batch)
    infer_s = seconds(lambda: predict(len(x)), args.repeats)
    return measured(engine, train_s, infer_s, args, version=f"torch {torch.__version__}")


def run_keras(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    """Keras 3 on TensorFlow: the same Sequential, compile and fit as mnist-node's model.js."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(IMAGE)])
    for kind, size in ARCH:
        if kind == "conv":
            model.add(layers.Conv2D(int(size), 3, activation="relu"))
        elif kind == "pool":
            model.add(layers.MaxPooling2D(int(size)))
        elif kind == "flatten":
            model.add(layers.Flatten())
        elif kind == "dropout":
            model.add(layers.Dropout(size))
        elif kind == "dense":
            activation = "softmax" if size == CLASSES else "relu"
            model.add(layers.Dense(int(size), activation=activation))
    assert model.count_params() == PARAMS, model.count_params()
    model.compile(optimizer=keras.optimizers.RMSprop(0.001, rho=0.9, epsilon=1e-7),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    x, y = random_data(args.steps * BATCH)
    model.fit(x[:args.warmup * BATCH], y[:args.warmup * BATCH], batch_size=BATCH, epochs=1,
              verbose=0)  # warm-up: traces the train function
    train_s = seconds(lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0),
                      args.repeats)
    model.predict(x[:args.predict_batch], batch_size=args.predict_batch, verbose=0)
    infer_s = seconds(lambda: model.predict(x, batch_size=args.predict_batch, verbose=0),
                      args.repeats)
    return measured(engine, train_s, infer_s, args, version=f"tensorflow {tf.__version__}, "
                    f"keras {keras.__version__}, jit_compile={model.jit_compile}")


RUNNERS = {"minitf-cpu": run_minitf, "minitf-numpy": run_minitf, "torch-nchw": run_torch,
           "torch-cl": run_torch, "keras": run_keras}
NEEDS = {"minitf-cpu": "minitf", "minitf-numpy": "minitf", "torch-nchw": "torch",
         "torch-cl": "torch", "keras": "tensorflow"}


def run_engine(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    """One engine in this process; a record with 'skipped' when its library does not import."""
    try:
        __import__(NEEDS[engine])
    except ImportError as err:
        return {"engine": engine, "skipped": f"import {NEEDS[engine]} failed: {err}"}
    print(f"[{engine}] {args.warmup} warm-up + {args.steps} timed steps, "
          f"{args.threads} threads", flush=True)
    load_before = os.getloadavg()[0]
    result = RUNNERS[engine](engine, args)
    # the 1-minute load average: above --threads, other work shared the cores while timing
    result["load"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return result


# -- the parent: one subprocess per engine, then the comparison ----------------------------------
def thread_env(threads: int) -> dict[str, str]:
    """Variables that fix each library's thread pool; read when the library is imported."""
    names = ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
             "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"]
    return {name: str(threads) for name in names} | {"TF_CPP_MIN_LOG_LEVEL": "2"}


def child_command(engine: str, json_path: str, args: argparse.Namespace) -> list[str]:
    """This script, run by ``args.python`` for one engine, writing its record to json_path."""
    command = [args.python, str(Path(__file__).resolve()), "--in-process", "--only", engine,
               "--threads", str(args.threads), "--steps", str(args.steps),
               "--warmup", str(args.warmup), "--repeats", str(args.repeats),
               "--predict-batch", str(args.predict_batch),
               "--reps", str(args.reps), "--profile-steps", str(args.profile_steps),
               "--top", str(args.top), "--json", json_path]
    return command + (["--no-breakdown"] if args.no_breakdown else [])


def run_child(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one engine in a fresh interpreter; its stdout (breakdowns) passes through."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "result.json")
        done = subprocess.run(child_command(engine, path, args), env=os.environ | thread_env(
            args.threads), stderr=None if args.verbose else subprocess.PIPE, text=True)
        if done.returncode == 0 and os.path.exists(path):
            with open(path) as f:
                return json.load(f)["results"][0]
    tail = (done.stderr or "").strip().splitlines()[-15:]
    return {"engine": engine, "error": f"exit code {done.returncode}: " + "\n".join(tail)}


def best_of_rounds(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One engine's record over several rounds: its fastest training round (with that round's
    breakdown fields), the fastest inference of any round, and every round's two numbers under
    ``rounds``. An engine that failed or was skipped in every round keeps the first record."""
    good = [r for r in records if "error" not in r and "skipped" not in r]
    if not good:
        return records[0]
    best = dict(max(good, key=lambda r: r["train_samples_per_s"]))
    best["infer_samples_per_s"] = max(r["infer_samples_per_s"] for r in good)
    best["rounds"] = [{"train_samples_per_s": r["train_samples_per_s"],
                       "infer_samples_per_s": r["infer_samples_per_s"]} for r in good]
    return best


def run_rounds(engines: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every engine once per round, round after round, each in a fresh subprocess, so that a
    slow spell of a shared machine hits all engines alike instead of the one that ran then;
    minitf's breakdowns print in the first round only."""
    records: dict[str, list[dict[str, Any]]] = {engine: [] for engine in engines}
    for round_ in range(args.rounds):
        child_args = args if round_ == 0 else argparse.Namespace(**{**vars(args),
                                                                      "no_breakdown": True})
        for engine in engines:
            records[engine].append(run_child(engine, child_args))
    return [best_of_rounds(records[engine]) for engine in engines]


def machine() -> dict[str, Any]:
    """Where and when: CPU model, core count, Python, the minitf commit (dirty when edited)."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    return {"date": datetime.datetime.now().isoformat(timespec="seconds"), "cpu": cpu,
            "cores": os.cpu_count(), "python": platform.python_version(), "minitf": commit}


def print_table(results: list[dict[str, Any]], flops: dict[str, float]) -> None:
    """Throughputs, GFLOP/s and the minitf-cpu / peer ratios (above 1: minitf is faster)."""
    ref = next((r for r in results if r["engine"] == REFERENCE and "error" not in r
                and "skipped" not in r), None)
    print(f"\nFLOPs per sample: forward {flops['forward'] / 1e6:.1f} M, "
          f"training ~{flops['train'] / 1e6:.1f} M (3 x forward)")
    head = (f"{'engine':<14}{'train samp/s':>13}{'ms/step':>9}{'train GFLOP/s':>15}"
            f"{'infer samp/s':>14}{'infer GFLOP/s':>15}{'cpu/peer train':>16}{'infer':>8}")
    print(head + "\n" + "-" * len(head))
    for r in results:
        if "skipped" in r or "error" in r:
            print(f"{r['engine']:<14}{r.get('skipped') or r['error'].splitlines()[0]}")
            continue
        train, infer = r["train_samples_per_s"], r["infer_samples_per_s"]
        ratios = ("" if ref is None else
                  f"{ref['train_samples_per_s'] / train:>16.3f}"
                  f"{ref['infer_samples_per_s'] / infer:>8.3f}")
        print(f"{r['engine']:<14}{train:>13.1f}{r['ms_per_step']:>9.1f}"
              f"{train * flops['train'] / 1e9:>15.2f}{infer:>14.1f}"
              f"{infer * flops['forward'] / 1e9:>15.2f}{ratios}")
    for r in results:
        if "version" in r:
            before, after = r["load"]
            print(f"  {r['engine']}: {r['version']}; load average {before:.2f} -> {after:.2f}")
    for r in results:
        if len(r.get("rounds", [])) > 1:
            train = [x["train_samples_per_s"] for x in r["rounds"]]
            infer = [x["infer_samples_per_s"] for x in r["rounds"]]
            print(f"  {r['engine']} by round: train {', '.join(f'{v:.0f}' for v in train)} "
                  f"(median {statistics.median(train):.0f}); infer "
                  f"{', '.join(f'{v:.0f}' for v in infer)} (median {statistics.median(infer):.0f})")


def parse_engines(text: str) -> list[str]:
    """'torch,minitf-cpu' -> ['torch-nchw', 'torch-cl', 'minitf-cpu'] (aliases expanded)."""
    engines: list[str] = []
    for name in filter(None, (part.strip() for part in text.split(","))):
        for engine in ALIASES.get(name, [name]):
            if engine not in ENGINES:
                raise SystemExit(f"unknown engine {name!r}; choose from {ENGINES} or "
                                 f"{sorted(ALIASES)}")
            if engine not in engines:
                engines.append(engine)
    return engines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="threads per engine (default: os.cpu_count())")
    parser.add_argument("--steps", type=int, default=20, help="timed training steps (20)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up training steps (2)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="timed fits (and predicts) per engine; the fastest counts (1)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run all engines this many times in turn and keep each one's "
                             "fastest round (1); fairer than --repeats on a shared machine")
    parser.add_argument("--predict-batch", type=int, default=BATCH,
                        help="batch size of predict (128)")
    parser.add_argument("--only", default=",".join(ENGINES),
                        help="comma list of engines or aliases (default: all)")
    parser.add_argument("--json", metavar="PATH", help="also write the results here")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter that runs the engines (default: this one)")
    parser.add_argument("--no-breakdown", action="store_true",
                        help="skip minitf's per-layer and per-kernel breakdowns")
    parser.add_argument("--reps", type=int, default=3,
                        help="timed repetitions per layer in the layer breakdown (3)")
    parser.add_argument("--profile-steps", type=int, default=3,
                        help="training steps timed kernel by kernel (3)")
    parser.add_argument("--top", type=int, default=15, help="kernels listed (15)")
    parser.add_argument("--in-process", action="store_true",
                        help="run the engines in this process, not one subprocess each (the "
                             "parent passes it to its children; handy under a profiler)")
    parser.add_argument("--verbose", action="store_true", help="show the children's stderr")
    args = parser.parse_args(argv)
    if not 1 <= args.warmup <= args.steps:  # the warm-up fits the first of the timed samples
        parser.error("--warmup must be between 1 and --steps")
    return args


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Run the chosen engines, print the comparison, and return the result records."""
    args = parse_args(argv)
    assert sum(row["params"] for row in layer_shapes()) == PARAMS  # ARCH is the mnist-node model
    engines = parse_engines(args.only)
    if args.in_process:
        os.environ.update(thread_env(args.threads))  # before numpy, numba, torch or tf load
        sys.path.insert(0, str(HERE))
        results = [run_engine(engine, args) for engine in engines]
    else:
        results = run_rounds(engines, args)
    flops = model_flops()
    if not args.in_process or len(engines) > 1:
        print_table(results, flops)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine(), "flops_per_sample": flops, "results": results},
                      f, indent=2)
    return results


if __name__ == "__main__":
    main()
