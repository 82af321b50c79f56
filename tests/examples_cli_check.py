#!/usr/bin/env python3
"""The command-line checks of the examples, on a tiny dataset made here.

Each bad flag must be refused with a message naming it, before any training starts; a model
from --load must fit the flags and the data. The small examples refuse bad counts and rates
the same way, refuse bad output files before writing any, and every example fails when its
output cannot be written. bench_mnist's numpy replay must agree with backflow, on the MNIST
digits (BACKFLOW_TEST_MNIST) or else Fashion-MNIST. The other examples (forward_pass, values, plots, bench_mnist) are
taken from beside XOR. Usage: examples_cli_check.py MNIST_MLP HYPERPARAMS XOR MOONS BENCH_MOONS_STEP
"""
import os
import re
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


def expect_output_failure_reported(program, *args):
    """With stdout on a full device, the program must say so and exit with its error status."""
    with open("/dev/full", "w") as full:
        result = subprocess.run([program, *args], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    name = os.path.basename(program)
    if result.returncode != ERROR_STATUS[program]:
        failures.append(f"{name} {' '.join(args)} > /dev/full: exit {result.returncode}, "
                        f"expected {ERROR_STATUS[program]}\n{result.stderr}")
    elif "backflow: could not write the output (stdout): No space left on device" not in result.stderr:
        failures.append(f"{name} {' '.join(args)} > /dev/full: stderr does not say so:\n{result.stderr}")


def expect_ok(program, *args, env=None):
    code, out, err = run(program, *args, env=env)
    if code != 0:
        failures.append(f"{' '.join(args)}: exit {code}, expected 0\n{out}{err}")
    return out


# The exit status each program documents for an error (its --help footer), bad flags included.
ERROR_STATUS = {}


def expect_refused(program, *args, says, env=None, not_printed=None):
    code, out, err = run(program, *args, env=env)
    if code == 0:
        failures.append(f"{' '.join(args)}: accepted, expected a refusal saying {says!r}")
    elif code != ERROR_STATUS[program]:
        failures.append(f"{' '.join(args)}: exit {code}, expected {ERROR_STATUS[program]} (the documented error status)")
    elif says not in err:
        failures.append(f"{' '.join(args)}: refused, but stderr does not say {says!r}:\n{err}")
    if "Epoch 1/" in out:
        failures.append(f"{' '.join(args)}: training started before the refusal")
    if not_printed is not None and not_printed in out:
        failures.append(f"{' '.join(args)}: printed {not_printed!r} before the refusal:\n{out}")


def expect_not_written(path, command):
    if os.path.exists(path):
        failures.append(f"{command}: refused, but {os.path.basename(path)} was written first")


def check_exit_status_footer(program):
    """--help ends with an "Exit status" footer whose error status is the one the program uses."""
    out = expect_ok(program, "--help")
    stated = re.search(r"Exit status:.*?(\d) on an error", out, re.DOTALL)
    if stated is None:
        failures.append(f"{os.path.basename(program)} --help: no 'Exit status: ... N on an error' footer")
    elif int(stated.group(1)) != ERROR_STATUS[program]:
        failures.append(f"{os.path.basename(program)} --help says {stated.group(1)} on an error, "
                        f"but it exits {ERROR_STATUS[program]}")


def no_plural_after_one(program, out, noun):
    if re.search(rf"\b1 {noun}s\b", out):
        failures.append(f"{os.path.basename(program)}: says '1 {noun}s':\n{out}")

FASHION = "/usr/share/datasets/fashion-mnist"


def check_numpy_replay(bench_mnist, scratch):
    """bench_mnist --replay: numpy, started from backflow's initial weights and batch order, must
    end where backflow ends but for float rounding, and leave no files behind. After one epoch
    the two runs' test predictions differ on 0 or 1 of 10,000 MNIST digits (9 to 23 Fashion-MNIST
    images); with another seed's batch order they differ on about 150 (600 to 700)."""
    data = os.environ.get("BACKFLOW_TEST_MNIST") or (FASHION if os.path.isdir(FASHION) else None)
    has_numpy = subprocess.run(["/usr/bin/python3", "-c", "import numpy"], capture_output=True).returncode == 0
    if not data or not has_numpy:
        why = "bench_mnist --replay needs python3-numpy and the MNIST digits (BACKFLOW_TEST_MNIST) or Fashion-MNIST"
        if os.environ.get("BACKFLOW_TESTS_REQUIRE_ALL") == "1":
            failures.append(f"cannot run, and BACKFLOW_TESTS_REQUIRE_ALL=1: {why}")
        else:
            print(f"skipped: {why}")
        return
    temporary = os.path.join(scratch, "replay-tmp")
    os.makedirs(temporary)
    out = expect_ok(bench_mnist, "--data", data, "--no-torch", "--seeds", "42", "--epochs", "1", "--replay",
                    env={"TMPDIR": temporary})
    apart = re.search(r"replay of seed 42: .* their predictions differ on (\d+) of 10000 test images", out)
    if not apart or int(apart.group(1)) > 50:
        failures.append(f"bench_mnist --replay on {data}: numpy did not end where backflow did:\n{out}")
    if os.listdir(temporary):
        failures.append(f"bench_mnist --replay left files in TMPDIR: {os.listdir(temporary)}")


def main():
    mnist_mlp, hyperparams, xor, moons, bench_moons_step = sys.argv[1:6]
    forward_pass, values, plots, bench_mnist = (os.path.join(os.path.dirname(xor), name)
                                                for name in ("forward_pass", "values", "plots", "bench_mnist"))
    ERROR_STATUS.update({mnist_mlp: 1, hyperparams: 1, xor: 2, moons: 2, bench_moons_step: 1, forward_pass: 2,
                         values: 1, plots: 1, bench_mnist: 1})
    for program in ERROR_STATUS:
        check_exit_status_footer(program)
        required = ["--data", os.path.dirname(xor)] if program == bench_mnist else []
        expect_refused(program, *required, "--no-such-flag", says="--no-such-flag")
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
        # strtod reads hexadecimal ("0x10" is 16) and skips leading spaces; a rate is written in decimal.
        for bad in ("0x10", "0x1p-3", " 0.5"):
            expect_refused(mnist_mlp, *tiny, "--lr", bad, says=f"--lr: '{bad}' is not a number in decimal notation")
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
                       env=bad_threads, not_printed="training and")
        expect_refused(hyperparams, "--data", data, "--epochs", "1", "--output", "", says="BACKFLOW_NUM_THREADS='abc'",
                       env=bad_threads, not_printed="per trial")
        expect_refused(mnist_mlp, *tiny, "--hidden", "3", "--epochs", "1", says="BACKFLOW_NUM_THREADS=' 2'",
                       env={"BACKFLOW_NUM_THREADS": " 2"})

        expect_refused(mnist_mlp, *tiny, "--samples", os.path.join(scratch, "s.jpg"), says="name it NAME.png")
        # An empty path (an unset variable in a script) is not the default, nor "no output".
        for flag in ("--data", "--save", "--load", "--samples", "--graph"):
            expect_refused(mnist_mlp, flag, "", says=f"{flag}: an empty path names nothing")
        # Two outputs in one place: the later would silently replace the earlier.
        same = os.path.join(scratch, "same.png")
        expect_refused(mnist_mlp, *tiny, "--samples", same, "--save", same, says="would write to the same place")
        expect_not_written(same, "mnist_mlp --samples same.png --save same.png")
        # Something that is no model is refused after its first bytes, even one that never ends.
        expect_refused(mnist_mlp, *tiny, "--load", "/dev/zero", "--epochs", "0", says="not a backflow model")
        # Renaming over a device would replace it with a regular file (as root, /dev/null).
        expect_refused(mnist_mlp, *tiny, "--save", "/dev/null", says="it is a device")
        # A run whose last step ruins the weights exits 3 and saves nothing over the old model.
        with open(model, "rb") as f:
            saved = f.read()
        code, _, err = run(mnist_mlp, "--data", data, "--batch-size", "20", "--hidden", "3", "--epochs", "1",
                           "--optimizer", "sgd", "--lr", "1e39", "--save", model)
        if code != 3 or "became NaN or infinite in epoch 1" not in err:
            failures.append(f"--lr 1e39 with one step an epoch: exit {code}, expected 3 naming the weights\n{err}")
        with open(model, "rb") as f:
            if f.read() != saved:
                failures.append("a diverged run replaced the saved model")

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
        # The command it quotes must name the data it read.
        written_by = [line for line in open(table) if line.startswith("Written by")] if os.path.isfile(table) else []
        if not written_by or f"--data {data}" not in written_by[0]:
            failures.append(f"hyperparams' 'Written by' line leaves out --data {data}: {written_by}")

        # A benchmark reports the targets it met and missed, and exits 0 either way.
        out = expect_ok(bench_mnist, "--data", data, "--no-torch", "--seeds", "7", "--epochs", "1")
        # Tiny generated data is not the MNIST digits: its accuracy is not held to MNIST's target.
        if not re.search(r"verdict: time (met|NOT met) .*accuracy not judged .*memory (met|NOT met) ", out):
            failures.append(f"bench_mnist: no verdict on the targets (accuracy on tiny data is not judged):\n{out}")
        no_plural_after_one(bench_mnist, out, "seed")
        check_numpy_replay(bench_mnist, scratch)

        # Output that cannot be written is an error, said on stderr.
        if os.path.exists("/dev/full"):
            for program, args in ((mnist_mlp, [*tiny, "--hidden", "3", "--epochs", "1"]),
                                  (hyperparams, ["--data", data, "--epochs", "1", "--output", ""]),
                                  (bench_mnist, ["--data", data, "--no-torch", "--seeds", "7", "--epochs", "1"]),
                                  (xor, ["--epochs", "1"]), (xor, ["--print-every", "1"]), (moons, ["--steps", "1"]),
                                  (bench_moons_step, ["--repeats", "1"]), (forward_pass, []), (values, []),
                                  (plots, ["--output", os.path.join(scratch, "plots"), "--epochs", "10"])):
                expect_output_failure_reported(program, *args)
                expect_output_failure_reported(program, "--help")

        # Every output is checked before any is written: a bad one must not come after a good one.
        good, bad = os.path.join(scratch, "good.svg"), os.path.join(scratch, "bad.txt")
        unknown_format = "cannot tell the format of"
        for program, args, says in ((forward_pass, ["--forward-graph", good, "--graph", bad], unknown_format),
                                    (values, ["--forward-graph", good, "--graph", bad], unknown_format),
                                    (xor, ["--graph", good, "--frames", good], "would write to the same place"),
                                    (moons, ["--frames", good, "--graph", bad], unknown_format)):
            expect_refused(program, *args, says=says, not_printed="loss")
            expect_not_written(good, f"{os.path.basename(program)} {' '.join(args)}")
        not_a_directory = os.path.join(scratch, "frames-file")
        with open(not_a_directory, "w") as f:
            f.write("kept")
        for program in (xor, moons, forward_pass):
            expect_refused(program, "--frames", "", says="--frames: an empty path names nothing")
            expect_refused(program, "--frames", not_a_directory, says="it exists and is not a directory",
                           not_printed="loss")
            expect_refused(program, "--frames", os.path.join(not_a_directory, "sub"), says="Not a directory",
                           not_printed="loss")
        if open(not_a_directory).read() != "kept":
            failures.append("--frames wrote over a file")

        # values says what it wrote, as the other examples do.
        before, after = os.path.join(scratch, "before.dot"), os.path.join(scratch, "after.dot")
        out = expect_ok(values, "--forward-graph", before, "--graph", after)
        for path in (before, after):
            if f"wrote {path}" not in out:
                failures.append(f"values: no 'wrote {path}' line:\n{out}")

        # moons --frames says what it is doing before the long wait (read as it comes, then stopped).
        frames = os.path.join(scratch, "moons-frames")
        with subprocess.Popen([moons, "--frames", frames, "--steps", "1"], stdout=subprocess.PIPE, text=True) as moons_run:
            announced = next((line for line in moons_run.stdout if "frames into" in line), "")
            moons_run.kill()
        if not re.match(rf"writing \d+ frames into {re.escape(frames)}", announced):
            failures.append(f"moons --frames: no 'writing N frames into DIR' line before the frames: {announced!r}")

    # The small examples: counts in plain decimal digits, at least 1; rates positive and finite.
    for program, flag, bad, says in ((xor, "--epochs", "0", "needs at least 1"),
                                     (xor, "--epochs", "010", "starts with 0"),
                                     (xor, "--lr", "-1", "not a positive number"),
                                     (xor, "--lr", "inf", "not a positive number"),
                                     (moons, "--seed", "0x2a", "decimal digits"),
                                     (moons, "--steps", "-3", "decimal digits"),
                                     (bench_moons_step, "--repeats", "0", "needs at least 1")):
        expect_refused(program, flag, bad, says=f"{flag}: '{bad}'" if "needs" not in says else f"{flag}: {says}")
    # Too large a step: the run stops where the loss stops being a number, and says why.
    code, out, err = run(xor, "--activation", "linear", "--lr", "1e300")
    if code != 1 or "the loss became NaN at epoch" not in err or "nan" in out:
        failures.append(f"xor --lr 1e300: exit {code}, expected 1 and the epoch where the loss became NaN\n{out}{err}")
    # A flag that changes only the pictures is refused without a picture to change.
    expect_refused(moons, "--expand", says="--expand changes the pictures of --graph and --frames")
    expect_refused(forward_pass, "--lr", "1e308", says="--lr: '1e308' is more than 1000")
    # A count too large for the program says so, not that it "could not convert".
    expect_refused(moons, "--steps", "99999999999", says="--steps: Value 99999999999 not in range 1 to 1000000")
    expect_refused(xor, "--epochs", "99999999999", says="--epochs: Value 99999999999 not in range 1 to 10000000")
    expect_ok(xor)  # and the defaults still run (it exits 1 if XOR is not solved)

    # Integer flags: a decimal-digits refusal names the real problem (not CLI11's range check).
    for program, args in ((xor, ["--hidden", "2.5"]), (plots, ["--epochs", "1e3"]),
                          (bench_mnist, ["--data", os.path.dirname(xor), "--threads", "1.5"])):
        flag, bad = args[-2:]
        expect_refused(program, *args, says=f"{flag}: '{bad}' is not a whole number")
    expect_refused(xor, "--lr", "0x10", says="--lr: '0x10' is not a number in decimal notation")
    expect_refused(xor, "--activation", "softmax", says="--activation")
    help_text = expect_ok(xor, "--help")
    if "{sigmoid,relu,tanh,linear}" not in help_text or "dead units" not in help_text:
        failures.append(f"xor --help: does not list the activations and relu's dead units:\n{help_text}")
    # What --help says about relu: it does not solve XOR with the defaults.
    code, out, _ = run(xor, "--activation", "relu")
    if code != 1 or "NOT solved" not in out:
        failures.append(f"xor --activation relu: exit {code}; --help says it does not solve XOR\n{out}")

    # The log and the verdict count epochs the same way.
    out = expect_ok(xor, "--print-every", "1")
    logged = re.findall(r"^epoch +(\d+) ", out, re.MULTILINE)
    verdict = re.search(r"solved after (\d+) epochs", out)
    if not logged or verdict is None or logged[-1] != verdict.group(1):
        failures.append(f"xor: the last logged epoch ({logged[-1:]}) is not the verdict's count "
                        f"({verdict and verdict.group(1)})")
    for program, args, noun in ((xor, ["--epochs", "1"], "epoch"), (moons, ["--steps", "1"], "step"),
                                (bench_moons_step, ["--repeats", "1"], "step")):
        no_plural_after_one(program, run(program, *args)[1], noun)

    # forward_pass: the delta rule's step is gradient descent's direction and half its size.
    out = expect_ok(forward_pass)
    steps = re.search(r"delta rule ([-+]\d+\.\d+), gradient descent ([-+]\d+\.\d+)", out)
    if "the same direction" not in out or "half its size" not in out or steps is None:
        failures.append(f"forward_pass: does not say same direction, half the step, with both numbers:\n{out}")
    elif abs(2 * float(steps.group(1)) - float(steps.group(2))) > 2e-6:
        failures.append(f"forward_pass: gradient descent's step {steps.group(2)} is not twice {steps.group(1)}")

    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
