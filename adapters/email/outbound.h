#pragma once
// Sending an agent's reply on an email channel: compose (reply_composer.h),
// build the MIME (mime_builder.h), hand it to the channel's SMTP server
// (smtp_sender.h), and turn the outcome into an adapters::Delivery:
//   sent    external_id = our Message-ID without <> (og.<id>.<mac>@domain),
//           which the outbox records on the message so customers' replies
//           that reference it find the conversation;
//   retry   4xx replies, connection errors, timeouts;
//   failed  5xx replies (the server's text for the agent), configuration
//           problems, a reply that cannot be sent as it is.
// The email adapter's deliver() calls this. Channel-side failures are
// outcomes, never exceptions.
//
// Channel config used here besides reply_composer's:
//   smtp: {url: "smtp://host:587" | "smtps://host:465", username?,
//          starttls: "required" (default) | "if_available" | "off"}
//   secrets.smtp_password
// MAIL FROM is config.address; the EHLO name is its domain unless the URL
// names one (smtp://host:587/ehlo.example.com).
#include "adapters/adapter.h"
#include "adapters/email/reply_composer.h"
#include "adapters/email/smtp_sender.h"

namespace omnigate::adapters::email {

// The channel's SMTP settings; throws AdapterError::invalid_config naming
// what is missing or wrong. The adapter's configure() may use it to validate.
SmtpSettings smtp_settings(const schema::Channel& channel);

// Attachments come from `attachments`, or, without one, from the bytes the
// gateway handed over with the message (OutboundFiles).
Delivery deliver_email(const schema::Channel& channel, const Outbound& outbound,
                       const AttachmentSource* attachments = nullptr);

}  // namespace omnigate::adapters::email
