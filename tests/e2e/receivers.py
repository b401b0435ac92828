"""Real receivers on loopback for notification tests: an HTTPS endpoint that verifies SNS
signatures as an SNS subscriber would, and an SMTP server (aiosmtpd) that keeps what it
receives. Each test starts its own, on its own ports."""

from __future__ import annotations

import base64
import datetime
import email
import email.policy
import http.server
import json
import ssl
import threading
import time
import urllib.request
from pathlib import Path

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID


def make_ca_and_leaf(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a leaf certificate for 127.0.0.1 signed by it.
    Returns (ca.pem, leaf.pem, leaf.key)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tocsin test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    import ipaddress

    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem, leaf_pem, leaf_key_pem = directory / "ca.pem", directory / "leaf.pem", directory / "leaf.key"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    leaf_pem.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    leaf_key_pem.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_pem, leaf_pem, leaf_key_pem


def sns_string_to_sign(message: dict) -> bytes:
    """SNS's canonical string, as AWS documents it for verifying message signatures."""
    if message["Type"] == "Notification":
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    else:
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    return "".join(f"{k}\n{message[k]}\n" for k in keys if k in message).encode()


def verify_sns_signature(message: dict, fetch_cert) -> None:
    """Raises unless `message` is signed (SignatureVersion 2, SHA256withRSA) by the key of
    the certificate at its SigningCertURL (fetched with `fetch_cert(url) -> bytes`)."""
    assert message["SignatureVersion"] == "2", message
    cert = x509.load_pem_x509_certificate(fetch_cert(message["SigningCertURL"]))
    cert.public_key().verify(
        base64.b64decode(message["Signature"]), sns_string_to_sign(message), padding.PKCS1v15(), hashes.SHA256()
    )


class SnsHttpsSubscriber:
    """An HTTPS endpoint that behaves as an SNS subscriber: it verifies every message's
    signature with the certificate from its SigningCertURL, confirms subscriptions by
    GETting the SubscribeURL, and keeps what it got."""

    def __init__(self, tmp: Path, rewrite_base: tuple[str, str] | None = None):
        self.ca_pem, leaf, key = make_ca_and_leaf(tmp)
        self.messages: list[dict] = []
        self.verified: list[bool] = []
        self.errors: list[str] = []
        # (configured public URL, reachable base): links carry the public URL.
        self.rewrite_base = rewrite_base
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                try:
                    message = json.loads(body)
                    assert self.headers.get("x-amz-sns-message-type") == message["Type"]
                    verify_sns_signature(message, outer.fetch)
                    outer.verified.append(True)
                    outer.messages.append(message)
                    if message["Type"] == "SubscriptionConfirmation":
                        outer.fetch(message["SubscribeURL"])
                except Exception as e:  # kept for the test to report
                    outer.errors.append(f"{type(e).__name__}: {e}")
                self.send_response(200)
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(leaf, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/sns"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fetch(self, url: str) -> bytes:
        if self.rewrite_base:
            url = url.replace(self.rewrite_base[0], self.rewrite_base[1], 1)
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.read()

    def wait_for(self, kind: str, count: int = 1, timeout: float = 30) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = [m for m in self.messages if m["Type"] == kind]
            if len(got) >= count:
                return got
            time.sleep(0.1)
        raise AssertionError(f"no {count} {kind} message(s) within {timeout} s; got {self.messages}; errors {self.errors}")

    def close(self) -> None:
        self.server.shutdown()


class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it accepts.

    tls: None (plain), "starttls" (STARTTLS offered and required before MAIL) or "implicit"
    (TLS from the first byte), with `cert` = (certificate chain PEM, key PEM)."""

    def __init__(self, tls: str | None = None, cert: tuple[Path, Path] | None = None):
        self.messages: list[email.message.EmailMessage] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                outer.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                return "250 OK"

        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        kwargs = {}
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*cert)
            if tls == "starttls":
                kwargs = {"tls_context": context, "require_starttls": True}
            else:
                kwargs = {"ssl_context": context}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)
        self.controller.start()
        self.url = {
            None: f"smtp://127.0.0.1:{self.port}",
            "starttls": f"smtp://127.0.0.1:{self.port}?tls=required",
            "implicit": f"smtps://127.0.0.1:{self.port}",
        }[tls]

    def wait_for(self, predicate, timeout: float = 30, what: str = "an email"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in list(self.messages):
                if predicate(m):
                    return m
            time.sleep(0.1)
        raise AssertionError(
            f"no {what} within {timeout} s; got subjects {[m['Subject'] for m in self.messages]}"
        )

    def close(self) -> None:
        self.controller.stop()


def body_text(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else message.get_content()
