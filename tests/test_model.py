"""Plans show what would change: a text diff for text, sizes and hashes for a binary keyring."""
from dldoctor.model import FileRemove, FileWrite


def test_text_diff_is_unified():
    w = FileWrite("/etc/docker/daemon.json", b'{\n  "a": 1\n}\n', b'{\n  "a": 1,\n  "b": 2\n}\n')
    d = w.diff()
    assert d.startswith("--- /etc/docker/daemon.json\n+++ /etc/docker/daemon.json\n")
    assert '+  "b": 2\n' in d and '-  "a": 1\n' in d


def test_new_file_diff_is_from_dev_null():
    assert FileWrite("/etc/apt/sources.list.d/docker.sources", None, b"Types: deb\n").diff().startswith(
        "--- /dev/null\n")


def test_binary_keyring_is_summarised():
    key = b"\x99\x01\x0d\x04\x00\xff" * 10
    d = FileWrite("/usr/share/keyrings/nvidia.gpg", None, key).diff()
    assert d.startswith("Binary file /usr/share/keyrings/nvidia.gpg: (none) -> 60 bytes, sha256 ")
    assert "\x99" not in d
    assert FileRemove("/usr/share/keyrings/old.gpg", key).diff().startswith("Binary file")
