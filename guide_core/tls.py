"""TLS for the guide: this machine's certificate, its fingerprint, and how clients trust it.

Headset browsers enter WebXR only in a secure context, so `guide serve --tls` serves https and
wss. Without a certificate of its own the server makes a self-signed one for the machine's names
and addresses and keeps it in the var folder. Clients trust a server either through a CA file
(a real certificate) or by pinning the SHA-256 fingerprint of its certificate (the self-signed
one), never by ignoring certificate errors.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from guide_core.exceptions import CertificateMismatch, TlsError

CERT_FILE = "guide-cert.pem"
KEY_FILE = "guide-key.pem"
VALID_DAYS = 397
"""The longest validity browsers accept for a server certificate."""
RENEW_BEFORE_DAYS = 30

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class ServerCertificate:
    """The certificate and key files the server listens with."""

    cert: Path
    key: Path
    fingerprint: str
    """SHA-256 of the certificate (DER), as `AA:BB:...`: what clients pin."""
    spki_sha256: str
    """Base64 SHA-256 of the public key: what Chromium's `--ignore-certificate-errors-spki-list` takes."""
    names: tuple[str, ...]
    generated: bool
    """Made by this call (not found from an earlier run)."""
    self_signed: bool


def format_fingerprint(digest: bytes) -> str:
    """Colon-separated upper-case hex pairs, as `openssl x509 -fingerprint -sha256` prints them."""
    return ":".join(f"{byte:02X}" for byte in digest)


def certificate_fingerprint(cert_der: bytes) -> str:
    """The SHA-256 fingerprint of a DER certificate."""
    return format_fingerprint(hashlib.sha256(cert_der).digest())


def normalise_fingerprint(text: str) -> str:
    """A pinned fingerprint in the canonical form; accepts any case, with or without colons."""
    digits = text.strip().replace(":", "").replace(" ", "").upper()
    if len(digits) != 64 or any(c not in "0123456789ABCDEF" for c in digits):
        raise ValueError(
            f"{text!r} is not a SHA-256 certificate fingerprint: expected 64 hex digits, colons allowed, "
            "as `guide serve --tls` prints it"
        )
    return format_fingerprint(bytes.fromhex(digits))


def machine_names() -> tuple[list[str], list[IpAddress]]:
    """This machine's host names and addresses, loopback included, for the certificate."""
    names = {"localhost", socket.gethostname(), socket.getfqdn()}
    addresses: set[IpAddress] = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
    for name in list(names):
        try:
            for info in socket.getaddrinfo(name, None):
                addresses.add(ipaddress.ip_address(str(info[4][0]).split("%")[0]))
        except (OSError, ValueError):
            continue
    addresses.update(_routed_addresses())
    return sorted(n for n in names if n), sorted(addresses, key=lambda a: (a.version, int(a)))


def _routed_addresses() -> list[IpAddress]:
    """The address other machines reach this one on (a UDP connect sends no packet)."""
    found = []
    for family, probe in ((socket.AF_INET, "10.255.255.255"), (socket.AF_INET6, "fd00::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.connect((probe, 1))
                found.append(ipaddress.ip_address(sock.getsockname()[0].split("%")[0]))
        except OSError:
            continue
    return found


def ensure_self_signed(
    folder: Path, names: list[str], addresses: list[IpAddress], *, now: dt.datetime | None = None
) -> ServerCertificate:
    """The self-signed certificate in `folder`, made (or remade) when missing, expiring or not covering every name."""
    now = now or dt.datetime.now(dt.UTC)
    cert_path, key_path = folder / CERT_FILE, folder / KEY_FILE
    if cert_path.exists() and key_path.exists():
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        except ValueError:
            cert = None
        if cert is not None and _still_good(cert, names, addresses, now):
            return _describe(cert_path, key_path, generated=False)
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _self_signed(key, names, addresses, now)
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key_bytes)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return _describe(cert_path, key_path, generated=True)


def load_server_certificate(cert_path: Path, key_path: Path) -> ServerCertificate:
    """An operator's own certificate and key, checked to load and to match each other."""
    for what, path in (("certificate", cert_path), ("key", key_path)):
        if not path.is_file():
            raise TlsError(f"the TLS {what} file {path} does not exist: check GUIDE_TLS_CERT / GUIDE_TLS_KEY")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert_path, key_path)
    except (ssl.SSLError, OSError) as exc:
        raise TlsError(
            f"cannot use {cert_path} with {key_path} ({exc}): the key must be the certificate's, "
            "both PEM, the key unencrypted"
        ) from exc
    return _describe(cert_path, key_path, generated=False)


