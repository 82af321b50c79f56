// "The impact of various hyperparameters": a small sweep over hidden layers, hidden units,
// activation and learning rate on MNIST (or Fashion-MNIST), printed as a table and written
// to a Markdown file with a short reading of the results.
#include "cli_checks.hpp"
#include <backflow/files.hpp>  // write_file_atomically: the table appears whole or not at all

#include <backflow/data.hpp>
#include <backflow/layers.hpp>
#include <backflow/train.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <string_view>

using namespace backflow;

namespace {

struct Trial {
  std::string group;  // which hyperparameter this row varies
  std::vector<std::size_t> hidden;
  LayerActivation activation = LayerActivation::relu;
  std::string optimizer = "adam";
  double learning_rate = 1e-3;
  // results
  double accuracy = 0.0;
  double loss = 0.0;
  double seconds = 0.0;
  bool diverged = false;
};

std::string hidden_text(const std::vector<std::size_t>& hidden) {
  std::string text;
  for (std::size_t units : hidden) text += fmt::format("{}{}", text.empty() ? "" : ",", units);
  return text;
}

std::string row(const Trial& t) {
  return fmt::format("| {:<13} | {:<11} | {:<10} | {:<9} | {:<7} | {:>8} | {:>9} | {:>8.1f} |", t.group,
                     hidden_text(t.hidden), activation_name(t.activation), t.optimizer, t.learning_rate,
                     t.diverged ? "diverged" : fmt::format("{:.4f}", t.accuracy),
                     t.diverged ? "-" : fmt::format("{:.4f}", t.loss), t.seconds);
}

std::vector<Trial> sweep() {
  std::vector<Trial> trials;
  for (std::size_t units : {32, 128, 1000}) trials.push_back({.group = "hidden units", .hidden = {units}});
  trials.push_back({.group = "hidden layers", .hidden = {512, 256}});
  trials.push_back({.group = "hidden layers", .hidden = {256, 256, 256}});
  for (auto a : {LayerActivation::sigmoid, LayerActivation::tanh}) {
    trials.push_back({.group = "activation", .hidden = {1000}, .activation = a});
  }
  for (double lr : {1e-4, 1e-2, 1e-1})
    trials.push_back({.group = "learning rate", .hidden = {1000}, .learning_rate = lr});
  for (double lr : {0.01, 0.1, 1.0}) {
    trials.push_back({.group = "sgd", .hidden = {1000}, .optimizer = "sgd", .learning_rate = lr});
  }
  return trials;
}

std::string setting(const Trial& t) {
  if (t.group == "hidden units" || t.group == "hidden layers") return fmt::format("hidden {}", hidden_text(t.hidden));
  if (t.group == "activation") return std::string(activation_name(t.activation));
  if (t.group == "sgd") return fmt::format("SGD lr {}", t.learning_rate);
  return fmt::format("lr {}", t.learning_rate);
}

// `text` as one word for the shell: as it is when that is safe, else in single quotes.
std::string shell_word(const std::string& text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char letter) {
    return std::isalnum(letter) != 0 ||
           std::string_view("_-./:=+,").find(static_cast<char>(letter)) != std::string_view::npos;
  });
  if (plain) return text;
  std::string quoted = "'";
  for (char letter : text) quoted += letter == '\'' ? std::string("'\\''") : std::string(1, letter);
  return quoted + "'";
}

// The flags that reproduce the data this run read: the directory it was read from (whether
// named by --data, BACKFLOW_DATA or the default) and the dataset found there.
std::string data_flags(const MnistData& data) {
  return fmt::format(" --data {}{}", shell_word(data.directory.string()),
                     data.dataset == Dataset::fashion ? " --dataset fashion" : "");
}

std::string percent(const Trial& t) { return t.diverged ? "diverged" : fmt::format("{:.2f}%", t.accuracy * 100); }

// One sentence per hyperparameter: each variant against the baseline (the 1000-unit relu
// network with Adam at 0.001), and which did best. Written from the numbers, so it stays true.
std::string reading(const std::vector<Trial>& trials) {
  const Trial* baseline = nullptr;
  for (const Trial& t : trials) {
    if (t.group == "hidden units" && t.hidden == std::vector<std::size_t>{1000}) baseline = &t;
  }
  std::vector<std::string> order;
  for (const Trial& t : trials) {
    if (std::find(order.begin(), order.end(), t.group) == order.end()) order.push_back(t.group);
  }
  std::string text;
  for (const std::string& group : order) {
    std::vector<const Trial*> rows;
    for (const Trial& t : trials) {
      if (t.group == group && &t != baseline) rows.push_back(&t);
    }
    std::string variants;
    const Trial* best = baseline;
    for (const Trial* t : rows) {
      variants += fmt::format("{}{} {}", variants.empty() ? "" : ", ", setting(*t), percent(*t));
      if (!t->diverged && (best == nullptr || t->accuracy > best->accuracy)) best = t;
    }
    text += fmt::format("- **{}**: baseline {}; {}. Best: {}.\n", group, baseline != nullptr ? percent(*baseline) : "?",
                        variants, best == baseline ? "the baseline" : setting(*best));
  }
  return text;
}

