#pragma once
// The email channel's connection test (Adapter::test_connection): log in to
// the IMAP mailbox the poller reads ("imap", only when the channel polls one)
// and open the SMTP session replies would use ("smtp": greeting, STARTTLS,
// AUTH, NOOP). Nothing is fetched, flagged or sent.
#include <vector>

#include "adapters/adapter.h"

namespace omnigate::adapters::email {

std::vector<ConnectionCheck> test_email_connection(const schema::Channel& channel);

}  // namespace omnigate::adapters::email
