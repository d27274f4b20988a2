"""A self-signed certificate for `seefood serve --https`, so a phone on the LAN gets a camera.

Browsers only open cameras on secure origins (or localhost). The certificate covers
localhost, this machine's name and its addresses; the browser warns once, then proceeds.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import socket
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "seefood" / "tls"


def self_signed(directory: Path, addresses: Sequence[str]) -> tuple[Path, Path]:
    """(certificate, key) paths; made once per set of names, then reused."""
    names = sorted({"localhost", socket.gethostname(), "127.0.0.1", *addresses})
    directory.mkdir(parents=True, exist_ok=True)
    tag = hashlib.sha256("\n".join(names).encode()).hexdigest()[:12]
    cert_path, key_path = directory / f"cert-{tag}.pem", directory / f"key-{tag}.pem"
    if cert_path.exists() and key_path.exists():
        existing = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if existing.not_valid_after_utc - datetime.timedelta(days=30) > datetime.datetime.now(
            datetime.UTC
        ):
            return cert_path, key_path  # still good for a month: reuse it
    key = ec.generate_private_key(ec.SECP256R1())
    alt: list[x509.GeneralName] = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "seefood (self-signed)")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path
