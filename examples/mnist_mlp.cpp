// The introduction's Keras MNIST model in backflow: 784 -> Dense(1000, relu) -> Dense(10,
// softmax), categorical cross-entropy, Adam, batch 1024, 5 epochs, validated on the test set.
#include "cli_checks.hpp"
#include <backflow/files.hpp>  // check_writable, for the output flags

#include <backflow/data.hpp>
#include <backflow/dot.hpp>
#include <backflow/layers.hpp>
#include <backflow/train.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>

using namespace backflow;

namespace {

constexpr std::size_t class_count = 10;

std::vector<std::size_t> parse_hidden(const std::string& text) {
  std::vector<std::size_t> sizes;
  std::size_t begin = 0;
  while (begin <= text.size()) {  // split by hand: getline would drop the empty item after "10,"
    const std::size_t comma = std::min(text.find(',', begin), text.size());
    const std::string item = text.substr(begin, comma - begin);
    const bool plain = examples::decimal_problem(item).empty() && item.size() <= 6;
    const unsigned long units = plain ? std::stoul(item) : 0;
    if (item.empty()) {
      throw std::invalid_argument(
          fmt::format("--hidden '{}': a layer size is missing (use e.g. 1000 or 512,256)", text));
    }
    if (units == 0 || units > 100000) {
      throw std::invalid_argument(fmt::format(
          "--hidden '{}': '{}' is not a layer size from 1 to 100000 (use e.g. 1000 or 512,256)", text, item));
    }
    sizes.push_back(units);
    begin = comma + 1;
  }
  return sizes;
}

/// "784-1000(relu)-10": inputs, then each layer's units and activation (a last softmax unsaid).
std::string architecture_text(std::size_t inputs, const std::vector<DenseSpec>& layers) {
  std::string text = std::to_string(inputs);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const bool last_softmax = i + 1 == layers.size() && layers[i].activation == LayerActivation::softmax;
    text += fmt::format("-{}", layers[i].units);
    if (!last_softmax) text += fmt::format("({})", activation_name(layers[i].activation));
  }
  return text;
}

std::vector<DenseSpec> specs_of(const Sequential& model) {
  std::vector<DenseSpec> specs;
  for (const Dense& layer : model.layers()) specs.push_back({layer.units(), layer.activation()});
  return specs;
}

/// The layers that --hidden and --activation ask for; a flag not given takes its part from
/// the `saved` model.
std::vector<DenseSpec> requested_layers(const std::vector<DenseSpec>& saved,
                                        const std::optional<std::vector<std::size_t>>& hidden,
                                        const std::optional<LayerActivation>& activation) {
  const std::size_t saved_hidden = saved.size() - 1;
  const std::size_t count = hidden ? hidden->size() : saved_hidden;
  std::vector<DenseSpec> layers;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t units = hidden ? (*hidden)[i] : saved[i].units;
    const LayerActivation saved_activation = i < saved_hidden ? saved[i].activation : LayerActivation::relu;
    layers.push_back({units, activation.value_or(saved_activation)});
  }
  layers.push_back({class_count, LayerActivation::softmax});
  return layers;
}

/// A model from --load, checked against the flags: its layers when --hidden or --activation
/// was given (nullopt when not), and always the 10 classes.
Sequential load_checked(const std::string& file, const std::optional<std::vector<std::size_t>>& hidden,
                        const std::optional<LayerActivation>& activation) {
  Sequential model = load(file);
  const std::vector<DenseSpec> saved = specs_of(model);
  const std::vector<DenseSpec> requested = requested_layers(saved, hidden, activation);
  const bool same =
      saved.size() == requested.size() &&
      std::equal(saved.begin(), saved.end(), requested.begin(), [](const DenseSpec& a, const DenseSpec& b) {
        return a.units == b.units && a.activation == b.activation;
      });
  if ((hidden || activation) && !same) {
    throw std::invalid_argument(fmt::format("{}: the saved model is {}, but --hidden/--activation ask for {}", file,
                                            architecture_text(model.inputs(), saved),
                                            architecture_text(model.inputs(), requested)));
  }
  if (model.outputs() != class_count) {
    throw std::invalid_argument(fmt::format("{}: the saved model ({}) has {} outputs, but the dataset has {} classes",
                                            file, architecture_text(model.inputs(), saved), model.outputs(),
                                            class_count));
  }
  return model;
}

