# shellcheck shell=bash
# WeChat Official Account channels for the bench scripts. Sourced after
# lib/gateway.sh, on a gateway the caller started and signed in to
# (admin_login sets bearer); uses its globals base, work, bearer.
#
#   create_wechat_channel MODE [EXTRA_CONFIG]
#     MODE plain|safe; EXTRA_CONFIG: more members of config as JSON text
#     without braces (e.g. "app_secret":"..","api_base":"http://..").
#     Sets channel_json, channel_type, hook_token, wx_token (the Token WeChat
#     signs with), aes_key (safe mode) and channel_id.

wechat_app_id="wx5f3b2c9d8e7a6b41"   # any AppID: it only has to match inside the ciphertext
wechat_account="gh_7a3e5c1d9b2f"      # ToUserName, the Official Account's own id

create_wechat_channel() {
  local mode="$1" extra="${2:-}" body code type config
  config="\"app_id\":\"$wechat_app_id\",\"mode\":\"$mode\"${extra:+,$extra}"
  # "wechat_mp" is the type's name; older gateways call it "wechat".
  channel_type=""
  for type in wechat_mp wechat; do
    body="{\"type\":\"$type\",\"name\":\"bench $mode\",\"config\":{$config}}"
    code="$(curl -sS -o "$work/channel.json" -w '%{http_code}' -X POST "$base/v1/admin/channels" \
      -H "Authorization: Bearer $bearer" -H 'Content-Type: application/json' -d "$body")" \
      || die "channel creation: request failed"
    channel_json="$(cat "$work/channel.json")"
    if [[ "$code" == 2* ]]; then channel_type="$type"; break; fi
    log "channel type $type refused ($code): $channel_json"
  done
  [[ -n "$channel_type" ]] || die "could not create a WeChat channel"

  # The hook token from inbound_url; Token and EncodingAESKey from "secrets"
  # (a top-level "token" key is the hook token, so look inside secrets only).
  local inbound secrets
  inbound="$(json_str inbound_url <<<"$channel_json")"
  hook_token="${inbound##*/v1/hooks/}"
  secrets="$(sed -n 's/.*"secrets":{\([^}]*\)}.*/\1/p' <<<"$channel_json")"
  wx_token="$(json_str token <<<"$secrets")"
  aes_key="$(json_str encoding_aes_key <<<"$secrets")"
  [[ "$hook_token" =~ ^[A-Za-z0-9_-]+$ ]] || die "no hook token in the channel answer: $channel_json"
  [[ "$wx_token" =~ ^[A-Za-z0-9]{3,32}$ ]] || die "no secrets.token in the channel answer: $channel_json"
  if [[ "$mode" == safe ]]; then
    [[ "$aes_key" =~ ^[A-Za-z0-9]{43}$ ]] || die "no secrets.encoding_aes_key in the channel answer: $channel_json"
  fi
  lookup_channel_id "$hook_token"
}
