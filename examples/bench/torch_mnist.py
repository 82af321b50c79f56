#!/usr/bin/env python3
"""PyTorch's version of the introduction's MNIST model, for bench_mnist to compare against.

784 -> Linear(1000) relu -> Linear(10), cross-entropy on logits (softmax fused, as in
backflow), Adam(lr 1e-3, eps 1e-7), batch 1024, Keras' Glorot-uniform init and zero biases.
Reads the same IDX files (raw or .gz). Prints one line per epoch and a final machine-readable line.
Usage: torch_mnist.py DATA_DIR EPOCHS THREADS
"""
import sys
import time

import torch

from mnist_idx import read_split


def main():
    data_dir, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    x, y, xt, yt = (torch.from_numpy(a) for a in (*read_split(data_dir, "train"), *read_split(data_dir, "t10k")))
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 1000), torch.nn.ReLU(), torch.nn.Linear(1000, 10))
    for layer in (model[0], model[2]):
        torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    epoch_times = []
    for epoch in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(x.shape[0])
        for begin in range(0, x.shape[0], 1024):
            index = order[begin:begin + 1024]
            optimizer.zero_grad()
            loss = loss_fn(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
        epoch_times.append(time.perf_counter() - start)
        with torch.no_grad():
            accuracy = (model(xt).argmax(1) == yt).float().mean().item()
        print(f"torch epoch {epoch + 1}: {epoch_times[-1]:.3f} s, test accuracy {accuracy:.4f}", flush=True)
    print(f"torch: epoch_seconds={sum(epoch_times) / len(epoch_times):.4f} test_accuracy={accuracy:.4f}")


if __name__ == "__main__":
    main()
