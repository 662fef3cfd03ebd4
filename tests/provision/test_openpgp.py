"""dldoctor.openpgp against gpg itself, the vendors' real keys, and RFC 9580's sample keys."""
from __future__ import annotations

import base64
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from dldoctor import openpgp
from dldoctor.errors import Refused

from provision_fakes import DOCKER_KEY, NVIDIA_KEY

DOCKER_FPR = "9DC858229FC7DD38854AE2D88D81803C0EBFCD88"
NVIDIA_FPR = "C95B321B61E88C1809C4F759DDCAE044F796ECB0"

# RFC 9580 Appendix A.3, "Sample Version 6 Certificate (Transferable Public Key)" (no CRC line:
# RFC 9580 made the armor checksum optional), and A.1's v4 Ed25519Legacy key (binary).
RFC9580_V6_CERT = b"""-----BEGIN PGP PUBLIC KEY BLOCK-----

xioGY4d/4xsAAAAg+U2nu0jWCmHlZ3BqZYfQMxmZu52JGggkLq2EVD34laPCsQYf
GwoAAABCBYJjh3/jAwsJBwUVCg4IDAIWAAKbAwIeCSIhBssYbE8GCaaX5NUt+mxy
KwwfHifBilZwj2Ul7Ce62azJBScJAgcCAAAAAK0oIBA+LX0ifsDm185Ecds2v8lw
gyU2kCcUmKfvBXbAf6rhRYWzuQOwEn7E/aLwIwRaLsdry0+VcallHhSu4RN6HWaE
QsiPlR4zxP/TP7mhfVEe7XWPxtnMUMtf15OyA51YBM4qBmOHf+MZAAAAIIaTJINn
+eUBXbki+PSAld2nhJh/LVmFsS+60WyvXkQ1wpsGGBsKAAAALAWCY4d/4wKbDCIh
BssYbE8GCaaX5NUt+mxyKwwfHifBilZwj2Ul7Ce62azJAAAAAAQBIKbpGG2dWTX8
j+VjFM21J0hqWlEg+bdiojWnKfA5AQpWUWtnNwDEM0g12vYxoWM8Y81W+bHBw805
I8kWVkXU6vFOi+HWvv/ira7ofJu16NnoUkhclkUrk0mXubZvyl4GBg==
-----END PGP PUBLIC KEY BLOCK-----
"""
RFC9580_V6_FPR = "CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9"
RFC9580_V4_ED25519 = base64.b64decode("xjMEU/NfCxYJKwYBBAHaRw8BAQdAPwmJlL3ZFu1AUxl5NOSofIBzOhKA1i+AEJkuQ+47JAY=")
RFC9580_V4_FPR = "C959BDBAFA32A2F89A153B678CFDE12197965A9A"

needs_gpg = pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg is not installed")


# --- the real vendor keys -------------------------------------------------------------------------


def test_docker_key_fingerprint_is_the_pinned_one():
    assert openpgp.fingerprint(DOCKER_KEY) == DOCKER_FPR
    assert openpgp.format_fingerprint(DOCKER_FPR) == "9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88"
    keys = openpgp.public_keys(DOCKER_KEY)
    assert keys == [openpgp.PublicKey(4, DOCKER_FPR, "Docker Release (CE deb) <docker@docker.com>")]
    openpgp.check_pinned(DOCKER_KEY, "9DC8 5822 9FC7 DD38 854A  E2D8 8D81 803C 0EBF CD88")


def test_nvidia_key_fingerprint_is_the_pinned_one():
    assert openpgp.fingerprint(NVIDIA_KEY) == NVIDIA_FPR
    keys = openpgp.public_keys(NVIDIA_KEY)
    assert keys[0].user_id == "NVIDIA CORPORATION (Open Source Projects) <cudatools@nvidia.com>"
    openpgp.check_pinned(NVIDIA_KEY, NVIDIA_FPR.lower())


def test_wrong_pin_is_refused_with_both_fingerprints():
    with pytest.raises(Refused) as exc:
        openpgp.check_pinned(NVIDIA_KEY, DOCKER_FPR, "the key")
    msg = str(exc.value)
    assert "fingerprint mismatch" in msg
    assert "C95B 321B 61E8 8C18 09C4 F759 DDCA E044 F796 ECB0" in msg
    assert "9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88" in msg
    assert "NVIDIA CORPORATION" in msg


def test_a_keyring_with_an_extra_key_is_refused_even_if_it_holds_the_pinned_one():
    both = openpgp.dearmor(DOCKER_KEY) + openpgp.dearmor(NVIDIA_KEY)
    assert [k.fingerprint for k in openpgp.public_keys(both)] == [DOCKER_FPR, NVIDIA_FPR]
    with pytest.raises(Refused, match="holds 2 keys"):
        openpgp.check_pinned(both, DOCKER_FPR)
    with pytest.raises(Refused, match="expected one key, found 2"):
        openpgp.fingerprint(both)


