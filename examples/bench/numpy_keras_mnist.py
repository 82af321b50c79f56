#!/usr/bin/env python3
"""A plain numpy version of the introduction's Keras model: the accuracy reference for bench_mnist.

784 -> Dense(1000, relu) -> Dense(10, softmax), mean categorical cross-entropy, Keras' Adam
(lr 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7 added to sqrt(v) after the bias correction is
folded into the step size), Glorot-uniform kernels, zero biases, batch 1024 with the last
partial batch kept, a fresh shuffle every epoch, all in float32. Written out by hand so that
every step is visible and nothing differs from Keras' arithmetic.

Two ways to run it:
  numpy_keras_mnist.py DATA_DIR EPOCHS SEED [SEED ...]
      numpy draws the weights and the batch order from each seed. Its generator differs from
      backflow's, so the same seed gives other (equally likely) weights: compare the means.
  numpy_keras_mnist.py --replay START_DIR DATA_DIR EPOCHS
      starts from backflow's own initial weights and takes its batches in backflow's order,
      both written by bench_mnist --replay into START_DIR; writes the test predictions there.
      What is left to differ is float rounding.
Prints one line per seed (or epoch) and a final machine-readable line.
"""
import os
import sys
import time

import numpy as np

from mnist_idx import read_split

HIDDEN = 1000
BATCH = 1024


def glorot_uniform(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def predict(params, x):
    hidden = np.maximum(x @ params[0] + params[1], 0)
    return (hidden @ params[2] + params[3]).argmax(axis=1)


def train(params, epoch_orders, x, y_one_hot, after_epoch=lambda epoch: None):
    """Trains params in place, one epoch per order of the rows; returns seconds per epoch."""
    mean = [np.zeros_like(p) for p in params]
    square_mean = [np.zeros_like(p) for p in params]
    step = 0
    seconds = []
    for epoch, order in enumerate(epoch_orders, 1):
        start = time.perf_counter()
        for begin in range(0, x.shape[0], BATCH):
            index = order[begin:begin + BATCH]
            xb, yb = x[index], y_one_hot[index]
            hidden = np.maximum(xb @ params[0] + params[1], 0)
            logits = hidden @ params[2] + params[3]
            logits -= logits.max(axis=1, keepdims=True)
            probabilities = np.exp(logits)
            probabilities /= probabilities.sum(axis=1, keepdims=True)
            d_logits = (probabilities - yb) / len(index)  # mean cross-entropy through softmax
            d_hidden = (d_logits @ params[2].T) * (hidden > 0)
            grads = [xb.T @ d_hidden, d_hidden.sum(axis=0), hidden.T @ d_logits, d_logits.sum(axis=0)]
            step += 1
            step_size = np.float32(1e-3 * np.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step))
            for p, g, m, v in zip(params, grads, mean, square_mean):
                m *= np.float32(0.9)
                m += np.float32(0.1) * g
                v *= np.float32(0.999)
                v += np.float32(0.001) * g * g
                p -= step_size * m / (np.sqrt(v) + np.float32(1e-7))
        seconds.append(time.perf_counter() - start)
        after_epoch(epoch)
    return sum(seconds) / len(seconds)


def run_seeds(data_dir, epochs, seeds):
    x, y = read_split(data_dir, "train")
    x_test, y_test = read_split(data_dir, "t10k")
    y_one_hot = np.eye(10, dtype=np.float32)[y]
    accuracies = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        params = [glorot_uniform(rng, x.shape[1], HIDDEN), np.zeros(HIDDEN, np.float32),
                  glorot_uniform(rng, HIDDEN, 10), np.zeros(10, np.float32)]
        orders = (rng.permutation(x.shape[0]) for _ in range(epochs))
        seconds = train(params, orders, x, y_one_hot)
        accuracies.append(float((predict(params, x_test) == y_test).mean()))
        print(f"numpy seed {seed:>4}: {seconds:.3f} s/epoch, test accuracy {accuracies[-1]:.4f}", flush=True)
    print(f"numpy: mean_test_accuracy={np.mean(accuracies):.4f} seeds={len(seeds)}")


def replay(start_dir, data_dir, epochs):
    x, y = read_split(data_dir, "train")
    x_test, y_test = read_split(data_dir, "t10k")
    y_one_hot = np.eye(10, dtype=np.float32)[y]
    # backflow's parameters in its order (kernel [784, 1000], bias, kernel [1000, 10], bias),
    # row-major float32; its row orders as uint32, one epoch after another. Both in this
    # machine's byte order: bench_mnist wrote them here.
    weights = np.fromfile(os.path.join(start_dir, "initial_weights.f32"), dtype=np.float32)
    shapes = [(x.shape[1], HIDDEN), (HIDDEN,), (HIDDEN, 10), (10,)]
    sizes = [int(np.prod(shape)) for shape in shapes]
    if weights.size != sum(sizes):
        sys.exit(f"numpy replay: {start_dir}: {weights.size} initial weights, expected {sum(sizes)}")
    params = [part.reshape(shape) for part, shape in zip(np.split(weights, np.cumsum(sizes)[:-1]), shapes)]
    orders = np.fromfile(os.path.join(start_dir, "epoch_orders.u32"), dtype=np.uint32)
    if orders.size != epochs * x.shape[0]:
        sys.exit(f"numpy replay: {start_dir}: {orders.size} row indices, expected {epochs} epochs of {x.shape[0]}")

    def report(epoch):
        accuracy = (predict(params, x_test) == y_test).mean()
        print(f"numpy replay epoch {epoch}: test accuracy {accuracy:.4f}", flush=True)

    train(params, orders.reshape(epochs, x.shape[0]), x, y_one_hot, report)
    predicted = predict(params, x_test)
    predicted.astype(np.uint8).tofile(os.path.join(start_dir, "numpy_predictions.u8"))
    print(f"numpy replay: test_accuracy={(predicted == y_test).mean():.4f}")


def main():
    if sys.argv[1:2] == ["--replay"]:
        replay(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        run_seeds(sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3:]])


if __name__ == "__main__":
    main()