// Moves the pixels into a tensor: the dataset is the biggest thing in memory, keep it once.
LabeledData as_tensors(ImageSet&& set) {
  const std::size_t features = set.rows * set.cols;
  Tensor targets({set.count, class_count}, one_hot(set.labels, class_count));
  return {Tensor({set.count, features}, std::move(set.pixels)), std::move(targets)};
}

bool is_png_name(const std::filesystem::path& file) {
  std::string extension = file.extension().string();
  std::ranges::transform(extension, extension.begin(), [](unsigned char letter) { return std::tolower(letter); });
  return extension == ".png";
}

int run(int argc, char** argv) {
  CLI::App app{"The introduction's MNIST MLP: 784-1000 relu-10 softmax, Adam, batch 1024, 5 epochs"};
  app.footer(
      "Exit status: 0 on success, 1 on an error (bad flag, data or model file), 3 when the loss stops being "
      "a finite number.");
  std::string hidden_text = "1000";
  std::string activation_text = "relu";
  std::string optimizer_name = "adam";
  double learning_rate = 0.0;
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
  CLI::Option* hidden_option =
      app.add_option("--hidden", hidden_text, "hidden layer sizes, comma-separated")->capture_default_str();
  CLI::Option* activation_option = app.add_option("--activation", activation_text, "hidden activation")
                                       ->capture_default_str()
                                       ->check(CLI::IsMember({"relu", "sigmoid", "tanh"}));
  app.add_option("--optimizer", optimizer_name, "adam or sgd")
      ->capture_default_str()
      ->check(CLI::IsMember({"adam", "sgd"}));
  CLI::Option* learning_rate_option =
      app.add_option("--lr", learning_rate, "learning rate (default: 0.001 for adam, 0.1 for sgd)")
          ->check(examples::positive_finite);
  app.add_option("--epochs", epochs, "passes over the training set (0: only evaluate, e.g. a model from --load)")
      ->capture_default_str()
      ->check(examples::decimal_digits)
      ->check(CLI::Range(0, 1000));
  app.add_option("--batch-size", batch_size, "examples per step")
      ->capture_default_str()
      ->check(examples::decimal_digits)
      ->check(CLI::Range(1, 1000000));
  app.add_option("--seed", seed, "seed for initialisation and shuffling")
      ->capture_default_str()
      ->check(examples::decimal_digits);
  app.add_option("--threads", threads, "matmul threads (default: BACKFLOW_NUM_THREADS, else all cores)")
      ->check(examples::decimal_digits)
      ->check(CLI::Range(1, 1024));
  app.add_option("--data", data_dir,
                 "directory with the four MNIST IDX files (default: $BACKFLOW_DATA, else ./data/mnist)")
      ->check(examples::non_empty_path);
  app.add_option("--dataset", dataset_name, "digits (MNIST) or fashion (Debian's Fashion-MNIST)")
      ->capture_default_str()
      ->check(CLI::IsMember({"digits", "fashion"}));
  app.add_option("--save", save_path, "save the trained model to this file")->check(examples::non_empty_path);
  app.add_option("--load", load_path,
                 "load a model instead of initialising one (its layers must match --hidden and --activation if given)")
      ->check(examples::non_empty_path);
  app.add_option("--samples", samples_path, "write the first four training images with labels to this PNG")
      ->check(examples::non_empty_path);
  app.add_option("--graph", graph_path,
                 "draw the tensor graph of one training step to this file (.svg, .png, .pdf, .dot)")
      ->check(examples::non_empty_path);
  if (const auto status = examples::parse_command_line(app, argc, argv, 1)) return *status;

  try {
    // Before anything slow: a mistyped output path must not cost a training run.
    for (const std::string* output : {&save_path, &samples_path}) {
      if (!output->empty()) check_writable(*output);
    }
    if (!samples_path.empty() && !is_png_name(samples_path)) {
      throw std::invalid_argument(
          fmt::format("--samples '{}': the grid is a PNG picture; name it NAME.png", samples_path));
    }
    if (!samples_path.empty() && !png_available()) {
      throw std::invalid_argument("--samples: this backflow was built without libpng, so it cannot write PNG files");
    }
    if (!graph_path.empty()) check_render_target(graph_path);
    examples::check_separate_places({{"--save", save_path}, {"--samples", samples_path}, {"--graph", graph_path}});
    if (threads > 0) set_num_threads(threads);
    num_threads();  // refuses a bad BACKFLOW_NUM_THREADS now, not after reading the data
    const std::vector<std::size_t> hidden = parse_hidden(hidden_text);
    const LayerActivation activation = parse_layer_activation(activation_text);
    std::vector<DenseSpec> specs;
    for (std::size_t units : hidden) specs.push_back({units, activation});
    specs.push_back({class_count, LayerActivation::softmax});
    std::optional<Sequential> loaded;
    if (!load_path.empty()) {
      loaded = load_checked(load_path, hidden_option->count() > 0 ? std::optional(hidden) : std::nullopt,
                            activation_option->count() > 0 ? std::optional(activation) : std::nullopt);
    }

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
    const std::size_t features = train.inputs.shape()[1];
    if (loaded && loaded->inputs() != features) {
      throw std::invalid_argument(
          fmt::format("{}: the saved model ({}) reads {} features, but the images in {} have "
                      "{}",
                      load_path, architecture_text(loaded->inputs(), specs_of(*loaded)), loaded->inputs(),
                      data.directory.string(), features));
    }
    const Sequential model = loaded ? std::move(*loaded) : Sequential(features, specs, seed);
    fmt::print("{}\n", model.summary());

    if (!graph_path.empty()) {
      // One training step on the first batch, drawn after backward(): the gradient flow.
      const std::size_t rows = std::min<std::size_t>(batch_size, train.inputs.shape()[0]);
      Tensor x({rows, features},
               std::vector<float>(train.inputs.data().begin(),
                                  train.inputs.data().begin() + static_cast<std::ptrdiff_t>(rows * features)));
      Tensor y({rows, class_count},
               std::vector<float>(train.targets.data().begin(),
                                  train.targets.data().begin() + static_cast<std::ptrdiff_t>(rows * class_count)));
      x.set_label("images");
      y.set_label("one-hot labels");
      Tensor loss = softmax_cross_entropy(model.logits(x), y);
      loss.set_label("loss");
      loss.backward();
      render(loss, graph_path, DotOptions{.title = "One training step of the MNIST MLP, after backward()"});
      for (const Tensor& p : model.parameters()) p.zero_grad();
      fmt::print("drew one training step's graph to {}\n\n", graph_path);
    }

    const bool adam = optimizer_name == "adam";
    const double step_size = learning_rate_option->count() > 0 ? learning_rate : adam ? 1e-3 : 0.1;
    std::unique_ptr<Optimizer> optimizer;
    if (adam) {
      optimizer = std::make_unique<Adam>(model.parameters(), AdamOptions{.learning_rate = step_size});
    } else {
      optimizer = std::make_unique<SGD>(model.parameters(), step_size);
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
    examples::print_error(e.what());
    return 3;
  } catch (const std::bad_alloc&) {
    // std::fprintf, not fmt::format: with no memory left, making a string can fail too.
    std::fprintf(stderr, "backflow: out of memory: the model (%s%s) or a batch (--batch-size %zu) does not fit\n",
                 load_path.empty() ? "--hidden " : "--load ",
                 load_path.empty() ? hidden_text.c_str() : load_path.c_str(), batch_size);
    return 1;
  } catch (const std::exception& e) {
    examples::print_error(e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_checking_stdout(run, argc, argv, 1); }
