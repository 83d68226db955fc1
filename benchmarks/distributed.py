"""Data-parallel training: allreduce cost measured here, epoch time modelled for N workers.

Measures, in one run: (1) allreduce time against message size with 2 processes on this
machine (`mpiexec -n 2`, passos.distributed.allreduce_ as DistributedOptimizer calls it);
(2) the course's DFN and CNN: gradient size (one allreduce per step: one float32 buffer)
and one process's compute time per training step (the fastest of several) on one core;
(3) a model of the epoch time for N = 1 ... 64 workers, one core each, on 10 and 100 Gbit/s
networks: steps S / (N b), each costing compute + 2 ceil(log2 N) a + 2 (N-1)/N M / B
(MPICH's reduce-scatter + allgather allreduce for large messages; a: per-message latency,
B: link bandwidth, M: gradient bytes).

    python benchmarks/distributed.py [--batch 128] [--samples 54000] [--json out.json]
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time

os.environ.setdefault("PASSOS_THREADS", "1")  # one core per worker, as in the model
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

SIZES = [2 ** k for k in range(2, 25, 2)]  # bytes: 4 B ... 16 MiB
# (per-message latency s, bandwidth bytes/s): TCP over 10 Gbit Ethernet; RDMA at 100 Gbit/s
NETWORKS = {"10 Gbit/s": (30e-6, 10e9 / 8), "100 Gbit/s": (3e-6, 100e9 / 8)}
WORKERS = [1, 2, 4, 8, 16, 32, 64]


def measure_allreduce(extra_sizes):
    """{bytes: median seconds} of an allreduce of float32 buffers (run under mpiexec)."""
    from mpi4py import MPI
    import passos.distributed as hvd
    hvd.init(timeout=120)
    world = MPI.COMM_WORLD
    times = {}
    for nbytes in sorted(set(SIZES) | set(extra_sizes)):
        buffer = np.ones(max(nbytes // 4, 1), np.float32)
        repeats = max(9, min(500, int(4e7 // max(nbytes, 1))))
        samples = {"passos": [], "mpi": []}  # ours (with the timeout) and MPI's blocking call
        for _ in range(repeats):
            for kind, call in (("passos", lambda: hvd.allreduce_(buffer)),
                               ("mpi", lambda: world.Allreduce(MPI.IN_PLACE, buffer))):
                hvd.barrier()
                start = time.perf_counter()
                call()
                samples[kind].append(time.perf_counter() - start)
        times[nbytes] = [float(np.median(samples[k])) for k in ("passos", "mpi")]
    if hvd.rank() == 0:
        print(json.dumps(times))


def launch_allreduce(extra_sizes):
    mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or \
        shutil.which("mpiexec")
    if mpiexec is None:
        sys.exit("benchmarks/distributed.py needs mpiexec: pip install 'passos[mpi]'")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([mpiexec, "-n", "2", sys.executable, os.path.abspath(__file__),
                           "--allreduce", ",".join(map(str, extra_sizes))],
                          capture_output=True, text=True, timeout=600, check=True,
                          env={**os.environ, "PYTHONPATH": root})
    return {int(k): v for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def step_times(name, batches):
    """(gradient bytes, {batch: median seconds of one training step}) of a course model."""
    from passos.course import fashion
    model = fashion.MODELS[name]()
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    rng = np.random.default_rng(0)
    times = {}
    for batch in batches:
        x = rng.random((batch,) + tuple(model.input_shape[1:]), dtype=np.float32)
        y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch)]
        for _ in range(2):
            model.train_on_batch(x, y)
        samples = []
        for _ in range(max(3, int(2000 // batch) if name == "cnn" else int(8000 // batch))):
            start = time.perf_counter()
            model.train_on_batch(x, y)
            samples.append(time.perf_counter() - start)
        times[batch] = float(np.min(samples))  # the fastest: the least disturbed by other work
    nbytes = sum(int(np.prod(w.shape)) * 4 for w in model.trainable_weights)
    return nbytes, times


def allreduce_model(n, nbytes, latency, bandwidth):
    """Seconds of one allreduce of `nbytes` over n workers (reduce-scatter + allgather)."""
    if n == 1:
        return 0.0
    return 2 * math.ceil(math.log2(n)) * latency + 2 * (n - 1) / n * nbytes / bandwidth


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=128, help="per-process batch")
    parser.add_argument("--samples", type=int, default=54000, help="training samples an epoch")
    parser.add_argument("--global-batch", type=int, default=1024,
                        help="the fixed global batch of the strong-scaling table")
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--allreduce", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.allreduce is not None:
        return measure_allreduce([int(s) for s in args.allreduce.split(",") if s])
    # 1. the models: gradient bytes and compute per step on one core, at the per-process
    #    batch (weak scaling) and at global // N (strong scaling)
    batches = sorted({args.batch} | {max(args.global_batch // n, 1) for n in WORKERS})
    models = {name: step_times(name, batches) for name in ("dfn", "cnn")}
    # 2. allreduce here, 2 processes, sizes up to 16 MiB and the models' gradients
    measured = launch_allreduce([nbytes for nbytes, _ in models.values()])
    print("allreduce, 2 processes on this machine (shared memory), float32 buffers:")
    print(f"{'bytes':>12} {'allreduce_':>11} {'GB/s':>6} {'MPI blocking':>13}")
    for nbytes, (seconds, blocking) in sorted(measured.items()):
        print(f"{nbytes:>12,} {seconds * 1e6:>9.1f}µs {nbytes / seconds / 1e9:>6.2f} "
              f"{blocking * 1e6:>11.1f}µs")
    print(f"\nper step, batch {args.batch} per process, one core:")
    for name, (nbytes, compute) in models.items():
        comm = measured[nbytes][0]
        print(f"  {name}: gradients {nbytes / 1e6:.2f} MB in one allreduce: {comm * 1e3:.2f} ms "
              f"here; compute {compute[args.batch] * 1e3:.2f} ms; communication "
              f"{comm / compute[args.batch]:.1%} of it")
        print("        compute by batch: " + ", ".join(f"{b}: {t * 1e3:.2f} ms"
                                                     for b, t in compute.items()))
    # 3. the model of an epoch for N workers: weak scaling (batch per worker fixed, the global
    #    batch grows with N) and strong scaling (global batch fixed, split over the workers)
    tables = {}
    for scaling, per_worker in (("weak", lambda n: args.batch),
                                ("strong", lambda n: max(args.global_batch // n, 1))):
        table = tables[scaling] = {}
        for name, (nbytes, compute) in models.items():
            for network, (latency, bandwidth) in NETWORKS.items():
                table[f"{name} {network}"] = [
                    math.ceil(args.samples / (n * per_worker(n))) *
                    (compute[per_worker(n)] + allreduce_model(n, nbytes, latency, bandwidth))
                    for n in WORKERS]
        print(f"\nmodelled epoch seconds, {scaling} scaling ({args.samples:,} samples, "
              + (f"batch {args.batch} per worker" if scaling == "weak" else
                 f"global batch {args.global_batch}") + "; speed-up over 1 worker in brackets):")
        print(f"{'':>18}" + "".join(f"{'N=' + str(n):>14}" for n in WORKERS))
        for key, row in table.items():
            print(f"{key:>18}" + "".join(f"{t:>7.2f} ({row[0] / t:>4.1f})" for t in row))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"allreduce": measured, "models": models, "epoch": tables,
                       "workers": WORKERS, "networks": NETWORKS}, f, indent=1)


if __name__ == "__main__":
    main()
