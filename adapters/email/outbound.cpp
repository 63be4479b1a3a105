#include "adapters/email/outbound.h"

#include "adapters/email/mime_builder.h"

namespace omnigate::adapters::email {
namespace {

const Json::Value& member(const Json::Value& object, const char* key) {
  return object.isObject() ? object[key] : Json::Value::nullSingleton();
}

std::string optional_string(const Json::Value& object, const char* key, const std::string& where) {
  const Json::Value& v = member(object, key);
  if (v.isNull()) return "";
  if (!v.isString()) throw AdapterError::invalid_config(where + key + ": expected a string");
  return v.asString();
}

Delivery failed(std::string why) {
  Delivery d;
  d.outcome = Delivery::Outcome::failed;
  d.error = std::move(why);
  return d;
}

}  // namespace

SmtpSettings smtp_settings(const schema::Channel& channel) {
  const Json::Value& smtp = member(channel.config, "smtp");
  if (!smtp.isObject())
    throw AdapterError::invalid_config("smtp: this email channel has no SMTP settings, so replies cannot be sent");
  SmtpSettings s;
  s.url = optional_string(smtp, "url", "smtp.");
  bool tls = s.url.starts_with("smtps://");
  if (!tls && !s.url.starts_with("smtp://"))
    throw AdapterError::invalid_config("smtp.url: expected smtp://host[:port] or smtps://host[:port]");
  size_t host = s.url.find("://") + 3;
  size_t path = s.url.find('/', host);
  if (path == host) throw AdapterError::invalid_config("smtp.url: no host");
  // libcurl says EHLO <the URL's path>; without one it would greet as
  // "localhost", which strict servers refuse. Our own domain is the honest name.
  if (path == std::string::npos || path + 1 == s.url.size()) {
    std::string address = optional_string(channel.config, "address", "");
    size_t at = address.rfind('@');
    if (at == std::string::npos || at + 1 == address.size())
      throw AdapterError::invalid_config("address: must be a mail address like support@example.com");
    s.url = s.url.substr(0, path) + "/" + address.substr(at + 1);
  }
  std::string starttls = optional_string(smtp, "starttls", "smtp.");
  if (!starttls.empty()) {
    auto mode = starttls_from_string(starttls);
    if (!mode) throw AdapterError::invalid_config("smtp.starttls: expected \"required\", \"if_available\" or \"off\"");
    s.starttls = *mode;
  }
  s.username = optional_string(smtp, "username", "smtp.");
  s.password = optional_string(channel.secrets, "smtp_password", "secrets.");
  if (!s.username.empty() && s.password.empty())
    throw AdapterError::invalid_config("secrets.smtp_password: required with smtp.username");
  return s;
}

Delivery deliver_email(const schema::Channel& channel, const Outbound& outbound, const AttachmentSource* attachments) {
  SmtpSettings settings;
  OutgoingMail mail;
  std::string data;
  try {
    settings = smtp_settings(channel);
    OutboundFiles handed_over(outbound);
    mail = compose_reply(channel, outbound, attachments ? attachments : &handed_over);
    data = build_mime(mail);
  } catch (const AdapterError& e) {
    return failed(e.what());
  }

  SmtpResult r = send_mail(settings, {mail.from.address, {outbound.recipient_id}}, data);
  Delivery d;
  switch (r.outcome) {
    case SmtpResult::Outcome::sent:
      d.outcome = Delivery::Outcome::sent;
      d.external_id = mail.message_id;
      break;
    case SmtpResult::Outcome::temporary:
      d.outcome = Delivery::Outcome::retry;
      d.error = r.error;
      break;
    case SmtpResult::Outcome::permanent:
      d.outcome = Delivery::Outcome::failed;
      d.error = r.error;
      break;
  }
  return d;
}

}  // namespace omnigate::adapters::email
