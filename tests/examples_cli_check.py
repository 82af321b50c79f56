#!/usr/bin/env python3
"""The command-line checks of mnist_mlp and hyperparams, on a tiny dataset made here.

Each bad flag must be refused with a message naming it, before any training starts; a model
from --load must fit the flags and the data. The small examples refuse bad counts and rates
the same way. Usage: examples_cli_check.py MNIST_MLP HYPERPARAMS XOR MOONS BENCH_MOONS_STEP
"""
import os
import struct
import subprocess
import sys
import tempfile

failures = []


def idx(dims, data):
    """An IDX file: magic (0, 0, 8, dimension count), big-endian sizes, then the bytes."""
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def write_dataset(directory, side):
    """20 training and 10 test images of side x side pixels, labels 0 to 9."""
    os.makedirs(directory)
    for prefix, count in (("train", 20), ("t10k", 10)):
        pixels = [(n * 7 + i) % 256 for n in range(count) for i in range(side * side)]
        with open(os.path.join(directory, prefix + "-images-idx3-ubyte"), "wb") as f:
            f.write(idx([count, side, side], pixels))
        with open(os.path.join(directory, prefix + "-labels-idx1-ubyte"), "wb") as f:
            f.write(idx([count], [n % 10 for n in range(count)]))


def run(program, *args, env=None):
    result = subprocess.run([program, *args], capture_output=True, text=True, timeout=120,
                            env=None if env is None else {**os.environ, **env})
    return result.returncode, result.stdout, result.stderr


def expect_ok(program, *args, env=None):
    code, out, err = run(program, *args, env=env)
    if code != 0:
        failures.append(f"{' '.join(args)}: exit {code}, expected 0\n{out}{err}")
    return out


# The exit status each program documents for an error (its --help footer), bad flags included.
ERROR_STATUS = {}


def expect_refused(program, *args, says, env=None):
    code, out, err = run(program, *args, env=env)
    if code == 0:
        failures.append(f"{' '.join(args)}: accepted, expected a refusal saying {says!r}")
    elif code != ERROR_STATUS[program]:
        failures.append(f"{' '.join(args)}: exit {code}, expected {ERROR_STATUS[program]} (the documented error status)")
    elif says not in err:
        failures.append(f"{' '.join(args)}: refused, but stderr does not say {says!r}:\n{err}")
    if "Epoch 1/" in out:
        failures.append(f"{' '.join(args)}: training started before the refusal")


