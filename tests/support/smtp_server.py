#!/usr/bin/python3
"""A real SMTP server for omnigate's tests (Debian's python3-aiosmtpd).

Listens on 127.0.0.1 (a free port: --port-file receives the number once it
accepts connections) and writes every accepted mail into --dir as a pair:
NNNNNN.eml (the DATA bytes as received) and then NNNNNN.json
({"mail_from", "rcpt_tos", "eml"}); each file appears under its final name
only when complete, so a reader that sees the .json can read the .eml.

--rules names a JSON file read afresh on every RCPT TO and DATA, so a test
can change the answers while the server runs:
  {"recipients": {"addr@x": [450, "4.2.1 Mailbox busy"]},   answered at RCPT TO
   "data": [554, "5.6.0 Content rejected"]}                 answered at the end of DATA
Addresses are compared case-insensitively.

With --user and --password, AUTH (PLAIN/LOGIN, allowed without TLS on
loopback) is required before MAIL FROM. SIGTERM or SIGINT stops it.
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Handler:
    def __init__(self, directory, rules_path):
        self.directory = directory
        self.rules_path = rules_path
        self.count = 0

    def rules(self):
        try:
            with open(self.rules_path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answers = {k.lower(): v for k, v in self.rules().get("recipients", {}).items()}
        answer = answers.get(address.lower())
        if answer:
            return "%d %s" % (answer[0], answer[1])
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        answer = self.rules().get("data")
        if answer:
            return "%d %s" % (answer[0], answer[1])
        self.count += 1
        name = "%06d" % self.count
        eml = os.path.join(self.directory, name + ".eml")
        write_atomically(eml, envelope.original_content or envelope.content)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "eml": eml}
        write_atomically(os.path.join(self.directory, name + ".json"), json.dumps(meta).encode())
        return "250 2.0.0 Ok: queued as " + name


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--rules", required=True)
    p.add_argument("--user")
    p.add_argument("--password")
    args = p.parse_args()
    # AUTH without TLS is what these loopback tests want; no need to warn.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user
              and auth_data.password.decode() == args.password)
        # handled=False: aiosmtpd answers a failure with 535 itself.
        return AuthResult(success=ok, handled=False)

    handler = Handler(args.dir, args.rules)
    auth = bool(args.user)

    def factory():
        return SMTP(handler, hostname="smtp.test", enable_SMTPUTF8=True, decode_data=False,
                    auth_required=auth, auth_require_tls=False,
                    authenticator=authenticate if auth else None)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    server = loop.run_until_complete(loop.create_server(factory, sock=sock))
    write_atomically(args.port_file, str(sock.getsockname()[1]).encode())
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()


if __name__ == "__main__":
    main()
