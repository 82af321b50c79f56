#!/usr/bin/env bash
# Regenerates every picture and table in docs/ from the example programs.
# Run from the repository root after `meson compile -C build`. MNIST_DIR (default:
# $BACKFLOW_DATA, else data/mnist) holds the MNIST IDX files for the sample image and the
# hyperparameter table.
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${MNIST_DIR:-${BACKFLOW_DATA:-data/mnist}}

# docs/gallery (see docs/gallery.md)
build/examples/forward_pass --forward-graph docs/gallery/worked_example_forward.svg \
                            --graph docs/gallery/worked_example_backward.svg \
                            --frames docs/gallery/worked_example_frames >/dev/null
build/examples/xor --graph docs/gallery/xor.svg >/dev/null
build/examples/xor --graph docs/gallery/xor_collapsed.svg --collapse >/dev/null
build/examples/moons --steps 1 --graph docs/gallery/moons_collapsed.svg >/dev/null || true  # one step is not 100%
build/examples/mnist_mlp --data "$mnist" --epochs 0 --graph docs/gallery/mnist_step.svg >/dev/null

# docs/tutorial/img
mkdir -p docs/tutorial/img
build/examples/values --forward-graph docs/tutorial/img/values_forward.svg \
                      --graph docs/tutorial/img/values_backward.svg >/dev/null
build/examples/forward_pass --forward-graph docs/tutorial/img/worked_example_forward.svg \
                            --graph docs/tutorial/img/worked_example_backward.svg \
                            --frames docs/tutorial/img/worked_example_frames >/dev/null
build/examples/plots --output docs/tutorial/img --epochs 2000 >/dev/null
build/examples/mnist_mlp --data "$mnist" --epochs 1 --samples docs/tutorial/img/samples.png >/dev/null

# docs/hyperparameters.md
build/examples/hyperparams --data "$mnist" --epochs 2 --output docs/hyperparameters.md