@needs_gpg
def test_dearmor_gives_exactly_what_gpg_dearmor_gives(tmp_path, gpg_env):
    src = tmp_path / "gpgkey"
    src.write_bytes(NVIDIA_KEY)
    out = subprocess.run(["gpg", "--batch", "--dearmor"], input=NVIDIA_KEY, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=gpg_env, check=True).stdout
    assert openpgp.dearmor(NVIDIA_KEY) == out
    assert openpgp.dearmor(out) == out  # binary passes through


def test_armor_round_trip_and_crc():
    binary = openpgp.dearmor(DOCKER_KEY)
    armored = openpgp.armor(binary)
    assert armored.startswith(b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n")
    assert openpgp.dearmor(armored) == binary
    # Docker's own armor is byte-for-byte what we produce (64 columns, CRC line, no headers).
    assert armored == DOCKER_KEY
    assert openpgp.crc24(b"") == 0xB704CE


# --- damaged input ------------------------------------------------------------------------------


def test_crc_mismatch_is_refused():
    lines = DOCKER_KEY.decode().split("\n")
    i = next(n for n, l in enumerate(lines) if l.startswith("="))
    lines[i] = "=AAAA"
    with pytest.raises(openpgp.OpenPgpError, match="checksum mismatch"):
        openpgp.dearmor("\n".join(lines).encode())


def test_a_flipped_body_character_fails_the_crc():
    text = DOCKER_KEY.decode()
    bad = text.replace("mQINBFit2ioB", "mQINBFit2ioC", 1)
    with pytest.raises(openpgp.OpenPgpError, match="checksum mismatch"):
        openpgp.dearmor(bad.encode())


@pytest.mark.parametrize("data, match", [
    (b"", "not an OpenPGP key"),
    (b"<html>404 Not Found</html>", "not an OpenPGP key"),
    (b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBFit\n", "truncated armor"),
    (b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!!\n-----END PGP PUBLIC KEY BLOCK-----\n", "base64"),
    (b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQ==\n-----END PGP SIGNATURE-----\n", "does not match"),
])
def test_garbage_is_refused_not_crashed(data, match):
    with pytest.raises(openpgp.OpenPgpError, match=match):
        openpgp.fingerprint(data)


def test_truncated_binary_key_is_refused():
    binary = openpgp.dearmor(DOCKER_KEY)
    with pytest.raises(openpgp.OpenPgpError, match="truncated"):
        openpgp.fingerprint(binary[:300])


def test_armor_headers_and_surrounding_text_are_tolerated():
    text = DOCKER_KEY.decode().replace(
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n",
        "Here is our key:\n-----BEGIN PGP PUBLIC KEY BLOCK-----\nVersion: GnuPG v2\nComment: x: y\n")
    assert openpgp.fingerprint(text.replace("\n", "\r\n").encode()) == DOCKER_FPR


# --- RFC 9580 sample keys (v6, and v4 in a new-format packet) -------------------------------------


def test_rfc9580_v6_certificate():
    keys = openpgp.public_keys(RFC9580_V6_CERT)
    assert keys == [openpgp.PublicKey(6, RFC9580_V6_FPR, None)]
    openpgp.check_pinned(RFC9580_V6_CERT, RFC9580_V6_FPR.lower())


def test_rfc9580_v4_ed25519_binary():
    assert RFC9580_V4_ED25519[0] == 0xC6  # new-format packet header, tag 6
    assert openpgp.fingerprint(RFC9580_V4_ED25519) == RFC9580_V4_FPR


def test_v5_fingerprint_is_sha256_over_0x9a():
    import hashlib
    import struct

    body = bytes([5]) + b"\x00" * 9 + b"fake key material"
    pkt = bytes([0xC6, len(body)]) + body
    expected = hashlib.sha256(b"\x9a" + struct.pack(">I", len(body)) + body).hexdigest().upper()
    assert openpgp.fingerprint(pkt) == expected and len(expected) == 64


def test_v3_keys_are_refused():
    pkt = bytes([0x99, 0x00, 0x03, 3, 0, 0])
    with pytest.raises(openpgp.OpenPgpError, match="v3 key"):
        openpgp.fingerprint(pkt)


def test_normalize_fingerprint_rejects_short_ids():
    with pytest.raises(Refused, match="not a 40- or 64-hex-digit"):
        openpgp.check_pinned(DOCKER_KEY, "0EBFCD88")
    assert openpgp.normalize_fingerprint("0x" + DOCKER_FPR.lower()) == DOCKER_FPR


# --- packet formats: every length encoding gives the same fingerprint -----------------------------


def _reencode(binary: bytes, style: str) -> bytes:
    """Rewrite every packet header of `binary` in another legal encoding."""
    out = b""
    for pkt in openpgp.packets(binary):
        body = pkt.body
        if style == "new-5":
            out += bytes([0xC0 | pkt.tag, 0xFF]) + len(body).to_bytes(4, "big") + body
        elif style == "new-short":
            n = len(body)
            if n < 192:
                hdr = bytes([n])
            elif n < 8384:
                n2 = n - 192
                hdr = bytes([(n2 >> 8) + 192, n2 & 0xFF])
            else:
                hdr = b"\xff" + n.to_bytes(4, "big")
            out += bytes([0xC0 | pkt.tag]) + hdr + body
        elif style == "old-4":
            out += bytes([0x80 | (pkt.tag << 2) | 2]) + len(body).to_bytes(4, "big") + body
        elif style == "partial" and pkt.tag == openpgp.TAG_USER_ID and len(body) > 4:
            # Partial body lengths are only legal for data packets, but a reader must not choke.
            out += bytes([0xC0 | pkt.tag, 0xE0 | 2]) + body[:4]
            rest = body[4:]
            out += bytes([len(rest)]) + rest
        else:
            out += bytes([0x80 | (pkt.tag << 2) | 1]) + len(body).to_bytes(2, "big") + body
    return out


@pytest.mark.parametrize("style", ["new-5", "new-short", "old-4", "partial", "old-2"])
def test_packet_length_encodings(style):
    binary = openpgp.dearmor(DOCKER_KEY)
    again = _reencode(binary, style)
    assert again != binary or style == "old-2"
    keys = openpgp.public_keys(again)
    assert keys[0].fingerprint == DOCKER_FPR
    assert keys[0].user_id == "Docker Release (CE deb) <docker@docker.com>"


def test_old_format_indeterminate_length_runs_to_the_end():
    binary = openpgp.dearmor(DOCKER_KEY)
    first = next(openpgp.packets(binary))
    pkt = bytes([0x80 | (first.tag << 2) | 3]) + first.body
    assert openpgp.fingerprint(pkt) == DOCKER_FPR


# --- throwaway keys made by gpg -------------------------------------------------------------------


@pytest.fixture
def gpg_env(tmp_path: Path) -> Iterator[dict]:
    """A private GNUPGHOME; the gpg-agent that key generation starts is stopped afterwards (it
    would outlive the test run)."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700, exist_ok=True)
    env = dict(os.environ)
    env["GNUPGHOME"] = str(home)
    yield env
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30, check=False)


def _gpg(env: dict, *args: str, input: bytes = b"") -> bytes:
    return subprocess.run(["gpg", "--batch", "--quiet", *args], input=input, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True,
                          timeout=120).stdout


def _gpg_fprs(env: dict, data: bytes, tmp_path: Path) -> list:
    f = tmp_path / "show.key"
    f.write_bytes(data)
    out = _gpg(env, "--with-colons", "--show-keys", str(f)).decode()
    fprs = []
    want_next = False
    for line in out.splitlines():
        parts = line.split(":")
        if parts[0] == "pub":
            want_next = True
        elif parts[0] == "fpr" and want_next:
            fprs.append(parts[9])
            want_next = False
        elif parts[0] == "sub":
            want_next = False
    return fprs


@needs_gpg
@pytest.mark.parametrize("algo", ["ed25519", "rsa2048"])
def test_throwaway_gpg_key_matches_gpg_fingerprint(tmp_path, algo, gpg_env):
    env = gpg_env
    uid = "dldoctor test %s <test@dldoctor.invalid>" % algo
    _gpg(env, "--passphrase", "", "--pinentry-mode", "loopback",
         "--quick-gen-key", uid, algo, "sign", "never")
    armored = _gpg(env, "--armor", "--export", uid)
    binary = _gpg(env, "--export", uid)
    gpg_fprs = _gpg_fprs(env, armored, tmp_path)
    assert len(gpg_fprs) == 1
    assert openpgp.fingerprint(armored) == gpg_fprs[0]
    assert openpgp.fingerprint(binary) == gpg_fprs[0]
    assert openpgp.dearmor(armored) == binary
    assert openpgp.public_keys(armored)[0].user_id == uid
    openpgp.check_pinned(armored, openpgp.format_fingerprint(gpg_fprs[0]))
    # gpg reads what we armor.
    assert _gpg_fprs(env, openpgp.armor(binary), tmp_path) == gpg_fprs
    # A secret key export is never accepted as an apt keyring.
    secret = _gpg(env, "--passphrase", "", "--pinentry-mode", "loopback", "--armor",
                  "--export-secret-keys", uid)
    with pytest.raises(Refused, match="SECRET key"):
        openpgp.check_pinned(secret, gpg_fprs[0])
