"""Just enough OpenPGP to pin an apt signing key: dearmor, walk packets, fingerprint the primary key.

No gpg is needed on the host. The apt-repos step refuses a key unless its primary-key fingerprint
equals the pinned one (Docker: 9DC8 5822 ..., NVIDIA: C95B 321B ...), and writes the NVIDIA keyring
dearmored (binary), as `gpg --dearmor` would.

>>> format_fingerprint("9DC858229FC7DD38854AE2D88D81803C0EBFCD88")
'9DC8 5822 9FC7 DD38 854A E2D8 8D81 803C 0EBF CD88'

Fingerprints (RFC 4880 §12.2, RFC 9580 §5.5.4):
- v4: SHA-1 over 0x99, a two-octet length and the public-key packet body (40 hex digits);
- v5 (LibrePGP / rfc4880bis): SHA-256 over 0x9A, a four-octet length and the body (64 hex digits);
- v6 (RFC 9580): SHA-256 over 0x9B, a four-octet length and the body (64 hex digits).
v3 keys (MD5 over the RSA MPIs, long deprecated) are refused.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct

from dldoctor.i18n import _
from dldoctor.errors import Refused
from dldoctor.records import frozen_record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator, List, Optional, Tuple

# Packet tags (RFC 9580 §5).
TAG_SECRET_KEY = 5
TAG_PUBLIC_KEY = 6
TAG_SECRET_SUBKEY = 7
TAG_USER_ID = 13
TAG_PUBLIC_SUBKEY = 14

ARMOR_PUBLIC = "PUBLIC KEY BLOCK"

_BEGIN = re.compile(r"^-----BEGIN PGP ([A-Z ,/0-9]+)-----[ \t]*$")
_END = re.compile(r"^-----END PGP ([A-Z ,/0-9]+)-----[ \t]*$")


class OpenPgpError(Refused):
    """Data that is not a usable OpenPGP public key (bad armor, CRC, truncated packet...)."""


@frozen_record
class Packet:
    tag: int
    body: bytes
    offset: int  # where the packet header starts in the binary data


@frozen_record
class PublicKey:
    """One primary key found in the data: its version, fingerprint and first user id."""

    version: int
    fingerprint: str
    user_id: Optional[str]
    secret: bool = False


# --- armor ----------------------------------------------------------------------------------------


def crc24(data: bytes) -> int:
    """The CRC-24 of RFC 4880 §6.1 (init 0xB704CE, generator 0x1864CFB)."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _bit in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def is_armored(data: bytes) -> bool:
    return b"-----BEGIN PGP " in data[:4096]


