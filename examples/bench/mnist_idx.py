"""Reading the MNIST IDX .gz files, for the peer scripts beside bench_mnist."""
import gzip
import struct

import numpy as np


def read_idx(path):
    """The array in one IDX .gz file: magic (0, 0, 8, dimension count), big-endian sizes, bytes."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