def _still_good(
    cert: x509.Certificate, names: list[str], addresses: list[IpAddress], now: dt.datetime
) -> bool:
    if cert.not_valid_after_utc - now < dt.timedelta(days=RENEW_BEFORE_DAYS):
        return False
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return set(names) <= set(san.get_values_for_type(x509.DNSName)) and set(addresses) <= set(
        san.get_values_for_type(x509.IPAddress)
    )


def _self_signed(
    key: ec.EllipticCurvePrivateKey, names: list[str], addresses: list[IpAddress], now: dt.datetime
) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Museum guide (self-signed)"),
            x509.NameAttribute(NameOID.COMMON_NAME, names[0] if names else "localhost"),
        ]
    )
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alt_names += [x509.IPAddress(a) for a in addresses]
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )


def _describe(cert_path: Path, key_path: Path, *, generated: bool) -> ServerCertificate:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(str(v) for v in san.get_values_for_type(x509.DNSName)) + tuple(
            str(v) for v in san.get_values_for_type(x509.IPAddress)
        )
    except x509.ExtensionNotFound:
        names = ()
    return ServerCertificate(
        cert=cert_path,
        key=key_path,
        fingerprint=certificate_fingerprint(cert.public_bytes(serialization.Encoding.DER)),
        spki_sha256=base64.b64encode(hashlib.sha256(spki).digest()).decode(),
        names=names,
        generated=generated,
        self_signed=cert.issuer == cert.subject,
    )


@dataclass(frozen=True)
class ClientTrust:
    """How a client (robot bridge, `guide listen`) trusts a wss:// server: a CA file or a pin."""

    ca_file: Path | None = None
    fingerprint: str | None = None

    def __post_init__(self) -> None:
        if self.ca_file is not None and self.fingerprint is not None:
            raise ValueError("give a CA file or a certificate fingerprint, not both")
        if self.ca_file is not None and not Path(self.ca_file).is_file():
            raise ValueError(f"the CA file {self.ca_file} does not exist")
        if self.fingerprint is not None:
            object.__setattr__(self, "fingerprint", normalise_fingerprint(self.fingerprint))

    def ssl_context(self, url: str) -> ssl.SSLContext | None:
        """The context for connecting to `url`; None for ws:// (refused when trust was configured)."""
        scheme = urlsplit(url).scheme
        if scheme == "ws":
            if self.ca_file is not None or self.fingerprint is not None:
                raise ValueError(
                    f"{url} is plain ws://, but a CA file or fingerprint was given: use wss:// "
                    "(the guide never falls back to an unencrypted socket)"
                )
            return None
        if scheme != "wss":
            raise ValueError(f"{url!r} is not a WebSocket URL: use ws://HOST:PORT/... or wss://HOST:PORT/...")
        if self.fingerprint is not None:
            # The pin replaces the chain and name checks; verify_peer() runs before any message is sent.
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return context
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def verify_transport(self, transport: asyncio.BaseTransport) -> None:
        """`verify_peer` for an open asyncio connection (a websockets client's `.transport`)."""
        self.verify_peer(transport.get_extra_info("ssl_object"))

    def verify_peer(self, ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> None:
        """Raise CertificateMismatch unless the connected server's certificate is the pinned one."""
        if self.fingerprint is None:
            return
        der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
        if not der:
            raise CertificateMismatch(
                "the server sent no certificate, so it cannot match the pinned fingerprint"
            )
        actual = certificate_fingerprint(der)
        if actual != self.fingerprint:
            raise CertificateMismatch(
                f"the server's certificate SHA-256 is {actual}, not the pinned {self.fingerprint}: "
                "this is not the guide server you trusted (or its certificate was remade); "
                "copy the fingerprint `guide serve --tls` printed"
            )
