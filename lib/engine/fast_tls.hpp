// Thread-locals read once per node or more. Meson builds static libraries with -fPIC, and
// there the default TLS model calls __tls_get_addr on every access; "initial-exec" is a
// plain offset from the thread pointer (about 15% of a micrograd demo step). The cost: a
// library loaded later with dlopen() takes its few dozen bytes from the process's spare
// static TLS space.
#pragma once

#if defined(__GNUC__)
#define BACKFLOW_FAST_TLS __attribute__((tls_model("initial-exec")))
#else
#define BACKFLOW_FAST_TLS
#endif
