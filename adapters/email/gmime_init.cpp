#include "adapters/email/gmime_init.h"

#include <gmime/gmime.h>
#include <libxml/parser.h>

#include <mutex>

namespace omnigate::adapters::email {

void ensure_gmime_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_mime_init();
    xmlInitParser();
  });
}

}  // namespace omnigate::adapters::email
