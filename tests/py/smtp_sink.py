"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the digest's send tests.

Keeps every message it accepts as DIR/NNNN.eml with DIR/NNNN.json (the
envelope and the connection it came on), refuses the recipients named with
--reject at RCPT, can require STARTTLS (or speak TLS from the first byte)
and signing in, can drop a connection (--hangup-once) or vanish
(--exit-after: no new connections, open ones cut). Prints its port on
the first line of stdout, then serves until stdin closes (the test ended)
or --lifetime seconds have passed. Exits 3 if aiosmtpd is not installed.
"""

import argparse
import asyncio
import itertools
import json
import os
import ssl
import sys
import threading
import warnings

# aiosmtpd warns about its own use of a deprecated attribute.
warnings.filterwarnings("ignore", category=DeprecationWarning)

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError as e:  # the test decides whether that is allowed
    print(f"aiosmtpd is not installed: {e}", file=sys.stderr)
    sys.exit(3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--reject", action="append", default=[])
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte")
    ap.add_argument("--auth", help="USER:PASSWORD the server requires")
    ap.add_argument("--hangup-once", action="append", default=[],
                    help="drop the connection (no answer) the first time this recipient is given")
    ap.add_argument("--exit-after", type=int, help="stop serving after this many messages")
    ap.add_argument("--lifetime", type=float, default=300)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    numbers = itertools.count(1)
    connections = itertools.count(1)
    rejected = {a.lower() for a in args.reject}
    hangup = {a.lower() for a in args.hangup_once}
    accepted = [0]
    gone = [False]
    listener = [None]

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.lower() in hangup:
                hangup.discard(address.lower())
                server.transport.abort()
                return "421 4.3.0 gone"  # never arrives: the connection is cut
            if address.lower() in rejected:
                return "550 5.1.1 <%s>: no such mailbox here" % address
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            n = next(numbers)
            base = os.path.join(args.dir, "%04d" % n)
            with open(base + ".eml", "wb") as f:
                f.write(envelope.original_content or envelope.content)
            meta = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "connection": server.connection_id,
                "tls": session.encrypted,
                "user": session.auth_data if session.authenticated else None,
            }
            with open(base + ".json", "w") as f:
                json.dump(meta, f)
            accepted[0] += 1
            if args.exit_after is not None and accepted[0] >= args.exit_after:
                # Answer this one, then be gone: no new connections, and
                # the open ones cut at their next command.
                listener[0].close()
                gone[0] = True
            return "250 2.0.0 Message accepted"

        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            if gone[0]:
                server.transport.abort()
                return "421 4.3.0 gone"  # never arrives: the connection is cut
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, _, password = args.auth.partition(":")
        if auth_data.login.decode() == user and auth_data.password.decode() == password:
            return AuthResult(success=True, auth_data=user)
        # Not "handled": the server answers 535 itself.
        return AuthResult(success=False, handled=False)

    tls_context = None
    if args.cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)

    def factory():
        # One protocol object per TCP connection.
        smtp = SMTP(
            Handler(),
            hostname="localhost",
            tls_context=None if args.implicit_tls else tls_context,
            require_starttls=tls_context is not None and not args.implicit_tls,
            auth_required=args.auth is not None,
            auth_require_tls=tls_context is not None,
            authenticator=authenticator if args.auth else None,
        )
        smtp.connection_id = next(connections)
        made = smtp.connection_made

        def connection_made(transport):
            made(transport)
            smtp.session.encrypted = transport.get_extra_info("ssl_object") is not None

        smtp.connection_made = connection_made
        return smtp

    loop = asyncio.new_event_loop()
    listener[0] = loop.run_until_complete(
        loop.create_server(
            factory,
            host="127.0.0.1",
            port=0,
            ssl=tls_context if args.implicit_tls else None,
        )
    )
    print(listener[0].sockets[0].getsockname()[1], flush=True)

    def watch_stdin():
        sys.stdin.read()
        loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=watch_stdin, daemon=True).start()
    loop.call_later(args.lifetime, loop.stop)
    loop.run_forever()


if __name__ == "__main__":
    main()
