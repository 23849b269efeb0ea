#!/usr/bin/python3
"""An OAuth 2.0 authorization server for the tests, on 127.0.0.1 (HTTP: the token source allows
plain http to loopback only).

What it speaks (enough of Microsoft's and Google's endpoints for feedbackd's token source, the
Dovecot oauth2 passdb and the aiosmtpd XOAUTH2 handler):
    POST /token        grant_type client_credentials (client_id + client_secret, in the body or
                       HTTP Basic), refresh_token (rotated on every use, as Microsoft does),
                       urn:ietf:params:oauth:grant-type:device_code (RFC 8628: authorization_pending
                       until approved through /control; slow_down when polled faster than the
                       interval or when told to), urn:ietf:params:oauth:grant-type:jwt-bearer
                       (RFC 7523: RS256 verified with a service account's public key; iss, sub,
                       aud, iat/exp and scope checked)
    POST /devicecode   RFC 8628 device authorization
    POST /introspect   RFC 7662 (also GET ?token= and GET with "Authorization: Bearer"): active,
                       username (and the attribute named by username_attribute), scope, exp, ...
    POST /control      JSON {"action": ...}: expire, revoke, revoke_all, approve, deny, lifetime,
                       slow_down, mint_refresh, fail_next, add_client, add_service_account
    GET  /stats        JSON: requests per grant and endpoint, live refresh tokens, device polls
Errors are RFC 6749 section 5.2 JSON ({"error": ..., "error_description": ...}).

From a Python test:
    with TokenServer(tmp, clients={"app": "s3cret"}) as ts:
        ts.url + "/token"; ts.approve(user_code, "fb"); ts.stats()["client_credentials"]
From a shell test: `python3 tests/tokenserver.py --dir DIR [--config JSON]` prints the port on its
first line of stdout and serves until SIGTERM; drive it with curl on /control and /stats.

Configuration (the JSON given to TokenServer(**config) or --config), all optional:
    clients             {client_id: secret or null (a public client)}
    client_users        {client_id: username for its client_credentials tokens}
    service_accounts    {client_email: public key PEM file (the test made the key with openssl)}
    lifetime            access token lifetime in seconds (default 3600)
    interval            device-code polling interval (default 1)
    device_expires_in   device code lifetime (default 600)
    username_attribute  the introspection attribute that carries the user (default "username")
    audience            the aud a JWT assertion must carry (default this server's /token URL)
    rotate              rotate refresh tokens (default true)
"""
import base64
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_NAMES = {"client_credentials": "client_credentials", "refresh_token": "refresh_token",
               DEVICE_GRANT: "device_code", JWT_GRANT: "jwt_bearer"}


