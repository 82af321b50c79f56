// The introduction's Keras MNIST model in backflow: 784 -> Dense(1000, relu) -> Dense(10,
// softmax), categorical cross-entropy, Adam, batch 1024, 5 epochs, validated on the test set.
#include <backflow/data.hpp>
#include <backflow/dot.hpp>
#include <backflow/layers.hpp>
#include <backflow/train.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <sstream>

using namespace backflow;

namespace {

std::vector<std::size_t> parse_hidden(const std::string& text) {
  std::vector<std::size_t> sizes;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    std::size_t used = 0;
    unsigned long units = 0;
    try {
      units = std::stoul(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || units == 0 || units > 100000) {
      throw std::invalid_argument(fmt::format("--hidden: '{}' is not a layer size (use e.g. 1000 or 512,256)", item));
    }
    sizes.push_back(units);
  }
  if (sizes.empty()) throw std::invalid_argument("--hidden: give at least one layer size");
  return sizes;
}

// Moves the pixels into a tensor: the dataset is the biggest thing in memory, keep it once.
LabeledData as_tensors(ImageSet&& set) {
  const std::size_t features = set.rows * set.cols;
  Tensor targets({set.count, 10}, one_hot(set.labels, 10));
  return {Tensor({set.count, features}, std::move(set.pixels)), std::move(targets)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The introduction's MNIST MLP: 784-1000 relu-10 softmax, Adam, batch 1024, 5 epochs"};
  std::string hidden_text = "1000";
  std::string activation_text = "relu";
  std::string optimizer_name = "adam";
  double learning_rate = -1.0;
  int epochs = 5;
  std::size_t batch_size = 1024;
  std::uint64_t seed = 42;
  int threads = 0;
  std::string data_dir;
  std::string dataset_name = "digits";
  std::string save_path;
  std::string load_path;
  std::string samples_path;
  std::string graph_path;
  app.add_option("--hidden", hidden_text, "hidden layer sizes, comma-separated")->capture_default_str();
  app.add_option("--activation", activation_text, "hidden activation: relu, sigmoid or tanh")->capture_default_str();
  app.add_option("--optimizer", optimizer_name, "adam or sgd")->capture_default_str()->check(CLI::IsMember({"adam", "sgd"}));
  app.add_option("--lr", learning_rate, "learning rate (default: 0.001 for adam, 0.1 for sgd)");
  app.add_option("--epochs", epochs, "passes over the training set")->capture_default_str()->check(CLI::Range(0, 1000));
  app.add_option("--batch-size", batch_size, "examples per step")->capture_default_str()->check(CLI::Range(1, 1000000));
  app.add_option("--seed", seed, "seed for initialisation and shuffling")->capture_default_str();
  app.add_option("--threads", threads, "matmul threads (default: BACKFLOW_NUM_THREADS, else all cores)")->check(CLI::Range(1, 1024));
  app.add_option("--data", data_dir, "directory with the four MNIST IDX files (default: $BACKFLOW_DATA, else ./data/mnist)");
  app.add_option("--dataset", dataset_name, "digits (MNIST) or fashion (Debian's Fashion-MNIST)")
      ->capture_default_str()->check(CLI::IsMember({"digits", "fashion"}));
  app.add_option("--save", save_path, "save the trained model to this file");
  app.add_option("--load", load_path, "load a model instead of initialising one");
  app.add_option("--samples", samples_path, "write the first four training images with labels to this PNG");
  app.add_option("--graph", graph_path, "draw the tensor graph of one training step to this file (.svg, .dot, .png)");
  CLI11_PARSE(app, argc, argv);

  try {
    if (threads > 0) set_num_threads(threads);
    const std::vector<std::size_t> hidden = parse_hidden(hidden_text);
    const LayerActivation activation = parse_layer_activation(activation_text);

    DataSource source;
    if (!data_dir.empty()) source.directory = data_dir;
    source.dataset = dataset_name == "fashion" ? Dataset::fashion : Dataset::digits;
    MnistData data = load_mnist(source);
    if (!data.note.empty()) fmt::print("{}\n", data.note);
    fmt::print("{}: {} training and {} test images from {}\n", data.name, data.train.count, data.test.count,
               data.directory.string());
    fmt::print("matmul: {}, {} thread(s)\n\n", matmul_backend(), num_threads());
    if (!samples_path.empty()) {
      write_sample_grid(data.train, 0, samples_path);
      fmt::print("wrote the first four training images to {}\n\n", samples_path);
    }

    const LabeledData train = as_tensors(std::move(data.train));
    const LabeledData test = as_tensors(std::move(data.test));
    std::vector<DenseSpec> specs;
    for (std::size_t units : hidden) specs.push_back({units, activation});
    specs.push_back({10, LayerActivation::softmax});
    const Sequential model = load_path.empty() ? Sequential(train.inputs.shape()[1], specs, seed) : load(load_path);
    fmt::print("{}\n", model.summary());

    if (!graph_path.empty()) {
      // One training step on the first batch, drawn after backward(): the gradient flow.
      const std::size_t rows = std::min<std::size_t>(batch_size, train.inputs.shape()[0]);
      const std::size_t features = train.inputs.shape()[1];
      Tensor x({rows, features}, std::vector<float>(train.inputs.data().begin(),
                                                    train.inputs.data().begin() + static_cast<std::ptrdiff_t>(rows * features)));
      Tensor y({rows, 10}, std::vector<float>(train.targets.data().begin(),
                                              train.targets.data().begin() + static_cast<std::ptrdiff_t>(rows * 10)));
      x.set_label("images");
      y.set_label("one-hot labels");
      Tensor loss = softmax_cross_entropy(model.logits(x), y);
      loss.set_label("loss");
      loss.backward();
      render(loss, graph_path, DotOptions{.title = "One training step of the MNIST MLP, after backward()"});
      for (const Tensor& p : model.parameters()) p.zero_grad();
      fmt::print("drew one training step's graph to {}\n\n", graph_path);
    }

    std::unique_ptr<Optimizer> optimizer;
    if (optimizer_name == "adam") {
      optimizer = std::make_unique<Adam>(model.parameters(), AdamOptions{.learning_rate = learning_rate > 0 ? learning_rate : 1e-3});
    } else {
      optimizer = std::make_unique<SGD>(model.parameters(), learning_rate > 0 ? learning_rate : 0.1);
    }
    FitOptions options;
    options.epochs = epochs;
    options.batch_size = batch_size;
    options.seed = seed;
    options.validation = test;
    const History history = fit(model, *optimizer, train, options);

    double train_seconds = 0.0;
    for (const EpochResult& epoch : history.epochs) train_seconds += epoch.train_seconds;
    const Evaluation result = evaluate(model, test, batch_size);
    if (!save_path.empty()) {
      save(model, save_path);
      fmt::print("saved the model to {}\n", save_path);
    }
    fmt::print("final: test_accuracy={:.4f} test_loss={:.4f} train_seconds={:.2f} epochs={}\n", result.accuracy,
               result.loss, train_seconds, epochs);
  } catch (const TrainingDiverged& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 1;
  }
  return 0;
}
