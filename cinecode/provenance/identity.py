"""Who signs: a real certificate and key named by the environment or film.toml, else a
development identity made on first use.

```
1. CINECODE_C2PA_CERT + CINECODE_C2PA_KEY (paths)           a real identity, this shell's
2. [provenance] cert + key in film.toml (paths)              a real identity, this film's
3. $XDG_CONFIG_HOME/cinecode/identity/ (~/.config/…)         the development identity
```

The development identity is a small certificate authority of its own and a signer it
issued (C2PA refuses a self-signed signing certificate), both Ed25519: Ed25519 signatures
are deterministic. It lives in the user's configuration folder, never in a project or its
store, and says what it is: validators report its signer as untrusted. A key is read into
memory to sign and never written anywhere else, nor logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from cinecode.errors import ProvenanceError

CERT_ENV = "CINECODE_C2PA_CERT"
KEY_ENV = "CINECODE_C2PA_KEY"
DEV_NAME = "cinecode development signer (not trusted)"
_CHAIN = "development-chain.pem"
_KEY = "development-key.pem"


@dataclass(frozen=True)
class Identity:
    """A signing certificate chain (leaf first, PEM) and where its private key is."""

    chain: Path
    key: Path
    development: bool
    source: str  # where it was found: "CINECODE_C2PA_CERT", "film.toml", "development"

    def fingerprint(self) -> str:
        """sha256 of the certificate chain: two signings by one identity share it."""
        return hashlib.sha256(self.chain.read_bytes()).hexdigest()

    def algorithm(self) -> str:
        """The C2PA signing algorithm of the key: Ed25519, ES256/384/512 or PS256."""
        from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        try:
            key = load_pem_private_key(self.key.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as exc:
            raise ProvenanceError(
                f"cannot read the signing key {self.key}: {type(exc).__name__}",
                hint="give an unencrypted PEM private key (Ed25519, EC P-256/384/521 or RSA)",
            ) from None  # the key's text never enters a message
        if isinstance(key, ed25519.Ed25519PrivateKey):
            return "ED25519"
        if isinstance(key, ec.EllipticCurvePrivateKey):
            bits = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
            if key.curve.name in bits:
                return bits[key.curve.name]
        if isinstance(key, rsa.RSAPrivateKey):
            return "PS256"
        raise ProvenanceError(
            f"the signing key {self.key} is of a kind C2PA cannot sign with",
            hint="use an Ed25519, EC (P-256, P-384, P-521) or RSA key",
        )


def config_home() -> Path:
    """The user's configuration folder for cinecode ($XDG_CONFIG_HOME/cinecode)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "cinecode"


def resolve(*, cert: Path | None = None, key: Path | None = None) -> Identity:
    """The identity to sign with: the environment's, else `cert`/`key` (film.toml), else
    the development one (made now if it does not exist)."""
    env_cert, env_key = os.environ.get(CERT_ENV, ""), os.environ.get(KEY_ENV, "")
    if env_cert or env_key:
        return _given(
            Path(env_cert) if env_cert else None,
            Path(env_key) if env_key else None,
            source=CERT_ENV,
            both=(CERT_ENV, KEY_ENV),
        )
    if cert is not None or key is not None:
        return _given(cert, key, source="film.toml", both=("cert", "key"))
    return development_identity(config_home() / "identity")


def _given(cert: Path | None, key: Path | None, *, source: str, both: tuple[str, str]) -> Identity:
    if cert is None or key is None:
        raise ProvenanceError(
            f"a signing identity needs both {both[0]} and {both[1]}",
            hint="name the certificate chain (PEM, signer first) and its private key",
        )
    for path in (cert, key):
        if not path.is_file():
            raise ProvenanceError(
                f"{source}: no file {path}", hint="give the path of an existing PEM file"
            )
    return Identity(cert, key, development=False, source=source)


_MAKING = threading.Lock()


def development_identity(folder: Path) -> Identity:
    """The development identity in `folder`, made on first use (a CA and its signer)."""
    chain, key = folder / _CHAIN, folder / _KEY
    with _MAKING:  # a make signs its master and its stems in two threads at once
        if not (chain.is_file() and key.is_file()):
            _make_development(folder)
    return Identity(chain, key, development=True, source="development")


def _make_development(folder: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, common),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cinecode (development)"),
            ]
        )

    def usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=sign,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=ca,
            crl_sign=ca,
            encipher_only=False,
            decipher_only=False,
        )

    now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
    until = now + dt.timedelta(days=3650)
    ca_key, leaf_key = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
    ca_name = name("cinecode development CA (not trusted)")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, None)
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name(DEV_NAME))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(sign=True, ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, None)
    )
    pem = serialization.Encoding.PEM
    key_bytes = leaf_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # the pair appears whole or not at all: two builds making it at once keep one of theirs
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged = folder.with_name(f".{folder.name}.{os.getpid()}.part")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(mode=0o700)
    _write_private(staged / _KEY, key_bytes)
    _write_private(staged / _CHAIN, leaf.public_bytes(pem) + ca.public_bytes(pem))
    try:
        os.rename(staged, folder)  # onto nothing, or an empty folder
    except OSError:
        shutil.rmtree(staged, ignore_errors=True)
        if not ((folder / _CHAIN).is_file() and (folder / _KEY).is_file()):
            raise ProvenanceError(
                f"cannot make the development identity in {folder}",
                hint="remove that folder (it holds no complete identity), or name your own "
                f"with {CERT_ENV} and {KEY_ENV}",
            ) from None


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