int run(int argc, char** argv) {
  CLI::App app{"Sweep hidden layers, units, activation and learning rate; write a Markdown table"};
  app.footer(
      "Exit status: 0 on success (a diverged trial is a result in the table), 1 on an error (bad flag, data or "
      "output file).");
  std::string data_dir;
  std::string dataset_name = "digits";
  int epochs = 2;
  std::string output = "docs/hyperparameters.md";
  std::uint64_t seed = 42;
  app.add_option("--data", data_dir, "directory with the MNIST IDX files (default: $BACKFLOW_DATA, else ./data/mnist)")
      ->check(examples::non_empty_path);
  app.add_option("--dataset", dataset_name, "digits or fashion")
      ->capture_default_str()
      ->check(CLI::IsMember({"digits", "fashion"}));
  app.add_option("--epochs", epochs, "epochs per trial")
      ->capture_default_str()
      ->check(examples::decimal_digits)
      ->check(CLI::Range(1, 100));
  app.add_option("--output", output, "Markdown file to write ('' for none)")->capture_default_str();
  app.add_option("--seed", seed, "seed for every trial")->capture_default_str()->check(examples::decimal_digits);
  if (const auto status = examples::parse_command_line(app, argc, argv, 1)) return *status;

  try {
    // Before the sweep, not after it: a mistyped directory must not cost the whole run.
    if (!output.empty()) check_writable(output);
    num_threads();  // refuses a bad BACKFLOW_NUM_THREADS now, not after reading the data
    DataSource source;
    if (!data_dir.empty()) source.directory = data_dir;
    source.dataset = dataset_name == "fashion" ? Dataset::fashion : Dataset::digits;
    MnistData data = load_mnist(source);
    if (!data.note.empty()) fmt::print("{}\n", data.note);
    const std::size_t features = data.train.rows * data.train.cols;
    const Tensor train_targets({data.train.count, 10}, one_hot(data.train.labels, 10));
    const LabeledData train_set{Tensor({data.train.count, features}, std::move(data.train.pixels)), train_targets};
    const LabeledData test_set{Tensor({data.test.count, features}, std::move(data.test.pixels)),
                               Tensor({data.test.count, 10}, one_hot(data.test.labels, 10))};

    const std::string header =
        fmt::format("| {:<13} | {:<11} | {:<10} | {:<9} | {:<7} | {:>8} | {:>9} | {:>8} |", "varies", "hidden",
                    "activation", "optimizer", "lr", "accuracy", "test loss", "seconds");
    const std::string rule =
        "|---------------|-------------|------------|-----------|---------|---------:|----------:|---------:|";
    const std::string epochs_text = fmt::format("{} epoch{}", epochs, epochs == 1 ? "" : "s");
    fmt::print("{} ({} per trial, batch 1024, seed {})\n\n{}\n{}\n", data.name, epochs_text, seed, header, rule);
    std::vector<Trial> trials = sweep();
    for (Trial& t : trials) {
      std::vector<DenseSpec> specs;
      for (std::size_t units : t.hidden) specs.push_back({units, t.activation});
      specs.push_back({10, LayerActivation::softmax});
      const Sequential model(features, specs, seed);
      std::unique_ptr<Optimizer> optimizer;
      if (t.optimizer == "adam") {
        optimizer = std::make_unique<Adam>(model.parameters(), AdamOptions{.learning_rate = t.learning_rate});
      } else {
        optimizer = std::make_unique<SGD>(model.parameters(), t.learning_rate);
      }
      FitOptions options;
      options.epochs = epochs;
      options.seed = seed;
      options.progress = nullptr;
      try {
        const History history = fit(model, *optimizer, train_set, options);
        for (const EpochResult& e : history.epochs) t.seconds += e.train_seconds;
        const Evaluation result = evaluate(model, test_set);
        t.accuracy = result.accuracy;
        t.loss = result.loss;
      } catch (const TrainingDiverged&) {
        t.diverged = true;
      }
      fmt::print("{}\n", row(t));
    }
    const std::string findings = reading(trials);
    fmt::print("\n{}", findings);

    if (!output.empty()) {
      std::string text = fmt::format(
          "# The impact of hyperparameters\n\n"
          "Written by `build/examples/hyperparams{}{}{}` on {} ({} training, {} test images): {} per trial,\n"
          "batch 1024, seed {}. Baseline: {} -> Dense(1000, relu) -> Dense(10, softmax), Adam, learning\n"
          "rate 0.001; each row changes one thing. Accuracy and loss are on the test set; seconds are training\n"
          "time on the machine that wrote this file.\n\n{}\n{}\n",
          data_flags(data), epochs == 2 ? "" : fmt::format(" --epochs {}", epochs),
          seed == 42 ? "" : fmt::format(" --seed {}", seed), data.name, data.train.count, data.test.count, epochs_text,
          seed, features, header, rule);
      for (const Trial& t : trials) text += row(t) + "\n";
      text += "\n## Reading the table\n\n" + findings;
      write_file_atomically(output, text);
      fmt::print("\nwrote {}\n", output);
    }
  } catch (const std::exception& e) {
    examples::print_error(e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_checking_stdout(run, argc, argv, 1); }
