#!/usr/bin/env python3
"""A tiny SMTP sink for the tests (standard library only).

    smtp_sink.py --dir OUT --port-file FILE [--user U --password P]

Listens on 127.0.0.1 (a free port, written to --port-file once listening),
speaks enough ESMTP for libcurl (EHLO, AUTH PLAIN/LOGIN when --user is given,
MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT) and writes every
message it accepts to OUT/NNN.eml, with OUT/NNN.json holding the envelope
(mail_from, rcpt_to, auth_user). Wrong credentials get 535. Stops on SIGTERM.
"""
import argparse
import base64
import json
import os
import signal
import socketserver
import sys
import threading

lock = threading.Lock()
counter = [0]


class Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def readline(self):
        line = self.rfile.readline(65536)
        if not line:
            raise EOFError
        return line.decode("utf-8", "replace").rstrip("\r\n")

    def check_auth(self, user, password):
        cfg = self.server.cfg
        if user == cfg.user and password == cfg.password:
            self.auth_user = user
            self.reply("235 2.7.0 Authentication successful")
        else:
            self.reply("535 5.7.8 Authentication credentials invalid")

    def handle(self):
        cfg = self.server.cfg
        self.auth_user = None
        mail_from, rcpts = None, []
        self.reply("220 sink ESMTP ready")
        try:
            while True:
                line = self.readline()
                cmd = line.split(" ", 1)[0].upper()
                arg = line[len(cmd):].strip()
                if cmd in ("EHLO", "HELO"):
                    if cmd == "HELO":
                        self.reply("250 sink")
                        continue
                    self.wfile.write(b"250-sink\r\n250-8BITMIME\r\n")
                    if cfg.user:
                        self.wfile.write(b"250-AUTH PLAIN LOGIN\r\n")
                    self.reply("250 SIZE 104857600")
                elif cmd == "AUTH":
                    parts = arg.split()
                    mech = parts[0].upper() if parts else ""
                    if mech == "PLAIN":
                        data = parts[1] if len(parts) > 1 else None
                        if data is None:
                            self.reply("334 ")
                            data = self.readline()
                        fields = base64.b64decode(data).split(b"\0")
                        user = fields[1].decode() if len(fields) > 2 else ""
                        pw = fields[2].decode() if len(fields) > 2 else ""
                        self.check_auth(user, pw)
                    elif mech == "LOGIN":
                        if len(parts) > 1:
                            user = base64.b64decode(parts[1]).decode()
                        else:
                            self.reply("334 VXNlcm5hbWU6")
                            user = base64.b64decode(self.readline()).decode()
                        self.reply("334 UGFzc3dvcmQ6")
                        pw = base64.b64decode(self.readline()).decode()
                        self.check_auth(user, pw)
                    else:
                        self.reply("504 5.5.4 mechanism not supported")
                elif cmd == "MAIL":
                    if cfg.user and not self.auth_user:
                        self.reply("530 5.7.0 Authentication required")
                        continue
                    mail_from, rcpts = arg.split(":", 1)[1].strip().split(" ")[0], []
                    self.reply("250 2.1.0 OK")
                elif cmd == "RCPT":
                    rcpts.append(arg.split(":", 1)[1].strip().split(" ")[0])
                    self.reply("250 2.1.5 OK")
                elif cmd == "DATA":
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while True:
                        raw = self.rfile.readline(1 << 20)
                        if not raw:
                            raise EOFError
                        if raw in (b".\r\n", b".\n"):
                            break
                        if raw.startswith(b".."):
                            raw = raw[1:]
                        lines.append(raw)
                    with lock:
                        counter[0] += 1
                        n = counter[0]
                    base = os.path.join(cfg.dir, "%03d" % n)
                    with open(base + ".eml.tmp", "wb") as f:
                        f.write(b"".join(lines))
                    with open(base + ".json", "w") as f:
                        json.dump({"mail_from": mail_from, "rcpt_to": rcpts,
                                   "auth_user": self.auth_user}, f)
                    os.rename(base + ".eml.tmp", base + ".eml")
                    self.reply("250 2.0.0 queued as %03d" % n)
                elif cmd == "RSET":
                    mail_from, rcpts = None, []
                    self.reply("250 OK")
                elif cmd == "NOOP":
                    self.reply("250 OK")
                elif cmd == "QUIT":
                    self.reply("221 Bye")
                    return
                else:
                    self.reply("502 5.5.2 command not implemented")
        except (EOFError, ConnectionError, OSError):
            return


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password")
    cfg = ap.parse_args()
    os.makedirs(cfg.dir, exist_ok=True)
    srv = Server(("127.0.0.1", 0), Handler)
    srv.cfg = cfg
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=srv.shutdown).start())
    with open(cfg.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(cfg.port_file + ".tmp", cfg.port_file)
    srv.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
