#pragma once
// Owning pointers for GLib/GMime objects, so every exit path drops its
// references (g_object_unref) and strings (g_free).
#include <glib-object.h>

#include <memory>

namespace omnigate::adapters::email {

struct GObjectUnref {
  void operator()(void* p) const {
    if (p) g_object_unref(p);
  }
};
template <class T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GFreeDeleter {
  void operator()(void* p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<char, GFreeDeleter>;

}  // namespace omnigate::adapters::email