class OAuthError(Exception):
    def __init__(self, error, description, status=400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class State:
    """Everything the server knows; one lock around it (ThreadingHTTPServer)."""

    def __init__(self, config, url):
        self.lock = threading.Lock()
        self.url = url
        self.clients = dict(config.get("clients", {}))
        self.client_users = dict(config.get("client_users", {}))
        self.service_accounts = dict(config.get("service_accounts", {}))
        self.lifetime = int(config.get("lifetime", 3600))
        self.interval = int(config.get("interval", 1))
        self.device_expires_in = int(config.get("device_expires_in", 600))
        self.username_attribute = config.get("username_attribute", "username")
        self.audience = config.get("audience") or url + "/token"
        self.rotate = bool(config.get("rotate", True))
        self.access = {}      # token -> {user, scope, exp, client_id}
        self.refresh = {}     # token -> {user, scope, client_id}
        self.devices = {}     # device_code -> {user_code, client_id, scope, state, user, ...}
        self.force_slow_down = 0
        self.fail_next = []   # [(status, error, description)] answered to the next /token requests
        self.stats = {"client_credentials": 0, "refresh_token": 0, "device_code": 0, "jwt_bearer": 0,
                      "token": 0, "token_errors": 0, "devicecode": 0, "introspect": 0,
                      "introspect_active": 0, "errors": {}, "device_polls": [], "last_scope": None}

    def issue_access(self, user, scope, client_id):
        tok = "at-" + secrets.token_urlsafe(24)
        self.access[tok] = {"user": user, "scope": scope, "exp": int(time.time()) + self.lifetime,
                            "client_id": client_id}
        return tok

    def issue_refresh(self, user, scope, client_id):
        tok = "rt-" + secrets.token_urlsafe(24)
        self.refresh[tok] = {"user": user, "scope": scope, "client_id": client_id}
        return tok

    def token_response(self, user, scope, client_id, with_refresh):
        out = {"token_type": "Bearer", "expires_in": self.lifetime,
               "access_token": self.issue_access(user, scope, client_id)}
        if scope:
            out["scope"] = scope
        if with_refresh:
            out["refresh_token"] = self.issue_refresh(user, scope, client_id)
        return out

    # --- client authentication (RFC 6749 section 2.3.1) ---
    def client(self, form, headers, need_secret):
        cid, secret = form.get("client_id"), form.get("client_secret")
        auth = headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            except Exception:
                raise OAuthError("invalid_client", "malformed Basic credentials", 401)
            cid, secret = urllib.parse.unquote_plus(u), urllib.parse.unquote_plus(p)
        if not cid:
            raise OAuthError("invalid_request", "client_id is missing")
        if cid not in self.clients:
            raise OAuthError("invalid_client", "AADSTS700016: application %s was not found" % cid, 401)
        want = self.clients[cid]
        if want is None and not need_secret:
            return cid
        if want is None or secret != want:
            raise OAuthError("invalid_client", "AADSTS7000215: invalid client secret provided", 401)
        return cid

    # --- the grants ---
    def grant_client_credentials(self, form, headers):
        cid = self.client(form, headers, True)
        scope = form.get("scope")
        if not scope:
            raise OAuthError("invalid_scope", "AADSTS1002012: the scope is missing")
        return self.token_response(self.client_users.get(cid, cid), scope, cid, False)

    def grant_refresh_token(self, form, headers):
        cid = self.client(form, headers, False)
        rt = form.get("refresh_token")
        if not rt:
            raise OAuthError("invalid_request", "refresh_token is missing")
        info = self.refresh.get(rt)
        if info is None:
            raise OAuthError("invalid_grant", "AADSTS70000: the refresh token was revoked or has expired")
        if info["client_id"] != cid:
            raise OAuthError("invalid_grant", "the refresh token was issued to another client")
        scope = form.get("scope") or info["scope"]
        if self.rotate:
            del self.refresh[rt]
        out = self.token_response(info["user"], scope, cid, self.rotate)
        if not self.rotate:
            out["refresh_token"] = rt
        return out

    def grant_device_code(self, form, headers):
        cid = self.client(form, headers, False)
        dc = form.get("device_code")
        dev = self.devices.get(dc or "")
        if dev is None or dev["client_id"] != cid:
            raise OAuthError("invalid_grant", "unknown device_code")
        now = time.time()
        self.stats["device_polls"].append(round(now, 3))
        last, dev["last_poll"] = dev.get("last_poll"), now
        if now > dev["expires"]:
            raise OAuthError("expired_token", "the device code has expired")
        if self.force_slow_down > 0:
            self.force_slow_down -= 1
            dev["interval"] += 5
            raise OAuthError("slow_down", "polling too fast")
        if last is not None and now - last < dev["interval"] - 0.2:
            dev["interval"] += 5
            raise OAuthError("slow_down", "polled after %.1fs, interval is %ds" % (now - last, dev["interval"] - 5))
        if dev["state"] == "denied":
            raise OAuthError("access_denied", "the user declined")
        if dev["state"] == "used":
            raise OAuthError("invalid_grant", "the device code was already used")
        if dev["state"] != "approved":
            raise OAuthError("authorization_pending", "the user has not signed in yet")
        dev["state"] = "used"
        return self.token_response(dev["user"], dev["scope"], cid, True)

    def grant_jwt_bearer(self, form, headers):
        assertion = form.get("assertion")
        if not assertion:
            raise OAuthError("invalid_request", "assertion is missing")
        try:
            h64, p64, s64 = assertion.split(".")
            header, claims = json.loads(b64url_decode(h64)), json.loads(b64url_decode(p64))
            sig = b64url_decode(s64)
        except Exception:
            raise OAuthError("invalid_grant", "the assertion is not a JWT")
        if header.get("alg") != "RS256":
            raise OAuthError("invalid_grant", "alg must be RS256, not %r" % header.get("alg"))
        iss = claims.get("iss")
        if iss not in self.service_accounts:
            raise OAuthError("invalid_grant", "no service account %r" % iss)
        if not verify_rs256(self.service_accounts[iss], (h64 + "." + p64).encode(), sig):
            raise OAuthError("invalid_grant", "Invalid JWT Signature.")
        now = time.time()
        if claims.get("aud") != self.audience:
            raise OAuthError("invalid_grant", "Invalid JWT: aud is %r, expected %r" % (claims.get("aud"), self.audience))
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int) or not isinstance(iat, int):
            raise OAuthError("invalid_grant", "Invalid JWT: iat and exp must be integers")
        if exp < now or iat > now + 60 or exp - iat > 3600:
            raise OAuthError("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) "
                             "and in a reasonable timeframe. Check your iat and exp values")
        scope = claims.get("scope")
        if not scope:
            raise OAuthError("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        return self.token_response(claims.get("sub") or iss, scope, iss, False)

    def token(self, form, headers):
        self.stats["token"] += 1
        if self.fail_next:
            status, error, desc = self.fail_next.pop(0)
            raise OAuthError(error, desc, status)
        grant = form.get("grant_type")
        name = GRANT_NAMES.get(grant)
        if name is None:
            raise OAuthError("unsupported_grant_type", "grant_type %r is not supported" % grant)
        self.stats[name] += 1
        self.stats["last_scope"] = form.get("scope")
        return getattr(self, "grant_" + name)(form, headers)

    def devicecode(self, form, headers):
        self.stats["devicecode"] += 1
        cid = self.client(form, headers, False)
        dc = "dc-" + secrets.token_urlsafe(24)
        uc = "".join(secrets.choice("BCDFGHJKLMNPQRSTVWXZ") for _ in range(8))
        self.devices[dc] = {"user_code": uc, "client_id": cid, "scope": form.get("scope"),
                            "state": "pending", "user": None, "interval": self.interval,
                            "expires": time.time() + self.device_expires_in}
        return {"device_code": dc, "user_code": uc, "verification_uri": self.url + "/device",
                "expires_in": self.device_expires_in, "interval": self.interval,
                "message": "To sign in, open %s/device and enter the code %s." % (self.url, uc)}

    def introspect(self, token):
        self.stats["introspect"] += 1
        info = self.access.get(token or "")
        if info is None or info["exp"] <= time.time():
            return {"active": False}
        self.stats["introspect_active"] += 1
        out = {"active": True, "username": info["user"], "sub": info["user"], "email": info["user"],
               "scope": info["scope"] or "",
               "exp": info["exp"], "client_id": info["client_id"], "token_type": "Bearer"}
        out[self.username_attribute] = info["user"]
        return out

    def control(self, req):
        action = req.get("action")
        if action == "expire":
            for info in self.access.values():
                info["exp"] = 0
            return {"expired": len(self.access)}
        if action == "revoke":
            gone = self.refresh.pop(req.get("refresh_token", ""), None)
            return {"revoked": 1 if gone else 0}
        if action == "revoke_all":
            n = len(self.access) + len(self.refresh)
            self.access.clear()
            self.refresh.clear()
            return {"revoked": n}
        if action in ("approve", "deny"):
            for dev in self.devices.values():
                if req.get("user_code") in (None, dev["user_code"]) and dev["state"] == "pending":
                    dev["state"] = "approved" if action == "approve" else "denied"
                    dev["user"] = req.get("user", "fb")
                    return {"user_code": dev["user_code"]}
            raise OAuthError("invalid_request", "no pending device code %r" % req.get("user_code"))
        if action == "lifetime":
            self.lifetime = int(req["seconds"])
            return {"lifetime": self.lifetime}
        if action == "slow_down":
            self.force_slow_down = int(req.get("count", 1))
            return {"slow_down": self.force_slow_down}
        if action == "mint_refresh":
            return {"refresh_token": self.issue_refresh(req.get("user", "fb"), req.get("scope"),
                                                        req["client_id"])}
        if action == "fail_next":
            self.fail_next.append((int(req.get("status", 400)), req.get("error", "server_error"),
                                   req.get("error_description", "")))
            return {"queued": len(self.fail_next)}
        if action == "add_client":
            self.clients[req["client_id"]] = req.get("client_secret")
            if req.get("user"):
                self.client_users[req["client_id"]] = req["user"]
            return {"clients": len(self.clients)}
        if action == "add_service_account":
            self.service_accounts[req["client_email"]] = req["public_key_file"]
            return {"service_accounts": len(self.service_accounts)}
        raise OAuthError("invalid_request", "unknown action %r" % action)

    def snapshot(self):
        out = dict(self.stats)
        out["refresh_tokens"] = sorted(self.refresh)
        out["access_tokens"] = len(self.access)
        out["pending_user_codes"] = [d["user_code"] for d in self.devices.values() if d["state"] == "pending"]
        return out


def verify_rs256(pubkey_file, data, sig):
    """RS256 (RSASSA-PKCS1-v1_5 with SHA-256) checked by the openssl command, as Google checks
    the assertion: openssl is in the test dependencies already (it made the key)."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        dp, sp = os.path.join(d, "data"), os.path.join(d, "sig")
        with open(dp, "wb") as f:
            f.write(data)
        with open(sp, "wb") as f:
            f.write(sig)
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pubkey_file, "-signature", sp, dp],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


class Handler(BaseHTTPRequestHandler):
    server_version = "tokenserver/1"

    def log_message(self, fmt, *args):
        if self.server.log:
            self.server.log.write("%s\n" % (fmt % args))
            self.server.log.flush()

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def form(self, raw):
        ctype = self.headers.get("Content-Type", "")
        if not ctype.startswith("application/x-www-form-urlencoded"):
            raise OAuthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        pairs = urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
        out = {}
        for k, v in pairs:
            if k in out:
                raise OAuthError("invalid_request", "parameter %s is repeated" % k)
            out[k] = v
        return out

    def dispatch(self, method):
        st = self.server.state
        path, _, query = self.path.partition("?")
        raw = self.body() if method == "POST" else b""
        try:
            with st.lock:
                if method == "POST" and path == "/token":
                    try:
                        return self.reply(200, st.token(self.form(raw), self.headers))
                    except OAuthError as e:
                        st.stats["token_errors"] += 1
                        st.stats["errors"][e.error] = st.stats["errors"].get(e.error, 0) + 1
                        raise
                if method == "POST" and path == "/devicecode":
                    return self.reply(200, st.devicecode(self.form(raw), self.headers))
                if path == "/introspect":
                    auth = self.headers.get("Authorization", "")
                    if method == "POST":
                        tok = self.form(raw).get("token")
                    elif auth.startswith("Bearer "):
                        tok = auth[7:]
                    else:
                        tok = dict(urllib.parse.parse_qsl(query)).get("token")
                        if tok is None and path != self.path:
                            tok = query
                    return self.reply(200, st.introspect(tok))
                if method == "POST" and path == "/control":
                    return self.reply(200, st.control(json.loads(raw or b"{}")))
                if method == "GET" and path == "/stats":
                    return self.reply(200, st.snapshot())
            self.reply(404, {"error": "not_found", "error_description": "no %s %s here" % (method, path)})
        except OAuthError as e:
            self.reply(e.status, {"error": e.error, "error_description": e.description})
        except (ValueError, KeyError) as e:
            self.reply(400, {"error": "invalid_request", "error_description": str(e)})

    def do_POST(self):
        self.dispatch("POST")

    def do_GET(self):
        self.dispatch("GET")


def serve(config, port=0, log=None):
    """The server, bound on 127.0.0.1 (port 0: a free one); call serve_forever()."""
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    httpd.state = State(config, "http://127.0.0.1:%d" % httpd.server_address[1])
    httpd.log = log
    return httpd


class TokenServer:
    """The server in a child process (stopped by its PID, like tests/servers.py's), configured
    with the keyword arguments above. Its log is tmpdir/tokenserver.log."""

    def __init__(self, tmpdir, **config):
        self.dir = os.path.join(tmpdir, "tokenserver")
        os.makedirs(self.dir, exist_ok=True)
        self.config = config
        self.proc = None
        self.port = 0

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        cfg = os.path.join(self.dir, "config.json")
        with open(cfg, "w") as f:
            json.dump(self.config, f)
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--dir", self.dir,
                                      "--config", cfg], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError("tokenserver did not start (said %r)" % line)
        self.port = int(line)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def control(self, action, **kw):
        kw["action"] = action
        req = urllib.request.Request(self.url + "/control", data=json.dumps(kw).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)

    def stats(self):
        with urllib.request.urlopen(self.url + "/stats", timeout=10) as r:
            return json.load(r)

    def approve(self, user_code=None, user="fb"):
        return self.control("approve", user_code=user_code, user=user)

    def expire(self):
        return self.control("expire")

    def mint_refresh(self, client_id, user="fb", scope=None):
        return self.control("mint_refresh", client_id=client_id, user=user, scope=scope)["refresh_token"]

    def introspect(self, token):
        data = urllib.parse.urlencode({"token": token}).encode()
        with urllib.request.urlopen(self.url + "/introspect", data=data, timeout=10) as r:
            return json.load(r)


def make_service_account_key(tmpdir, client_email="fb@feedbackd-test.iam.gserviceaccount.com",
                             token_uri=None):
    """A Google-style service account JSON key with a fresh RSA key made by openssl.
    Returns (key_json_path, public_key_pem_path)."""
    priv, pub = os.path.join(tmpdir, "sa.key"), os.path.join(tmpdir, "sa.pub")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", priv], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["openssl", "pkey", "-in", priv, "-pubout", "-out", pub], check=True)
    with open(priv) as f:
        pem = f.read()
    key = {"type": "service_account", "project_id": "feedbackd-test", "private_key_id": "0123abcd",
           "private_key": pem, "client_email": client_email, "client_id": "1234567890",
           "token_uri": token_uri or "https://oauth2.googleapis.com/token"}
    path = os.path.join(tmpdir, "sa.json")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(key, f, indent=2)
    return path, pub


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="OAuth 2.0 token server for feedbackd's tests")
    ap.add_argument("--dir", help="write tokenserver.log here")
    ap.add_argument("--config", help="a JSON file with the configuration (see the module's text)")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args(argv)
    config = {}
    if args.config:
        with open(args.config) as f:
            config = json.load(f)
    log = open(os.path.join(args.dir, "tokenserver.log"), "a") if args.dir else None
    httpd = serve(config, args.port, log)
    signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=httpd.shutdown).start())
    print(httpd.server_address[1], flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    httpd.server_close()


if __name__ == "__main__":
    main(sys.argv[1:])
