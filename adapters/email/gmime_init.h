#pragma once
// GMime (and libxml2's parser) must be initialised once per process before
// any use, and g_mime_init() itself is not safe to call concurrently: every
// entry point of this library calls this first (std::call_once inside).
namespace omnigate::adapters::email {

void ensure_gmime_initialized();

}  // namespace omnigate::adapters::email