def dearmor(data: bytes) -> bytes:
    """Binary OpenPGP data from ASCII armor; binary input is returned unchanged.

    The armor checksum (`=XXXX`) is verified when present (RFC 9580 made it optional).
    Only the first armored block is read; text around it is ignored.
    """
    if not is_armored(data):
        if data and data[0] & 0x80:
            return data
        raise OpenPgpError("not an OpenPGP key: neither ASCII armor nor binary OpenPGP packets")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise OpenPgpError("not an OpenPGP key: armored data holds non-ASCII bytes") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = None
    kind = ""
    for i, line in enumerate(lines):
        m = _BEGIN.match(line.strip())
        if m:
            start, kind = i, m.group(1)
            break
    if start is None:
        raise OpenPgpError("not an OpenPGP key: no '-----BEGIN PGP' line")
    # Armor headers ("Version: ...", "Comment: ...") run up to the first blank line.
    i = start + 1
    while i < len(lines) and lines[i].strip() and ":" in lines[i] and not _END.match(lines[i].strip()):
        i += 1
    body: List[str] = []
    checksum: Optional[str] = None
    end_kind = None
    for line in lines[i:]:
        s = line.strip()
        if not s:
            continue
        m = _END.match(s)
        if m:
            end_kind = m.group(1)
            break
        if s.startswith("=") and len(s) == 5:
            checksum = s[1:]
            continue
        body.append(s)
    if end_kind is None:
        raise OpenPgpError("truncated armor: no '-----END PGP %s-----' line" % kind)
    if end_kind != kind:
        raise OpenPgpError("armor BEGIN %r does not match END %r" % (kind, end_kind))
    try:
        raw = base64.b64decode("".join(body), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise OpenPgpError("armored key is not valid base64 (%s)" % exc) from None
    if checksum is not None:
        try:
            want = int.from_bytes(base64.b64decode(checksum, validate=True), "big")
        except (binascii.Error, ValueError):
            raise OpenPgpError("armor checksum line '=%s' is not base64" % checksum) from None
        got = crc24(raw)
        if got != want:
            raise OpenPgpError("armor checksum mismatch (CRC-24 %06X, armor says %06X): the key "
                               "was damaged in transit" % (got, want))
    if not raw:
        raise OpenPgpError("armored block is empty")
    return raw


def armor(data: bytes, kind: str = ARMOR_PUBLIC) -> bytes:
    """ASCII-armor binary OpenPGP data (64-column base64 and a CRC-24 line), as gpg --armor does."""
    b64 = base64.b64encode(data).decode("ascii")
    lines = ["-----BEGIN PGP %s-----" % kind, ""]
    lines += [b64[i:i + 64] for i in range(0, len(b64), 64)]
    lines.append("=" + base64.b64encode(crc24(data).to_bytes(3, "big")).decode("ascii"))
    lines.append("-----END PGP %s-----" % kind)
    return ("\n".join(lines) + "\n").encode("ascii")


# --- packets --------------------------------------------------------------------------------------


def packets(data: bytes) -> Iterator[Packet]:
    """Walk binary OpenPGP packets, old (RFC 1991) and new length formats alike."""
    pos = 0
    n = len(data)
    while pos < n:
        start = pos
        ctb = data[pos]
        pos += 1
        if not ctb & 0x80:
            raise OpenPgpError("invalid packet header 0x%02X at offset %d" % (ctb, start))
        if ctb & 0x40:  # new format
            tag = ctb & 0x3F
            chunks: List[bytes] = []
            while True:
                length, pos, partial = _new_length(data, pos, start)
                if pos + length > n:
                    raise OpenPgpError("truncated packet (tag %d) at offset %d" % (tag, start))
                chunks.append(data[pos:pos + length])
                pos += length
                if not partial:
                    break
            body = b"".join(chunks)
        else:  # old format
            tag = (ctb >> 2) & 0x0F
            ltype = ctb & 0x03
            if ltype == 3:  # indeterminate: to the end of the data
                length = n - pos
            else:
                size = (1, 2, 4)[ltype]
                if pos + size > n:
                    raise OpenPgpError("truncated packet length at offset %d" % start)
                length = int.from_bytes(data[pos:pos + size], "big")
                pos += size
            if pos + length > n:
                raise OpenPgpError("truncated packet (tag %d) at offset %d" % (tag, start))
            body = data[pos:pos + length]
            pos += length
        yield Packet(tag, body, start)


def _new_length(data: bytes, pos: int, start: int) -> Tuple[int, int, bool]:
    if pos >= len(data):
        raise OpenPgpError("truncated packet length at offset %d" % start)
    o1 = data[pos]
    if o1 < 192:
        return o1, pos + 1, False
    if o1 < 224:
        if pos + 1 >= len(data):
            raise OpenPgpError("truncated packet length at offset %d" % start)
        return ((o1 - 192) << 8) + data[pos + 1] + 192, pos + 2, False
    if o1 == 255:
        if pos + 5 > len(data):
            raise OpenPgpError("truncated packet length at offset %d" % start)
        return struct.unpack(">I", data[pos + 1:pos + 5])[0], pos + 5, False
    return 1 << (o1 & 0x1F), pos + 1, True  # partial body length


# --- fingerprints ---------------------------------------------------------------------------------


def key_fingerprint(body: bytes) -> str:
    """Fingerprint of one public-key (or public-subkey) packet body, upper-case hex."""
    if not body:
        raise OpenPgpError("empty public-key packet")
    version = body[0]
    if version == 4:
        if len(body) > 0xFFFF:
            raise OpenPgpError("v4 public-key packet too long")
        return hashlib.sha1(b"\x99" + struct.pack(">H", len(body)) + body).hexdigest().upper()
    if version == 5:
        return hashlib.sha256(b"\x9a" + struct.pack(">I", len(body)) + body).hexdigest().upper()
    if version == 6:
        return hashlib.sha256(b"\x9b" + struct.pack(">I", len(body)) + body).hexdigest().upper()
    if version in (2, 3):
        raise OpenPgpError("v%d key: deprecated key format (MD5 fingerprints) is not accepted" % version)
    raise OpenPgpError("unknown public-key packet version %d" % version)


def public_keys(data: bytes) -> List[PublicKey]:
    """Every primary key in `data` (armored or binary), in order, with its first user id."""
    raw = dearmor(data)
    keys: List[PublicKey] = []
    current: Optional[List[object]] = None  # [version, fpr, uid, secret]
    for pkt in packets(raw):
        if pkt.tag in (TAG_PUBLIC_KEY, TAG_SECRET_KEY):
            if current is not None:
                keys.append(PublicKey(*current))  # type: ignore[arg-type]
            secret = pkt.tag == TAG_SECRET_KEY
            # A secret key is refused whatever it is; its public half is not worth parsing out.
            fpr = "" if secret else key_fingerprint(pkt.body)
            current = [pkt.body[0] if pkt.body else 0, fpr, None, secret]
        elif pkt.tag == TAG_USER_ID and current is not None and current[2] is None:
            current[2] = pkt.body.decode("utf-8", "replace")
    if current is not None:
        keys.append(PublicKey(*current))  # type: ignore[arg-type]
    if not keys:
        raise OpenPgpError("no public key packet found in the data")
    return keys


def fingerprint(data: bytes) -> str:
    """The primary key's fingerprint, upper-case hex (40 digits for v4, 64 for v5/v6).

    Raises OpenPgpError (a Refused) when the data holds no key or more than one primary key.
    """
    keys = public_keys(data)
    if keys[0].secret:
        raise OpenPgpError("the data holds a secret key, not a public key")
    if len(keys) > 1:
        raise OpenPgpError("expected one key, found %d: %s" % (
            len(keys), ", ".join(format_fingerprint(k.fingerprint) for k in keys)))
    return keys[0].fingerprint


def normalize_fingerprint(value: str) -> str:
    """'9dc8 5822 ...' or '0x9DC8...' -> '9DC8...' (upper-case hex, no spaces)."""
    v = value.strip()
    if v[:2] in ("0x", "0X"):
        v = v[2:]
    v = re.sub(r"\s+", "", v).upper()
    if not re.fullmatch(r"[0-9A-F]{40}|[0-9A-F]{64}", v):
        raise OpenPgpError("%r is not a 40- or 64-hex-digit fingerprint" % value)
    return v


def format_fingerprint(fpr: str) -> str:
    """Groups of four hex digits, the way gpg and vendors print them."""
    f = re.sub(r"\s+", "", fpr).upper()
    return " ".join(f[i:i + 4] for i in range(0, len(f), 4))


def check_pinned(data: bytes, pinned: str, what: str = "signing key") -> None:
    """Refuse unless `data` holds exactly one public primary key whose fingerprint is `pinned`.

    A keyring with an extra key would let that key sign the repository too, so extra primary keys
    are refused as well, even when one of them is the pinned one.
    """
    want = normalize_fingerprint(pinned)
    try:
        keys = public_keys(data)
    except OpenPgpError as exc:
        raise Refused(_("%s: %s (expected the key %s)") % (what, exc, format_fingerprint(want))) from None
    if any(k.secret for k in keys):
        raise Refused(_("%s: the file holds a SECRET key; refusing to install it as an apt keyring")
                      % what)
    if len(keys) > 1:
        raise Refused(_("%s: the file holds %d keys (%s); expected only %s") % (
            what, len(keys), ", ".join(format_fingerprint(k.fingerprint) for k in keys),
            format_fingerprint(want)))
    got = keys[0].fingerprint
    if got != want:
        uid = " (%s)" % keys[0].user_id if keys[0].user_id else ""
        raise Refused(_("%s: fingerprint mismatch: got %s%s, expected %s") % (
            what, format_fingerprint(got), uid, format_fingerprint(want)))
