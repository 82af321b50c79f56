// backflow/backflow.hpp: everything, for programs that do not mind the compile time.
#pragma once

#include <backflow/data.hpp>
#include <backflow/dot.hpp>
#include <backflow/files.hpp>
#include <backflow/gradcheck.hpp>
#include <backflow/graph.hpp>
#include <backflow/layers.hpp>
#include <backflow/losses.hpp>
#include <backflow/nn.hpp>
#include <backflow/optim.hpp>
#include <backflow/plot.hpp>
#include <backflow/random.hpp>
#include <backflow/scope.hpp>
#include <backflow/tensor.hpp>
#include <backflow/toy_data.hpp>
#include <backflow/train.hpp>
#include <backflow/value.hpp>
