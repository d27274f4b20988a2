import ipaddress
from pathlib import Path

from cryptography import x509

from seefood.server.tls import self_signed


def test_self_signed_certificate_names_this_machine_and_is_reused(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, ["192.0.2.7"])
    parsed = x509.load_pem_x509_certificate(cert.read_bytes())
    alt = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in alt.get_values_for_type(x509.DNSName)
    assert ipaddress.ip_address("192.0.2.7") in alt.get_values_for_type(x509.IPAddress)
    assert key.stat().st_mode & 0o777 == 0o600
    assert self_signed(tmp_path, ["192.0.2.7"]) == (cert, key)
