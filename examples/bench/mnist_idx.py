"""Reading the MNIST IDX files (raw or .gz, as backflow reads them), for the peer scripts beside bench_mnist."""
import gzip
import os
import struct

import numpy as np


def read_idx(path):
    """The array in one IDX file: magic (0, 0, 8, dimension count), big-endian sizes, bytes."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def read_split(data_dir, prefix):
    """Images (scaled to [0, 1], one row each) and labels of "train" or "t10k"."""
    arrays = []
    for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
        name = os.path.join(data_dir, f"{prefix}-{kind}")
        arrays.append(read_idx(name + ".gz" if os.path.exists(name + ".gz") else name))
    images, labels = arrays
    return images.reshape(len(images), -1).astype(np.float32) / 255, labels.astype(np.int64)