def main():
    mnist_mlp, hyperparams, xor, moons, bench_moons_step = sys.argv[1:6]
    ERROR_STATUS.update({mnist_mlp: 1, hyperparams: 1, xor: 2, moons: 2, bench_moons_step: 1})
    for program in ERROR_STATUS:
        expect_ok(program, "--help")
        expect_refused(program, "--no-such-flag", says="--no-such-flag")
    with tempfile.TemporaryDirectory(prefix="backflow-cli-") as scratch:
        data = os.path.join(scratch, "data")
        small = os.path.join(scratch, "small")
        write_dataset(data, 4)
        write_dataset(small, 3)
        model = os.path.join(scratch, "m.bfm")
        tiny = ["--data", data, "--batch-size", "8"]

        # A model to load: 16-3(relu)-10.
        expect_ok(mnist_mlp, *tiny, "--hidden", "3", "--epochs", "1", "--save", model)
        if not os.path.exists(model):
            failures.append("--save wrote no model")
        expect_ok(mnist_mlp, *tiny, "--load", model, "--epochs", "0")
        expect_ok(mnist_mlp, *tiny, "--load", model, "--hidden", "3", "--activation", "relu", "--epochs", "1")
        expect_refused(mnist_mlp, *tiny, "--load", model, "--hidden", "5",
                       says="m.bfm: the saved model is 16-3(relu)-10, but --hidden/--activation ask for 16-5(relu)-10")
        # A flag not given takes its part from the saved model.
        expect_refused(mnist_mlp, *tiny, "--load", model, "--activation", "tanh",
                       says="the saved model is 16-3(relu)-10, but --hidden/--activation ask for 16-3(tanh)-10")
        expect_refused(mnist_mlp, *tiny, "--load", model, "--hidden", "3,2",
                       says="the saved model is 16-3(relu)-10, but --hidden/--activation ask for 16-3(relu)-2(relu)-10")
        expect_ok(mnist_mlp, *tiny, "--load", model, "--hidden", "3", "--epochs", "0")
        expect_ok(mnist_mlp, *tiny, "--load", model, "--activation", "relu", "--epochs", "0")
        # A model for 3x3 images against 4x4 ones.
        small_model = os.path.join(scratch, "small.bfm")
        expect_ok(mnist_mlp, "--data", small, "--hidden", "2", "--epochs", "1", "--save", small_model)
        expect_refused(mnist_mlp, *tiny, "--load", small_model, says="small.bfm: the saved model (9-2(relu)-10) reads 9 features")

        for bad in ("0", "-0.5", "nan", "inf"):
            expect_refused(mnist_mlp, *tiny, "--lr", bad, says="--lr")
        for flag, bad in (("--epochs", "010"), ("--seed", "-1"), ("--seed", "99999999999999999999999"),
                          ("--batch-size", "0x10"), ("--threads", "1e3")):
            expect_refused(mnist_mlp, *tiny, flag, bad, says=flag)
        expect_refused(mnist_mlp, *tiny, "--activation", "softmax", says="--activation")
        for bad in ("10,", "10,,20", ",10", "0"):
            expect_refused(mnist_mlp, *tiny, "--hidden", bad, says="--hidden")
        missing = os.path.join(scratch, "no-such-directory")
        for flag, name in (("--save", "m.bfm"), ("--samples", "s.png"), ("--graph", "g.svg")):
            expect_refused(mnist_mlp, *tiny, flag, os.path.join(missing, name), says="does not exist")

        # A directory where the file should go, or a name ending in '/': refused before training too.
        for flag, name in (("--save", "taken.bfm"), ("--samples", "taken.png"), ("--graph", "taken.svg")):
            os.makedirs(os.path.join(scratch, name))
            expect_refused(mnist_mlp, *tiny, flag, os.path.join(scratch, name), says="it is a directory")
        for flag in ("--save", "--samples"):
            expect_refused(mnist_mlp, *tiny, flag, data + "/", says="that names a directory, not a file")
        expect_refused(mnist_mlp, *tiny, "--epochs", "1", "--epochs", "2", says="--epochs")
        # --threads overrides the environment, even a bad value there; without it, the bad value is named.
        bad_threads = {"BACKFLOW_NUM_THREADS": "abc"}
        expect_ok(mnist_mlp, *tiny, "--hidden", "3", "--epochs", "1", "--threads", "1", env=bad_threads)
        expect_refused(mnist_mlp, *tiny, "--hidden", "3", "--epochs", "1", says="BACKFLOW_NUM_THREADS='abc'",
                       env=bad_threads)
        expect_refused(mnist_mlp, *tiny, "--hidden", "3", "--epochs", "1", says="BACKFLOW_NUM_THREADS=' 2'",
                       env={"BACKFLOW_NUM_THREADS": " 2"})

        expect_refused(mnist_mlp, *tiny, "--samples", os.path.join(scratch, "s.jpg"), says="name it .png")

        # A picture format render() cannot write is refused up front too, not after loading the data.
        expect_refused(mnist_mlp, *tiny, "--graph", os.path.join(scratch, "g.bmp"), says="use .dot, .svg, .png or .pdf")
        expect_refused(hyperparams, "--data", data, "--output", os.path.join(missing, "h.md"), says="does not exist")
        expect_refused(hyperparams, "--data", data, "--epochs", "010", says="--epochs")
        expect_refused(hyperparams, "--data", data, "--output", data, says="it is a directory")
        table = os.path.join(scratch, "tables", "h.md")
        os.makedirs(os.path.dirname(table))
        expect_ok(hyperparams, "--data", data, "--epochs", "1", "--output", table)
        if not os.path.isfile(table) or "# The impact of hyperparameters" not in open(table).read():
            failures.append("hyperparams wrote no table")
        if os.listdir(os.path.dirname(table)) != ["h.md"]:
            failures.append(f"hyperparams left other files: {os.listdir(os.path.dirname(table))}")

    # The small examples: counts in plain decimal digits, at least 1; rates positive and finite.
    for program, flag, bad, says in ((xor, "--epochs", "0", "needs at least 1"),
                                     (xor, "--epochs", "010", "starts with 0"),
                                     (xor, "--lr", "-1", "not a positive number"),
                                     (xor, "--lr", "inf", "not a positive number"),
                                     (moons, "--seed", "0x2a", "decimal digits"),
                                     (moons, "--steps", "-3", "decimal digits"),
                                     (bench_moons_step, "--repeats", "0", "needs at least 1")):
        expect_refused(program, flag, bad, says=f"{flag}: '{bad}'" if "needs" not in says else f"{flag}: {says}")
    expect_ok(xor)  # and the defaults still run (it exits 1 if XOR is not solved)

    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
