#!/usr/bin/env python3
"""A plain numpy version of the introduction's Keras model: the accuracy reference for bench_mnist.

784 -> Dense(1000, relu) -> Dense(10, softmax), mean categorical cross-entropy, Keras' Adam
(lr 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7 added to sqrt(v) after the bias correction is
folded into the step size), Glorot-uniform kernels, zero biases, batch 1024 with the last
partial batch kept, a fresh shuffle every epoch, all in float32. Written out by hand so that
every step is visible and nothing differs from Keras' arithmetic; numpy's random generator
differs from backflow's, so the same seed gives different (equally likely) weights.
Usage: numpy_keras_mnist.py DATA_DIR EPOCHS SEED [SEED ...]
Prints one line per seed and a final machine-readable line.
"""
import sys
import time

import numpy as np

from mnist_idx import read_split


def glorot_uniform(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def train_and_test(seed, epochs, x, y_one_hot, x_test, y_test):
    rng = np.random.default_rng(seed)
    params = [glorot_uniform(rng, x.shape[1], 1000), np.zeros(1000, np.float32),
              glorot_uniform(rng, 1000, 10), np.zeros(10, np.float32)]
    mean = [np.zeros_like(p) for p in params]
    square_mean = [np.zeros_like(p) for p in params]
    step = 0
    start = time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(x.shape[0])
        for begin in range(0, x.shape[0], 1024):
            index = order[begin:begin + 1024]
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
    seconds = (time.perf_counter() - start) / epochs
    hidden = np.maximum(x_test @ params[0] + params[1], 0)
    accuracy = float(((hidden @ params[2] + params[3]).argmax(axis=1) == y_test).mean())
    return seconds, accuracy


def main():
    data_dir, epochs, seeds = sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3:]]
    x, y = read_split(data_dir, "train")
    x_test, y_test = read_split(data_dir, "t10k")
    y_one_hot = np.eye(10, dtype=np.float32)[y]
    accuracies = []
    for seed in seeds:
        seconds, accuracy = train_and_test(seed, epochs, x, y_one_hot, x_test, y_test)
        accuracies.append(accuracy)
        print(f"numpy seed {seed:>4}: {seconds:.3f} s/epoch, test accuracy {accuracy:.4f}", flush=True)
    print(f"numpy: mean_test_accuracy={np.mean(accuracies):.4f} seeds={len(seeds)}")


if __name__ == "__main__":
    main()
