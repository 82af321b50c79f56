// render(): DOT text to a file, through the Graphviz library for .svg, .png and .pdf.
//
// Graphviz behind one door: this is the only file that includes its headers (they define
// MIN, MAX, TRUE and FALSE). One context for the whole process (freeing and recreating it
// makes the next layout read freed memory), one mutex (the library is not thread-safe), and
// its error messages collected and turned into exceptions.
#include "../io/atomic_file.hpp"

#include <backflow/dot.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>

#ifdef BACKFLOW_HAVE_GRAPHVIZ
#include <graphviz/gvc.h>

#include <memory>
#include <mutex>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>
#endif

namespace backflow {
namespace {

/// The formats render() writes, from the file's extension.
std::string format_of(const std::filesystem::path& file) {
  const std::string extension = file.extension().string();
  std::string lower = extension;  // "picture.SVG" is an SVG too
  std::ranges::transform(lower, lower.begin(), [](unsigned char letter) { return std::tolower(letter); });
  for (const char* known : {".dot", ".svg", ".png", ".pdf"}) {
    if (lower == known) return lower.substr(1);
  }
  throw std::invalid_argument(
      fmt::format("backflow: render: cannot tell the format of '{}' from its extension "
                  "'{}'; use .dot, .svg, .png or .pdf",
                  file.string(), extension));
}

// dot's layout of ~1,600 nodes takes 0.4 s, of ~13,000 more than two minutes: pictures laid
// out here are summarised down to this many nodes whatever max_nodes asks.
constexpr std::size_t most_nodes_to_lay_out = 1500;

DotOptions within_layout_limit(const DotOptions& options) {
  DotOptions limited = options;
  limited.max_nodes = std::min(options.max_nodes, most_nodes_to_lay_out);
  return limited;
}

#ifdef BACKFLOW_HAVE_GRAPHVIZ

// gvRenderData's length is `unsigned int*` in Graphviz 2.x and `size_t*` later: ask the
// declaration instead of guessing.
template <class Length>
Length length_type_of(int (*)(GVC_t*, graph_t*, const char*, char**, Length*));
using RenderLength = decltype(length_type_of(&gvRenderData));

// Reading DOT so that the same text gives the same picture, byte for byte.
//
// cgraph's default ID discipline makes a named object's ID the address of its interned name,
// and keeps subgraphs in ID order. With address-space randomisation the clusters came out of
// the SVG writer in a different order on every run (agmemread's graphs). These IDs count up
// in the order the parser meets the names instead: even for named objects, odd for anonymous
// ones, as in cgraph's own scheme. The names themselves are interned by Graphviz (agstrdup):
// its writers look for a mark just before each name that only its own strings carry.
struct NameIds {
  Agraph_t* graph = nullptr;
  std::unordered_map<std::string_view, IDTYPE> id_of;  // views of the interned names
  std::vector<char*> names;                            // names[id / 2 - 1]
  IDTYPE next_anonymous = 1;
};

void* open_name_ids(Agraph_t* graph, Agdisc_t*) {
  auto* ids = new NameIds();
  ids->graph = graph;
  return ids;
}

// Called from Graphviz's C parser: nothing may be thrown through it.
long map_name_id(void* state, int, char* name, IDTYPE* id, int create) noexcept {
  auto& ids = *static_cast<NameIds*>(state);
  if (name == nullptr) {
    *id = ids.next_anonymous;
    ids.next_anonymous += 2;
    return 1;
  }
  if (const auto found = ids.id_of.find(name); found != ids.id_of.end()) {
    *id = found->second;
    return 1;
  }
  if (create == 0) return 0;  // a lookup of a name never created
  try {
    char* interned = agstrdup(ids.graph, name);
    if (interned == nullptr) return 0;
    ids.names.push_back(interned);
    *id = 2 * static_cast<IDTYPE>(ids.names.size());
    ids.id_of.emplace(interned, *id);
    return 1;
  } catch (...) {  // out of memory: Graphviz reports the object as not made
    return 0;
  }
}

long refuse_chosen_id(void*, int, IDTYPE) { return 0; }  // only agidnode() and the like ask
void keep_name_id(void*, int, IDTYPE) {}                 // names go with the graph's strings
char* name_of_id(void* state, int, IDTYPE id) {
  const auto& ids = *static_cast<NameIds*>(state);
  if (id % 2 == 1 || id == 0 || id / 2 > ids.names.size()) return nullptr;  // anonymous
  return ids.names[id / 2 - 1];
}
void close_name_ids(void* state) { delete static_cast<NameIds*>(state); }
void register_nothing(void*, int, void*) {}

Agiddisc_t ordered_ids = {open_name_ids, map_name_id,    refuse_chosen_id, keep_name_id,
                          name_of_id,    close_name_ids, register_nothing};

// DOT text handed to the parser a line at a time, as agmemread's reader does.
struct TextReader {
  std::string_view text;
};

int read_line(void* channel, char* buffer, int size) {
  auto& reader = *static_cast<TextReader*>(channel);
  if (size <= 0 || reader.text.empty()) return 0;
  const std::size_t line_end = reader.text.find('\n');
  const std::size_t count = std::min({line_end == std::string_view::npos ? reader.text.size() : line_end + 1,
                                      reader.text.size(), static_cast<std::size_t>(size)});
  std::copy_n(reader.text.data(), count, buffer);
  reader.text.remove_prefix(count);
  return static_cast<int>(count);
}

/// The graph in `dot`, with IDs in reading order; nullptr when it cannot be read.
Agraph_t* read_dot(const std::string& dot) {
  // The graph keeps pointers to these disciplines, so they outlive it.
  static Agiodisc_t text_io = {read_line, AgIoDisc.putstr, AgIoDisc.flush};
  static Agdisc_t discipline = {&AgMemDisc, &ordered_ids, &text_io};
  TextReader reader{dot};
  return agread(&reader, &discipline);
}

class Graphviz {
 public:
  /// The process's one Graphviz; deliberately never destroyed (see the file comment).
  static Graphviz& instance() {
    static Graphviz* const graphviz = new Graphviz();
    return *graphviz;
  }

  /// The picture as bytes in `format`. `target` ("'out.svg'", or "" for memory) goes into
  /// the error messages so they say which picture failed.
  std::string render_data(const std::string& dot, const std::string& format, const std::string& target) {
    const std::lock_guard lock(mutex_);
    const Layout layout(*this, dot, target);
    char* data = nullptr;
    RenderLength length = 0;
    const int status = gvRenderData(context_, layout.graph(), format.c_str(), &data, &length);
    // The length, not strlen: PNG and PDF bytes contain zeros.
    std::string result = data != nullptr ? std::string(data, length) : std::string();
    gvFreeRenderData(data);
    if (status != 0 || failed()) {
      throw std::runtime_error(
          fmt::format("backflow: render: Graphviz could not render {}{}: {}", format, for_target(target), messages()));
    }
    return result;
  }

 private:
  Graphviz() : context_(gvContext()) { agseterrf(&Graphviz::collect); }

  /// A graph parsed from DOT and laid out, freed in the right order when it goes.
  class Layout {
   public:
    Layout(Graphviz& graphviz, const std::string& dot, const std::string& target) : context_(graphviz.context_) {
      graphviz.messages_.clear();
      graph_ = read_dot(dot);
      if (graph_ == nullptr) {
        throw std::runtime_error(fmt::format("backflow: render: Graphviz could not read the DOT text{}: {}",
                                             for_target(target), graphviz.messages()));
      }
      if (gvLayout(context_, graph_, "dot") != 0) {
        agclose(graph_);
        throw std::runtime_error(fmt::format("backflow: render: Graphviz could not lay out the graph{}: {}",
                                             for_target(target), graphviz.messages()));
      }
    }
    Layout(const Layout&) = delete;
    Layout& operator=(const Layout&) = delete;
    ~Layout() {
      gvFreeLayout(context_, graph_);
      agclose(graph_);
    }
    Agraph_t* graph() const { return graph_; }

   private:
    GVC_t* context_;
    Agraph_t* graph_ = nullptr;
  };

  static std::string for_target(const std::string& target) { return target.empty() ? "" : " for " + target; }

  bool failed() const { return messages_.find("Error") != std::string::npos; }

  std::string messages() const {
    std::string text = messages_;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text.empty() ? "(no message)" : text;
  }

  // Graphviz reports through a C callback; only called while mutex_ is held.
  static int collect(char* text) {
    instance().messages_ += text;
    return 0;
  }

  std::mutex mutex_;
  GVC_t* context_;
  std::string messages_;
};

#else

[[noreturn]] void throw_without_graphviz(const std::string& what) {
  throw std::runtime_error(
      fmt::format("backflow: render: {} needs Graphviz, but backflow was built without Graphviz "
                  "(install libgraphviz-dev and reconfigure); .dot files work without it",
                  what));
}

#endif

}  // namespace

bool graphviz_available() {
#ifdef BACKFLOW_HAVE_GRAPHVIZ
  return true;
#else
  return false;
#endif
}

void check_render_target(const std::filesystem::path& file) {
  [[maybe_unused]] const std::string format = format_of(file);  // throws for an unknown extension
  check_writable(file);
#ifndef BACKFLOW_HAVE_GRAPHVIZ
  if (format != "dot") throw_without_graphviz("'" + file.string() + "'");
#endif
}

void render(const GraphView& graph, const std::filesystem::path& file, const DotOptions& options) {
  const std::string format = format_of(file);
  detail::resolve_destination(file);  // a file it may not replace is refused before the layout, not after
  const std::string dot = to_dot(graph, format == "dot" ? options : within_layout_limit(options));
  if (format == "dot") {
    write_file_atomically(file, dot);
    return;
  }
#ifdef BACKFLOW_HAVE_GRAPHVIZ
  // Rendered in memory, then written aside and renamed: left to write the file itself,
  // Graphviz leaves half of it, or calls exit(1), when the disk fills up.
  write_file_atomically(file, Graphviz::instance().render_data(dot, format, fmt::format("'{}'", file.string())));
#else
  throw_without_graphviz("'" + file.string() + "'");
#endif
}

void render(const Value& root, const std::filesystem::path& file, const DotOptions& options) {
  render(make_graph_view(root), file, options);
}

std::string render_to_memory(const GraphView& graph, std::string_view format, const DotOptions& options) {
  // Graphviz also has formats that open a window (and, without a display, crash or exit the
  // process) or that write files of their own beside the picture: none gives bytes.
  const std::string_view device = format.substr(0, format.find(':'));  // "png:cairo" is png
  for (std::string_view unsuitable : {"x11", "xlib", "gtk", "vrml"}) {
    if (device == unsuitable) {
      throw std::invalid_argument(
          fmt::format("backflow: render_to_memory: '{}' is not a format of bytes: it {}", format,
                      device == "vrml" ? "writes an image file for every node" : "draws in a window"));
    }
  }
  std::string dot = to_dot(graph, format == "dot" ? options : within_layout_limit(options));
  if (format == "dot") return dot;
#ifdef BACKFLOW_HAVE_GRAPHVIZ
  return Graphviz::instance().render_data(dot, std::string(format), "");
#else
  throw_without_graphviz(fmt::format("format '{}'", format));
#endif
}

}  // namespace backflow
