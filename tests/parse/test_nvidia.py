"""Parsers for NVIDIA host evidence, checked against the real outputs in tests/data/fixtures.

Every expected value below was read off the fixture file itself (see tests/data/fixtures/SOURCES.md),
not copied from parser output."""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Callable, Dict, List  # noqa: F401 (type comments)

import pytest

from dldoctor.errors import ParseError
from dldoctor.parse.dmesg import parse_dmesg
from dldoctor.parse.lsmod import Modules, parse_lsmod
from dldoctor.parse.lspci import PciScan, parse_lspci
from dldoctor.parse.nvidia_container_cli import NvccliInfo, parse_nvidia_container_cli_info
from dldoctor.parse.nvidia_smi import ERROR_KINDS, Gpu, NvidiaSmi, parse_nvidia_smi
from dldoctor.parse.proc_driver_nvidia_version import KernelModule, parse_proc_driver_nvidia_version
from dldoctor.parse.toolkit_config import ToolkitConfig, parse_toolkit_config
from dldoctor.parse.toolkit_version import ToolVersion, parse_tool_version

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "fixtures"


def read(rel: str) -> str:
    return (FIXTURES / rel).read_text(encoding="utf-8")


# ==================================================================================================
# expectations, one entry per fixture file


def smi(form, driver, cuda, smi_version, n, name=None, bus=None, mem=None, uuid=None, mig=None, win=False,
        migdevs=0, index="unset"):
    """Expected NvidiaSmi for a fixture: the top-level fields, GPU count, and the first GPU's fields."""
    return dict(form=form, driver=driver, cuda=cuda, smi=smi_version, n=n, name=name, bus=bus, mem=mem,
                uuid=uuid, mig=mig, win=win, migdevs=migdevs, index=index)


def table(driver, cuda, n, name=None, bus=None, mem=None, mig=False, win=False, smi_version=None, migdevs=0):
    return smi("table", driver, cuda, smi_version or driver, n, name, bus, mem, None, mig, win, migdevs, 0 if n else "unset")


def query(driver, cuda, n, name, bus, mem=None, uuid=None, mig=False, win=False, migdevs=0):
    return smi("query", driver, cuda, None, n, name, bus, mem, uuid, mig, win, migdevs, None)


def xml(driver, cuda, n, name, bus, mem, uuid, mig=False, win=False, migdevs=0):
    return smi("xml", driver, cuda, None, n, name, bus, mem, uuid, mig, win, migdevs, None)


ZERO_UUID = "GPU-00000000-0000-0000-0000-000000000000"

NVIDIA_SMI = {
    # ---- default table: 331/346 short box, no CUDA Version
    "nvidia-smi/331.62-4xGTX680-no-cuda-version.txt": table("331.62", None, 3, "GeForce GTX 680", "0000:03:00.0", 4095, mig=None),
    "nvidia-smi/346.46-GRID-K520-no-cuda-version.txt": table("346.46", None, 1, "GRID K520", "0000:00:03.0", 4095, mig=None),
    # ---- 390-440: 79 columns, no MIG row
    "nvidia-smi/390.25-8xGTX1080Ti-no-cuda-version.txt": table("390.25", None, 8, "GeForce GTX 108...", "00000000:04:00.0", 11178, mig=None),
    "nvidia-smi/418.39-TITAN-X-Pascal.txt": table("418.39", "10.1", 1, "TITAN X (Pascal)", "00000000:02:00.0", 12196, mig=None),
    "nvidia-smi/440.100-laptop-GeForce-RTX-207-with-processes.txt": table("440.100", "10.2", 1, "GeForce RTX 207...", "00000000:01:00.0", 7973, mig=None),
    "nvidia-smi/440.82-GTX1080Ti-in-docker.txt": table("440.82", "10.2", 2, "GeForce GTX 108...", "00000000:01:00.0", 11175, mig=None),
    "nvidia-smi/440.95.01-GT1030-in-container.txt": table("440.95.01", "10.2", 1, "GeForce GT 1030", "00000000:26:00.0", 1998, mig=None),
    # ---- 450-525: MIG M. row
    "nvidia-smi/450.57-TITAN-Xp.txt": table("450.57", "11.0", 1, "TITAN Xp", "00000000:17:00.0", 12196),
    "nvidia-smi/450.57-multi-gpu-processes.txt": table("450.57", "11.0", 2, "GeForce RTX 2070", "00000000:01:00.0", 7981),
    "nvidia-smi/455.23.04-RTX3090.txt": table("455.23.04", "11.1", 1, "GeForce RTX 3090", "00000000:01:00.0", 24267),
    "nvidia-smi/460.39-laptop-GeForce-RTX-2070-with-processes.txt": table("460.39", "11.2", 1, "GeForce RTX 2070", "00000000:01:00.0", 7973),
    "nvidia-smi/470.57.02-RTX3070.txt": table("470.57.02", "11.4", 1, "NVIDIA GeForce ...", "00000000:41:00.0", 7979),
    "nvidia-smi/470.63.01-laptop-NVIDIA-GeForce-with-processes.txt": table("470.63.01", "11.4", 1, "NVIDIA GeForce ...", "00000000:01:00.0", 16116),
    "nvidia-smi/510.47.03-host-RTX3090.txt": table("510.47.03", "11.6", 1, "NVIDIA GeForce ...", "00000000:73:00.0", 24576),
    "nvidia-smi/510.68.02-head-in-container.txt": table("510.68.02", "11.6", 0, mig=None),
    "nvidia-smi/515.65.01-TITAN-V-no-processes.txt": table("515.65.01", "11.7", 1, "NVIDIA TITAN V", "00000000:AF:00.0", 12288),
    "nvidia-smi/525.105.17-V100-SXM2-in-container.txt": table("525.105.17", "12.0", 1, "Tesla V100-SXM2...", "00000000:00:09.0", 32768),
    "nvidia-smi/525.125.06-rtx-ERR-fan.txt": table("525.125.06", "12.0", 1, "NVIDIA GeForce ...", "00000000:01:00.0", 23028),
    # ---- 530-535: 89 columns; WSL2 shows the Windows driver; Windows TCC/WDDM column
    "nvidia-smi/530.47-wsl2-driver-531.68-RTX3070.txt": table("531.68", "12.1", 1, "NVIDIA GeForce RTX 3070", "00000000:2B:00.0", 8192, smi_version="530.47"),
    "nvidia-smi/531.14-windows-GTX1080Ti-TCC-WDDM.txt": table("531.14", "12.1", 1, "NVIDIA GeForce GTX 1080 Ti", "00000000:09:00.0", 11264, win=True),
    "nvidia-smi/535.129.03-2xQuadro-RTX4000.txt": table("535.129.03", "12.2", 1, "Quadro RTX 4000", "00000000:06:00.0", 8192),
    "nvidia-smi/535.86.10-2xA800-SXM4-in-container.txt": table("535.86.10", "12.2", 2, "NVIDIA A800-SXM4-80GB", "00000000:27:00.0", 81920),
    # ---- 550-570: 91 columns
    "nvidia-smi/550.127.05-A10.txt": table("550.127.05", "12.4", 1, "NVIDIA A10", "00000000:06:00.0", 23028),
    "nvidia-smi/550.135-Tesla-P4.txt": table("550.135", "12.4", 1, "Tesla P4", "00000000:86:00.0", 8192),
    "nvidia-smi/550.40.07-RTX4070.txt": table("550.40.07", "12.4", 1, "NVIDIA GeForce RTX 4070", "00000000:2D:00.0", 12282),
    "nvidia-smi/550.54.15-RTX3060-host-for-k8s.txt": table("550.54.15", "12.4", 1, "NVIDIA GeForce RTX 3060", "00000000:0B:00.0", 12288),
    "nvidia-smi/550.90.07-8xH100.txt": table("550.90.07", "12.4", 8, "NVIDIA H100 80GB HBM3", "00000000:19:00.0", 81559),
    "nvidia-smi/570.133.20-head-4.txt": table("570.133.20", "12.8", 0, mig=None),
    # ---- 580+: "+---" second border
    "nvidia-smi/580.126.09-2xA100-40GB-E-Process-bottlerocket.txt": table("580.126.09", "13.0", 2, "NVIDIA A100-SXM4-40GB", "00000000:10:1C.0", 40960),
    "nvidia-smi/580.159.04-h200-vm.txt": table("580.159.04", "13.0", 1, "NVIDIA H200", "00000000:00:06.0", 143771),
    "nvidia-smi/580.173.02-h200.txt": table("580.173.02", "13.0", 1, "NVIDIA H200", "00000000:83:00.0", 143771),
    "nvidia-smi/580.65.06-RTX4090-with-processes.txt": table("580.65.06", "13.0", 1, "NVIDIA GeForce RTX 4090", "00000000:01:00.0", 24564),
    "nvidia-smi/580.95.05-RTX3060-raspberrypi-cm5-pci-domain-1.txt": table("580.95.05", "13.0", 1, "NVIDIA GeForce RTX 3060", "00000001:01:00.0", 12288),
    "nvidia-smi/590.44.01-multi-RTX6000D-no-date-line.txt": table("590.44.01", "13.1", 2, "NVIDIA RTX 6000D", "00000000:13:00.0", 85651),
    "nvidia-smi/590.48.01-h100-80gb-hbm3.txt": table("590.48.01", "13.1", 1, "NVIDIA H100 80GB HBM3", "00000000:00:09.0", 81559),
    "nvidia-smi/590.48.01-h100-mig-load.txt": table("590.48.01", "13.1", 1, "NVIDIA H100 80GB HBM3", "00000000:00:09.0", 81559, mig=True, migdevs=4),
    "nvidia-smi/590.48.01-h100-mig.txt": table("590.48.01", "13.1", 1, "NVIDIA H100 80GB HBM3", "00000000:00:09.0", 81559, mig=True, migdevs=4),
    "nvidia-smi/590.48.01-h200-mig.txt": table("590.48.01", "13.1", 1, "NVIDIA H200", "00000000:83:00.0", 143771, mig=True, migdevs=5),
    "nvidia-smi/590.48.01-h200.txt": table("590.48.01", "13.1", 1, "NVIDIA H200", "00000000:83:00.0", 143771),
    "nvidia-smi/591.59-windows-RTX4050-laptop.txt": table("591.59", "13.1", 1, "NVIDIA GeForce RTX 4050 ...", "00000000:01:00.0", 6141, win=True),
    "nvidia-smi/591.86-geforce-rtx-2080-super-windows-load.txt": table("591.86", "13.1", 1, "NVIDIA GeForce RTX 2080 ...", "00000000:0C:00.0", 8192, win=True),
    "nvidia-smi/591.86-geforce-rtx-2080-super-windows.txt": table("591.86", "13.1", 1, "NVIDIA GeForce RTX 2080 ...", "00000000:0C:00.0", 8192, win=True),
    "nvidia-smi/595.71.05-geforce-rtx-2080-super.txt": table("595.71.05", "13.2", 1, "NVIDIA GeForce RTX 2080 ...", "00000000:0C:00.0", 8192),
    "nvidia-smi/595.71.05-geforce-rtx-4080-super-load.txt": table("595.71.05", "13.2", 1, "NVIDIA GeForce RTX 4080 ...", "00000000:01:00.0", 16376),
    "nvidia-smi/595.71.05-geforce-rtx-4080-super.txt": table("595.71.05", "13.2", 1, "NVIDIA GeForce RTX 4080 ...", "00000000:01:00.0", 16376),
    "nvidia-smi/595.80-l40s.txt": table("595.80", "13.2", 1, "NVIDIA L40S", "00000000:01:00.0", 46068),
    # ---- 610+: KMD Version / CUDA UMD Version
    "nvidia-smi/610.43.02-2xB200-kmd-umd.txt": table("610.43.02", "13.3", 2, "NVIDIA B200", "00000000:63:00.0", 183359),
    "nvidia-smi/610.57.04-geforce-rtx-2080-super.txt": table("610.57.04", "13.3", 1, "NVIDIA GeForce RTX 2080 ...", "00000000:0C:00.0", 8192),
    "nvidia-smi/610.62-geforce-rtx-2080-super-windows-load.txt": table("610.62", "13.3", 1, "NVIDIA GeForce RTX 2080 ...", "00000000:0C:00.0", 8192, win=True),
    "nvidia-smi/610.62-geforce-rtx-2080-super-windows.txt": table("610.62", "13.3", 1, "NVIDIA GeForce RTX 2080 ...", "00000000:0C:00.0", 8192, win=True),
    # ---- -q / -a (snippets keep only the first GPU block even where "Attached GPUs" says more)
    "nvidia-smi-q/375.26-product-name-unknown-error-snippet.txt": query("375.26", None, 1, "Unknown Error", "0000:4B:00.0", mig=None),
    "nvidia-smi-q/384.130-GTX1080Ti-snippet.txt": query("384.130", None, 1, "GeForce GTX 1080 Ti", "00000000:06:00.0", uuid="GPU-1a8cc6b1-ccb6-5029-fa69-fff5ded323b9", mig=None),
    "nvidia-smi-q/396.54-GTX1080-snippet.txt": query("396.54", None, 1, "GeForce GTX 1080", "00000000:01:00.0", mig=None),
    "nvidia-smi-q/418.67-GTX1080Ti-in-container-snippet.txt": query("418.67", "10.1", 1, "GeForce GTX 1080 Ti", "00000000:41:00.0", mig=None),
    "nvidia-smi-q/430.26-4xRTX2080Ti-snippet.txt": query("430.26", "10.2", 1, "GeForce RTX 2080 Ti", "00000000:18:00.0", mig=None),
    "nvidia-smi-q/440.82-GTX1650-snippet.txt": query("440.82", "10.2", 1, "GeForce GTX 1650", "00000000:01:00.0", mig=None),
    "nvidia-smi-q/442.92-windows-4xGTX1080Ti-WDDM-snippet.txt": query("442.92", "10.2", 1, "GeForce GTX 1080 Ti", "00000000:18:00.0", mig=None, win=True),
    "nvidia-smi-q/450.80.02-QuadroP2200-snippet.txt": query("450.80.02", "11.0", 1, "Quadro P2200", "00000000:83:00.0"),
    "nvidia-smi-q/535.129.03-A10.txt": query("535.129.03", "12.2", 1, "NVIDIA A10", "00000000:07:00.0", 23028, "GPU-73d12ef7-f589-f867-4259-c7090ab44736"),
    "nvidia-smi-q/535.154.05-8xRTX4090.txt": query("535.154.05", "12.2", 8, "NVIDIA GeForce RTX 4090", "00000000:01:00.0", 24564, "GPU-988008fc-0059-17f4-9001-0ab4143e0e63"),
    "nvidia-smi-q/535.161.08-8xH100.txt": query("535.161.08", "12.2", 8, "NVIDIA H100 80GB HBM3", "00000000:19:00.0", 81559, "GPU-ee7954ec-da95-fd7a-ddfd-c6b32cc2f8aa"),
    "nvidia-smi-q/550.127.05-A10-hw-slowdown.txt": query("550.127.05", "12.4", 1, "NVIDIA A10", "00000000:06:00.0", 23028, "GPU-51ae0086-e1ac-4a20-f062-9caa44e4df6d"),
    "nvidia-smi-q/550.127.05-A10.txt": query("550.127.05", "12.4", 1, "NVIDIA A10", "00000000:06:00.0", 23028, "GPU-51ae0086-e1ac-4a20-f062-9caa44e4df6d"),
    "nvidia-smi-q/560.35.03-TITAN-V.txt": query("560.35.03", "12.6", 1, "NVIDIA TITAN V", "00000000:01:00.0", 12288, "GPU-f4c353ff-b56c-c1de-bcb9-7dad861b589a"),
    "nvidia-smi-q/580.159.04-h200-vm.txt": query("580.159.04", "13.0", 1, "NVIDIA H200", "00000000:00:06.0", 143771, "GPU-a06cff16-67cb-1991-b35c-0045231e7a79"),
    "nvidia-smi-q/590.48.01-h100-80gb-hbm3.txt": query("590.48.01", "13.1", 1, "NVIDIA H100 80GB HBM3", "00000000:00:09.0", 81559, ZERO_UUID),
    "nvidia-smi-q/590.48.01-h100-mig.txt": query("590.48.01", "13.1", 1, "NVIDIA H100 80GB HBM3", "00000000:00:09.0", 81559, ZERO_UUID, mig=True, migdevs=4),
    "nvidia-smi-q/590.48.01-h200-mig.txt": query("590.48.01", "13.1", 1, "NVIDIA H200", "00000000:83:00.0", 143771, ZERO_UUID, mig=True, migdevs=5),
    "nvidia-smi-q/590.48.01-h200.txt": query("590.48.01", "13.1", 1, "NVIDIA H200", "00000000:83:00.0", 143771, ZERO_UUID),
    "nvidia-smi-q/591.86-geforce-rtx-2080-super-windows.txt": query("591.86", "13.1", 1, "NVIDIA GeForce RTX 2080 SUPER", "00000000:0C:00.0", 8192, ZERO_UUID, win=True),
    "nvidia-smi-q/595.71.05-geforce-rtx-2080-super.txt": query("595.71.05", "13.2", 1, "NVIDIA GeForce RTX 2080 SUPER", "00000000:0C:00.0", 8192, ZERO_UUID),
    "nvidia-smi-q/595.71.05-geforce-rtx-4080-super.txt": query("595.71.05", "13.2", 1, "NVIDIA GeForce RTX 4080 SUPER", "00000000:01:00.0", 16376, ZERO_UUID),
    "nvidia-smi-q/595.80-l40s.txt": query("595.80", "13.2", 1, "NVIDIA L40S", "00000000:01:00.0", 46068, ZERO_UUID),
    "nvidia-smi-q/610.57.04-geforce-rtx-2080-super.txt": query("610.57.04", "13.3", 1, "NVIDIA GeForce RTX 2080 SUPER", "00000000:0C:00.0", 8192, ZERO_UUID),
    "nvidia-smi-q/610.62-geforce-rtx-2080-super-windows.txt": query("610.62", "13.3", 1, "NVIDIA GeForce RTX 2080 SUPER", "00000000:0C:00.0", 8192, ZERO_UUID, win=True),
    # ---- -q -x
    "nvidia-smi-q-x/418.43-cuda10.1-gtx1660ti.xml": xml("418.43", "10.1", 1, "Graphics Device", "00000000:43:00.0", 5912, "GPU-304a277d-3545-63b8-3a36-dfde3c992989", mig=None),
    "nvidia-smi-q-x/418.43-cuda10.1-quadro-p400.xml": xml("418.43", "10.1", 1, "Quadro P400", "00000000:43:00.0", 1998, "GPU-8f750be4-dfbc-23b9-b33f-da729a536494", mig=None),
    "nvidia-smi-q-x/515.105.01-cuda11.7-a10g.xml": xml("515.105.01", "11.7", 1, "NVIDIA A10G", "00000000:00:1E.0", 23028, "GPU-9a9a6c50-2a47-2f51-a902-b82c3b127e94"),
    "nvidia-smi-q-x/515.105.01-cuda11.7-tesla-t4.xml": xml("515.105.01", "11.7", 1, "Tesla T4", "00000000:00:1E.0", 15360, "GPU-d37e67a5-91dd-3774-a5cb-99096249601a"),
    "nvidia-smi-q-x/525.125.06-cuda12.0-quadro-p2000.xml": xml("525.125.06", "12.0", 1, "Quadro P2000", "00000000:17:00.0", 5120, "GPU-396caaed-39ca-3199-2e68-717cdb786ec6"),
    "nvidia-smi-q-x/525.147.05-cuda12.0-rtx3090.xml": xml("525.147.05", "12.0", 1, "NVIDIA GeForce RTX 3090", "00000000:00:10.0", 24576, "GPU-12345678-aaaa-bbbb-cccc-0123456789ab"),
    # attached_gpus says 4 but the file holds one <gpu> element
    "nvidia-smi-q-x/535.54.03-cuda12.2-4xA100-SXM4-80GB-mig.xml": xml("535.54.03", "12.2", 1, "NVIDIA A100-SXM4-80GB", "00000000:01:00.0", 81920, "GPU-513536b6-7d19-9063-b049-1e69664bb298", mig=True, migdevs=4),
    "nvidia-smi-q-x/536.40-cuda12.2-rtx3080-windows.xml": xml("536.40", "12.2", 1, "NVIDIA GeForce RTX 3080", "00000000:04:00.0", 10240, "GPU-19d6d965-2acc-f646-00f8-4c76979aabb4", win=True),
    "nvidia-smi-q-x/570.124.04-cuda12.8-rtx3060.xml": xml("570.124.04", "12.8", 1, "NVIDIA GeForce RTX 3060", "00000000:2D:00.0", 12288, "GPU-d6889ff6-2523-9142-ca3c-1ca3f396a625"),
    "nvidia-smi-q-x/580.159.04-cuda13.0-h200-vm.xml": xml("580.159.04", "13.0", 1, "NVIDIA H200", "00000000:00:06.0", 143771, "GPU-a06cff16-67cb-1991-b35c-0045231e7a79"),
    "nvidia-smi-q-x/590.44.01-cuda13.1-2xrtx2070.xml": xml("590.44.01", "13.1", 2, "NVIDIA GeForce RTX 2070", "00000000:01:00.0", 8192, "GPU-12345678-aaaa-bbbb-cccc-0123456789ab"),
    "nvidia-smi-q-x/590.44.01-cuda13.1-rtx-pro-6000-blackwell.xml": xml("590.44.01", "13.1", 1, "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition", "00000000:61:00.0", 97887, "GPU-12345678-aaaa-bbbb-cccc-0123456789ab"),
    "nvidia-smi-q-x/595.58.03-cuda13.2-rtx3080.xml": xml("595.58.03", "13.2", 1, "NVIDIA GeForce RTX 3080", "00000000:0C:00.0", 10240, "GPU-19d6d965-2acc-f646-00f8-4c76979aabb4"),
    # named "windows" in SOURCES.md, but the document shows a Linux host (persistence Enabled, HMM,
    # minor number 0, driver model N/A, processes cosmic-comp and /usr/bin/code): nothing says Windows
    "nvidia-smi-q-x/595.84-cuda13.2-rtx4000-sff-ada-windows.xml": xml("595.84", "13.2", 1, "NVIDIA RTX 4000 SFF Ada Generation", "00000000:06:00.0", 20475, "GPU-37037c3f-65c8-ec4d-24a9-420204ad8026"),
    # ---- --query-gpu / --query-compute-apps CSV
    "nvidia-smi-query-csv/440.64-noheader-nounits-RTX2080.csv": smi("csv", None, None, None, 1, "GeForce RTX 2080", None, None, "GPU-22b2c6ac-2d49-4863-197c-9c469071178a", None, index=None),
    "nvidia-smi-query-csv/580.159.04-h200-vm-some-fields.csv": smi("csv", "580.159.04", None, None, 1, "NVIDIA H200", "00000000:00:06.0", 143771, None, None, index=0),
    "nvidia-smi-query-csv/580.159.04-h200-vm-noheader-nounits.csv": smi("csv", "580.159.04", None, None, 1, "NVIDIA H200", None, None, None, None, index=None),
    "nvidia-smi-query-csv/590.48.01-h100-80gb-hbm3-allfields.csv": smi("csv", "590.48.01", None, None, 1, "NVIDIA H100 80GB HBM3", "00000000:00:09.0", 81559, ZERO_UUID, False, index=0),
    "nvidia-smi-query-csv/590.48.01-h100-mig-allfields.csv": smi("csv", "590.48.01", None, None, 1, "NVIDIA H100 80GB HBM3", "00000000:00:09.0", 81559, ZERO_UUID, True, index=0),
    "nvidia-smi-query-csv/590.48.01-h100-mig-compute-apps.csv": smi("csv", None, None, None, 0),
    "nvidia-smi-query-csv/590.48.01-h200-allfields.csv": smi("csv", "590.48.01", None, None, 1, "NVIDIA H200", "00000000:83:00.0", 143771, ZERO_UUID, False, index=0),
    "nvidia-smi-query-csv/590.48.01-h200-mig-allfields.csv": smi("csv", "590.48.01", None, None, 1, "NVIDIA H200", "00000000:83:00.0", 143771, ZERO_UUID, True, index=0),
    "nvidia-smi-query-csv/591.86-geforce-rtx-2080-super-windows-allfields.csv": smi("csv", "591.86", None, None, 1, "NVIDIA GeForce RTX 2080 SUPER", "00000000:0C:00.0", 8192, ZERO_UUID, False, win=True, index=0),
    "nvidia-smi-query-csv/591.86-geforce-rtx-2080-super-windows-compute-apps.csv": smi("csv", None, None, None, 0, win=True),
    "nvidia-smi-query-csv/595.71.05-geforce-rtx-2080-super-allfields.csv": smi("csv", "595.71.05", None, None, 1, "NVIDIA GeForce RTX 2080 SUPER", "00000000:0C:00.0", 8192, ZERO_UUID, False, index=0),
    "nvidia-smi-query-csv/595.71.05-geforce-rtx-4080-super-allfields.csv": smi("csv", "595.71.05", None, None, 1, "NVIDIA GeForce RTX 4080 SUPER", "00000000:01:00.0", 16376, ZERO_UUID, False, index=0),
    "nvidia-smi-query-csv/595.71.05-geforce-rtx-4080-super-compute-apps.csv": smi("csv", None, None, None, 0),
    "nvidia-smi-query-csv/595.80-l40s-allfields.csv": smi("csv", "595.80", None, None, 1, "NVIDIA L40S", "00000000:01:00.0", 46068, ZERO_UUID, False, index=0),
    "nvidia-smi-query-csv/610.57.04-geforce-rtx-2080-super-allfields.csv": smi("csv", "610.57.04", None, None, 1, "NVIDIA GeForce RTX 2080 SUPER", "00000000:0C:00.0", 8192, ZERO_UUID, False, index=0),
    "nvidia-smi-query-csv/610.62-geforce-rtx-2080-super-windows-allfields.csv": smi("csv", "610.62", None, None, 1, "NVIDIA GeForce RTX 2080 SUPER", "00000000:0C:00.0", 8192, ZERO_UUID, False, win=True, index=0),
    "nvidia-smi-query-csv/610.62-geforce-rtx-2080-super-windows-compute-apps.csv": smi("csv", None, None, None, 0, win=True),
    "nvidia-smi-query-csv/netdata-tesla-p100.csv": smi("csv", None, None, None, 1, "Tesla P100-PCIE-16GB", None, None, "GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6", None, index=None),
    # ---- --version
    "nvidia-smi-version/580.173.02-h200.txt": smi("version", "580.173.02", "13.0", "580.173.02", 0),
    "nvidia-smi-version/580.159.04-h200-vm.txt": smi("version", "580.159.04", "13.0", "580.159.04", 0),
    "nvidia-smi-version/590.48.01-h100-80gb-hbm3.txt": smi("version", "590.48.01", "13.1", "590.48.01", 0),
    "nvidia-smi-version/590.48.01-h100-mig.txt": smi("version", "590.48.01", "13.1", "590.48.01", 0),
    "nvidia-smi-version/590.48.01-h200-mig.txt": smi("version", "590.48.01", "13.1", "590.48.01", 0),
    "nvidia-smi-version/590.48.01-h200.txt": smi("version", "590.48.01", "13.1", "590.48.01", 0),
    "nvidia-smi-version/591.86-geforce-rtx-2080-super-windows.txt": smi("version", "591.86", "13.1", "591.86", 0),
    "nvidia-smi-version/595.71.05-geforce-rtx-2080-super.txt": smi("version", "595.71.05", "13.2", "595.71.05", 0),
    "nvidia-smi-version/595.71.05-geforce-rtx-4080-super.txt": smi("version", "595.71.05", "13.2", "595.71.05", 0),
    "nvidia-smi-version/595.80-l40s.txt": smi("version", "595.80", "13.2", "595.80", 0),
    "nvidia-smi-version/610.57.04-geforce-rtx-2080-super.txt": smi("version", "610.57.04", "13.3", "610.57.04", 0),
    "nvidia-smi-version/610.62-geforce-rtx-2080-super-windows.txt": smi("version", "610.62", "13.3", "610.62", 0),
    # ---- -L
    "nvidia-smi-L/535.129.03-2xQuadro-RTX4000.txt": smi("list", None, None, None, 2, "Quadro RTX 4000", uuid="GPU-c7b57be0-94ff-d352-a59b-d0ee00aeed43", index=0),
    "nvidia-smi-L/570.133.20-host-2xA10-2xT4.txt": smi("list", None, None, None, 4, "NVIDIA A10", uuid="GPU-f15ae561-21b1-6003-c768-861fc285203b", index=0),
    "nvidia-smi-L/580.159.04-h200-vm.txt": smi("list", None, None, None, 1, "NVIDIA H200", uuid="GPU-a06cff16-67cb-1991-b35c-0045231e7a79", index=0),
    "nvidia-smi-L/590.48.01-h100-80gb-hbm3.txt": smi("list", None, None, None, 1, "NVIDIA H100 80GB HBM3", uuid=ZERO_UUID, index=0),
    "nvidia-smi-L/590.48.01-h100-mig.txt": smi("list", None, None, None, 1, "NVIDIA H100 80GB HBM3", uuid=ZERO_UUID, mig=True, migdevs=4, index=0),
    "nvidia-smi-L/590.48.01-h200-mig.txt": smi("list", None, None, None, 1, "NVIDIA H200", uuid=ZERO_UUID, mig=True, migdevs=5, index=0),
    "nvidia-smi-L/590.48.01-h200.txt": smi("list", None, None, None, 1, "NVIDIA H200", uuid=ZERO_UUID, index=0),
    "nvidia-smi-L/591.86-geforce-rtx-2080-super-windows.txt": smi("list", None, None, None, 1, "NVIDIA GeForce RTX 2080 SUPER", uuid=ZERO_UUID, index=0),
    "nvidia-smi-L/595.71.05-geforce-rtx-2080-super.txt": smi("list", None, None, None, 1, "NVIDIA GeForce RTX 2080 SUPER", uuid=ZERO_UUID, index=0),
    "nvidia-smi-L/595.71.05-geforce-rtx-4080-super.txt": smi("list", None, None, None, 1, "NVIDIA GeForce RTX 4080 SUPER", uuid=ZERO_UUID, index=0),
    "nvidia-smi-L/595.80-l40s.txt": smi("list", None, None, None, 1, "NVIDIA L40S", uuid=ZERO_UUID, index=0),
    "nvidia-smi-L/610.57.04-geforce-rtx-2080-super.txt": smi("list", None, None, None, 1, "NVIDIA GeForce RTX 2080 SUPER", uuid=ZERO_UUID, index=0),
    "nvidia-smi-L/610.62-geforce-rtx-2080-super-windows.txt": smi("list", None, None, None, 1, "NVIDIA GeForce RTX 2080 SUPER", uuid=ZERO_UUID, index=0),
}

NVIDIA_SMI_ERRORS = {
    "nvidia-smi-errors/bash-command-not-found.txt": ("not-found", "bash: nvidia-smi: command not found"),
    "nvidia-smi-errors/couldnt-communicate-MANGLED-curly-quote-two-lines.txt": ("no-driver", "NVIDIA-SMI has failed because it couldn\u2018t communicate with the NVIDIA driver."),
    "nvidia-smi-errors/couldnt-communicate-with-driver.txt": ("no-driver", "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."),
    "nvidia-smi-errors/nvml-mismatch-nvml-library-550.144.txt": ("version-mismatch", "Failed to initialize NVML: Driver/library version mismatch"),
    "nvidia-smi-errors/nvml-mismatch-nvml-library-570.124.txt": ("version-mismatch", "Failed to initialize NVML: Driver/library version mismatch"),
    "nvidia-smi-errors/nvml-mismatch-nvml-library-580.178-kmod-580.173.02.txt": ("version-mismatch", "Failed to initialize NVML: Driver/library version mismatch"),
    "nvidia-smi-errors/nvml-mismatch-old-one-line.txt": ("version-mismatch", "Failed to initialize NVML: Driver/library version mismatch"),
    "nvidia-smi-errors/nvml-unknown-error-in-container.txt": ("nvml-unknown", "Failed to initialize NVML: Unknown Error"),
}

PROC_DRIVER = {
    "proc-driver-nvidia-version/384.98-proprietary-ubuntu.txt": ("384.98", "proprietary", "gcc version 7.2.0 (Ubuntu 7.2.0-8ubuntu3)"),
    "proc-driver-nvidia-version/525.60.11-open-arch-dkms.txt": ("525.60.11", "open", "gcc version 12.2.0 (GCC)"),
    "proc-driver-nvidia-version/555.58-open-gentoo-localized-date-line1-only.txt": ("555.58", "open", None),
    "proc-driver-nvidia-version/565.57.01-open-ubuntu24.04.txt": ("565.57.01", "open", "gcc version 13.3.0 (Ubuntu 13.3.0-6ubuntu2~24.04)"),
    "proc-driver-nvidia-version/580.159.04-open-h200-vm.txt": ("580.159.04", "open", "gcc version 15.3.0 (GCC)"),
    "proc-driver-nvidia-version/580.173.02-truenas-mismatch.txt": ("580.173.02", "proprietary", "gcc version 14.2.0 (Ubuntu 14.2.0-4ubuntu2~24.04.1)"),
    "proc-driver-nvidia-version/jetson-l4t-35.3.1-open-aarch64.txt": ("35.3.1", "open", "gcc version 9.3.0 (Buildroot 2020.08)"),
}

# (device count, has GPU, GPU-class count, first slot, first class, first vendor id, first device id, first driver)
LSPCI = {
    "lspci/3d-controller-device-1db6-with-domain.txt": (2, True, 2, "0000:5a:00.0", "3D controller", None, None, None),
    "lspci/4xTITAN-X-pascal-vga-and-audio.txt": (8, True, 4, "02:00.0", "VGA compatible controller", None, None, None),
    "lspci/nnk-grep-A3-2xRTX3090-driver-in-use-nvidia.txt": (4, True, 2, "05:00.0", "VGA compatible controller", "10de", "2204", "nvidia"),
}

# (line count, first line, a line that must be there)
DMESG = {
    "dmesg/nvrm-nouveau-owns-device.txt": (11, "[188497.595099] NVRM: No NVIDIA graphics adapter probed!", "NVRM: nouveau, rivafb, nvidiafb or rivatv"),
    "dmesg/nvrm-open-module-580.159.04-h200-vm-boot.txt": (5, "[    0.590114] nvidia: loading out-of-tree module taints kernel.", "[    0.732159] NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build  (nixbld@)"),
}

# (lib_version, driver_version, cuda_version, devices, error)
NVCCLI_INFO = {
    "nvidia-container-cli-info/1.0.2-debug-head-non-root-418.56.txt": ("1.0.2", None, None, (), None),
    "nvidia-container-cli-info/1.11.0-debug-head-520.56.06-wsl-probe.txt": ("1.11.0", None, None, (), None),
    "nvidia-container-cli-info/390.87-debug-tail-GTX1080-MaxQ.txt": (None, "390.87", "9.1", ("GeForce GTX 1080 with Max-Q Design",), None),
    "nvidia-container-cli-info/410.104-2xTITAN-Xp.txt": (None, "410.104", "10.0", ("TITAN Xp", "TITAN Xp"), None),
    "nvidia-container-cli-info/fake-driver-575.57.08-4xT4-ctk1.10.0.txt": (None, "575.57.08", "12.2", ("NVIDIA Tesla T4",) * 4, None),
    "nvidia-container-cli-info/fake-driver-575.57.08-4xT4-ctk1.17.8.txt": (None, "575.57.08", "12.2", ("NVIDIA Tesla T4",) * 4, None),
    "nvidia-container-cli-info/jetson-xavier-r32.4.4-null-fields-debug-tail.txt": (None, None, "10.2", ("Xavier",), None),
}

_HOOK = "nvidia-container-runtime-hook"
# (tool, version, expected subset of extra)
TOOL_VERSIONS = {
    "nvidia-container-cli-version/1.0.2.txt": ("nvidia-container-cli", "1.0.2", {"build revision": "ff40da533db929bf515aca59ba4c701a65a35e6b", "build platform": "x86_64"}),
    "nvidia-ctk-version/1.12.0.txt": ("nvidia-ctk", "1.12.0", {"commit": "62bd015475656ef795cb0d59cc4030a6bd4a9526"}),
    "nvidia-container-runtime-version/1.11.0-meta-tegra-build.txt": ("nvidia-container-runtime", "1.11.0", {"commit": "670+d9de4a0"}),
    "nvidia-container-runtime-version/1.13.5-with-runc-1.2.5.txt": ("nvidia-container-runtime", "1.13.5", {
        "commit": "6b8589dcb4dead72ab64f14a5912886e6165c079", "spec": "1.1.0-rc.2", "runc.version": "1.2.5",
        "runc.commit": "v1.2.5-0-g59923ef", "runc.spec": "1.2.0", "runc.go": "go1.23.6", "runc.libseccomp": "2.5.3"}),
    "nvidia-container-toolkit-version/1.10.0.txt": (_HOOK, "1.10.0", {"commit": "7cfd3bd"}),
    "nvidia-container-toolkit-version/1.12.0.txt": (_HOOK, "1.12.0", {"commit": "62bd015475656ef795cb0d59cc4030a6bd4a9526"}),
    "nvidia-container-toolkit-version/1.13.0.txt": (_HOOK, "1.13.0", {"commit": "b7079454b5b8fed1390ce78ca5a3343748f62657"}),
    "nvidia-container-toolkit-version/1.14.0.txt": (_HOOK, "1.14.0", {"commit": "f2bd3173d44938eadb73252b866a9b3a7f44b8c6"}),
    "nvidia-container-toolkit-version/1.16.0.txt": (_HOOK, "1.16.0", {"commit": "c5c124b88298f520a94e4d6046ab02f643d65436"}),
    "nvidia-container-toolkit-version/1.16.1.txt": (_HOOK, "1.16.1", {"commit": "a470818ba7d9166be282cd0039dd2fc9b0a34d73"}),
    "nvidia-container-toolkit-version/1.16.2.txt": (_HOOK, "1.16.2", {"commit": "a5a5833c14a15fd9c86bcece85d5ec6621b65652"}),
    "nvidia-container-toolkit-version/1.17.0-rc.1.txt": (_HOOK, "1.17.0-rc.1", {"commit": "8a6c1944a5423cf1be0c72d60a63544a78159870"}),
    "nvidia-container-toolkit-version/1.17.0.txt": (_HOOK, "1.17.0", {"commit": "5bc031544833253e3ab6a36daec376dc13a4f479"}),
    "nvidia-container-toolkit-version/1.17.3.txt": (_HOOK, "1.17.3", {"commit": "cb82e29c75d387992bf59eb6eadf5d96cb6d4747"}),
    "nvidia-container-toolkit-version/1.17.4.txt": (_HOOK, "1.17.4", {"commit": "9b69590c7428470a72f2ae05f826412976af1395"}),
    "nvidia-container-toolkit-version/1.17.5.txt": (_HOOK, "1.17.5", {"commit": "f785e908a7f72149f8912617058644fd84e38cde"}),
    "nvidia-container-toolkit-version/1.17.6.txt": (_HOOK, "1.17.6", {"commit": "e627eb2e21e167988e04c0579a1c941c1e263ff6"}),
    "nvidia-container-toolkit-version/1.17.7.txt": (_HOOK, "1.17.7", {"commit": "bae3e7842ebe26812d8bd6a9be6a14a83dc91d8f"}),
    "nvidia-container-toolkit-version/1.17.8.txt": (_HOOK, "1.17.8", {"commit": "f202b80a9b9d0db00d9b1d73c0128c8962c55f4d"}),
}

# (no_cgroups, ldconfig, mode, expected subset of values)
TOOLKIT_CONFIGS = {
    "nvidia-container-runtime-config/1.17-default.toml": (None, "@/sbin/ldconfig.real", "auto", {
        "disable-require": False, "nvidia-container-cli.environment": (), "nvidia-container-cli.load-kmods": True,
        "nvidia-container-runtime.runtimes": ("docker-runc", "runc", "crun"),
        "nvidia-container-runtime.modes.cdi.spec-dirs": ("/etc/cdi", "/var/run/cdi"),
        "nvidia-container-runtime-hook.skip-mode-detection": False, "nvidia-ctk.path": "nvidia-ctk"}),
    "nvidia-container-runtime-config/1.17-rootless-no-cgroups-cdi-mode.toml": (True, "@/sbin/ldconfig.real", "cdi", {
        "nvidia-container-cli.no-cgroups": True, "nvidia-container-runtime.log-level": "info"}),
}

EXPECTATIONS = {}  # type: Dict[str, object]
for _table in (NVIDIA_SMI, NVIDIA_SMI_ERRORS, PROC_DRIVER, LSPCI, DMESG, NVCCLI_INFO, TOOL_VERSIONS, TOOLKIT_CONFIGS):
    EXPECTATIONS.update(_table)

COVERED_DIRS = (
    "nvidia-smi", "nvidia-smi-errors", "nvidia-smi-q", "nvidia-smi-q-x", "nvidia-smi-query-csv",
    "nvidia-smi-version", "nvidia-smi-L", "proc-driver-nvidia-version", "lspci", "dmesg",
    "nvidia-container-cli-info", "nvidia-container-cli-version", "nvidia-ctk-version",
    "nvidia-container-toolkit-version", "nvidia-container-runtime-version", "nvidia-container-runtime-config",
)


def fixture_files(dirs=COVERED_DIRS) -> List[str]:
    out = []
    for d in dirs:
        for p in sorted((FIXTURES / d).iterdir()):
            if p.is_file():
                out.append("%s/%s" % (d, p.name))
    return out


# ==================================================================================================
# every fixture has an expectation, and every expectation a fixture


def test_every_fixture_has_an_expectation():
    files = set(fixture_files())
    missing = sorted(files - set(EXPECTATIONS))
    stale = sorted(set(EXPECTATIONS) - files)
    assert not missing, "fixtures without an expectation entry: %s" % missing
    assert not stale, "expectations for files that do not exist: %s" % stale


# ==================================================================================================
# nvidia-smi


@pytest.mark.parametrize("rel", sorted(NVIDIA_SMI))
def test_nvidia_smi_fixture(rel):
    exp = NVIDIA_SMI[rel]
    r = parse_nvidia_smi(read(rel))
    assert isinstance(r, NvidiaSmi)
    assert r.form == exp["form"]
    assert r.driver_version == exp["driver"]
    assert r.cuda_version == exp["cuda"]
    assert r.smi_version == exp["smi"]
    assert len(r.gpus) == exp["n"]
    assert r.is_windows is exp["win"]
    assert r.mig_enabled is exp["mig"]
    assert r.error is None and r.error_line is None
    if exp["n"]:
        g = r.gpus[0]
        assert isinstance(g, Gpu)
        assert g.name == exp["name"]
        assert g.bus_id == exp["bus"]
        assert g.memory_total_mib == exp["mem"]
        assert g.uuid == exp["uuid"]
        assert len(g.mig_devices) == exp["migdevs"]
        if exp["index"] != "unset":
            assert g.index == exp["index"]
    if exp["form"] in ("table", "list") and r.gpus:
        assert [g.index for g in r.gpus] == list(range(len(r.gpus)))


def test_nvidia_smi_list_details():
    r = parse_nvidia_smi(read("nvidia-smi-L/570.133.20-host-2xA10-2xT4.txt"))
    assert [g.name for g in r.gpus] == ["NVIDIA A10", "NVIDIA A10", "Tesla T4", "Tesla T4"]
    assert r.gpus[3].uuid == "GPU-a1329f2e-1e73-88f2-4d4b-1ce18debbc6d"
    mig = parse_nvidia_smi(read("nvidia-smi-L/590.48.01-h100-mig.txt"))
    assert mig.gpus[0].mig_devices[0] == "MIG-00000000-0000-0000-0000-000000000000"
    assert mig.gpus[0].mig_devices[3] == "MIG-00000003-0000-0000-0000-000000000003"


def test_nvidia_smi_mig_descriptors_in_table_q_and_xml():
    t = parse_nvidia_smi(read("nvidia-smi/590.48.01-h200-mig.txt"))
    assert t.gpus[0].mig_devices == ("GI 2 CI 0", "GI 2 CI 1", "GI 3 CI 0", "GI 9 CI 0", "GI 10 CI 0")
    q = parse_nvidia_smi(read("nvidia-smi-q/590.48.01-h100-mig.txt"))
    assert q.gpus[0].mig_devices == ("GI 2 CI 0", "GI 3 CI 0", "GI 9 CI 0", "GI 10 CI 0")
    x = parse_nvidia_smi(read("nvidia-smi-q-x/535.54.03-cuda12.2-4xA100-SXM4-80GB-mig.xml"))
    assert x.gpus[0].mig_devices == ("GI 3 CI 0", "GI 4 CI 0", "GI 5 CI 0", "GI 6 CI 0")


def test_nvidia_smi_multi_gpu_rows():
    r = parse_nvidia_smi(read("nvidia-smi/390.25-8xGTX1080Ti-no-cuda-version.txt"))
    assert [g.bus_id for g in r.gpus][-1] == "00000000:89:00.0"
    r = parse_nvidia_smi(read("nvidia-smi/450.57-multi-gpu-processes.txt"))
    assert [(g.name, g.memory_total_mib) for g in r.gpus] == [("GeForce RTX 2070", 7981), ("GeForce GTX 750 Ti", 2002)]
    q = parse_nvidia_smi(read("nvidia-smi-q/535.161.08-8xH100.txt"))
    assert q.gpus[1].bus_id == "00000000:3B:00.0"
    assert q.gpus[1].uuid == "GPU-47daa2ad-a218-6286-252b-af45f0dfaf00"


@pytest.mark.parametrize("rel", sorted(NVIDIA_SMI_ERRORS))
def test_nvidia_smi_error_fixture(rel):
    kind, line = NVIDIA_SMI_ERRORS[rel]
    r = parse_nvidia_smi(read(rel))
    assert r.form == "error"
    assert r.error == kind
    assert r.error_line == line
    assert r.gpus == ()
    assert r.driver_version is None


@pytest.mark.parametrize(
    "text,kind",
    [
        ("No devices were found\n", "no-devices"),
        ("NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA "
         "Display Driver is properly installed and present in your system.\n", "lib-not-found"),
        ("Failed to initialize NVML: NVML Shared Library Not Found\n", "lib-not-found"),
        ("Failed to initialize NVML: Insufficient Permissions\n", "insufficient-permissions"),
        ("Failed to initialize NVML: Function Not Found\n", "function-not-found"),
        ("NVML: Function Not Found\n", "function-not-found"),
        ("sh: 1: nvidia-smi: not found\n", "not-found"),
        ("-bash: /usr/bin/nvidia-smi: No such file or directory\n", "not-found"),
        ("'nvidia-smi' is not recognized as an internal or external command,\noperable program or batch file.\n", "not-found"),
        ("Unable to determine the device handle for GPU0000:02:00.0: Unknown Error\n", "other"),
        ("Failed to initialize NVML: GPU access blocked by the operating system\n", "other"),
        ("user@host:~$ nvidia-smi\nFailed to initialize NVML: Unknown Error", "nvml-unknown"),
        ("nvidia-smi : The term 'nvidia-smi' is not recognized as the name of a cmdlet, function, script file, "
         "or operable program.\n", "not-found"),
        ("nvidia-smi: error while loading shared libraries: libnvidia-ml.so.1: cannot open shared object file: "
         "No such file or directory\n", "lib-not-found"),
    ],
)
def test_nvidia_smi_error_kinds_without_fixture(text, kind):
    r = parse_nvidia_smi(text)
    assert r.form == "error"
    assert r.error == kind
    assert r.error in ERROR_KINDS
    assert r.error_line and r.error_line in text


def test_nvidia_smi_tolerates_prompt_crlf_quote_and_cut_off():
    body = read("nvidia-smi/550.90.07-8xH100.txt")
    prompted = "user@gpu-host:~$ nvidia-smi\n" + body
    assert parse_nvidia_smi(prompted).driver_version == "550.90.07"
    crlf = parse_nvidia_smi(body.replace("\n", "\r\n"))
    assert len(crlf.gpus) == 8
    quoted = "\n".join("> " + ln for ln in body.split("\n"))
    assert len(parse_nvidia_smi(quoted).gpus) == 8
    # cut in the middle of GPU 3's block: GPUs 0-3 are seen, the driver and CUDA versions survive
    lines = body.split("\n")
    cut_at = next(i for i, ln in enumerate(lines) if ln.startswith("|   3  NVIDIA")) + 1
    cut = parse_nvidia_smi("\n".join(lines[:cut_at]))
    assert [g.index for g in cut.gpus] == [0, 1, 2, 3]
    assert cut.gpus[3].memory_total_mib is None
    assert cut.cuda_version == "12.4"


def test_nvidia_smi_indented_paste():
    body = read("nvidia-smi-q/535.129.03-A10.txt")
    r = parse_nvidia_smi("\n".join("    " + ln for ln in body.split("\n")))
    assert (r.form, r.driver_version, r.gpus[0].name) == ("query", "535.129.03", "NVIDIA A10")
    body = read("nvidia-smi/440.82-GTX1080Ti-in-docker.txt")
    r = parse_nvidia_smi("\n".join("    " + ln for ln in body.split("\n")))
    assert (r.form, len(r.gpus)) == ("table", 2)


def test_nvidia_smi_csv_with_cut_last_row():
    r = parse_nvidia_smi("index, name, uuid\n0, NVIDIA A10, GPU-f15ae561-21b1-6003-c768-861fc285203b\n1, NVIDIA A")
    assert [(g.index, g.name) for g in r.gpus] == [(0, "NVIDIA A10"), (1, "NVIDIA A")]
    assert r.gpus[1].uuid is None


def test_nvidia_smi_list_and_csv_with_prompt_and_no_trailing_newline():
    r = parse_nvidia_smi("root@box:/# nvidia-smi -L\nGPU 0: Tesla T4 (UUID: GPU-bf507abe-ec25-2053-5435-1c82511a3ae8)")
    assert r.form == "list" and r.gpus[0].name == "Tesla T4"
    r = parse_nvidia_smi("$ nvidia-smi --query-gpu=driver_version,name --format=csv\ndriver_version, name\n550.54.15, NVIDIA GeForce RTX 3060")
    assert (r.form, r.driver_version, r.gpus[0].name) == ("csv", "550.54.15", "NVIDIA GeForce RTX 3060")
    r = parse_nvidia_smi("550.54.15\n550.54.15\n")
    assert (r.form, r.driver_version, len(r.gpus)) == ("csv", "550.54.15", 2)
    r = parse_nvidia_smi("name, pci.bus_id, memory.total [MiB]\nTesla T4, 00000000:00:1E.0, 15360 MiB\n")
    assert r.gpus[0] == Gpu(index=None, name="Tesla T4", bus_id="00000000:00:1E.0", memory_total_mib=15360)


def test_nvidia_smi_truncated_xml_keeps_what_was_complete():
    body = read("nvidia-smi-q-x/590.44.01-cuda13.1-2xrtx2070.xml")
    second = body.index('<gpu id="00000000:02:00.0">')
    r = parse_nvidia_smi(body[: second + 200])
    assert r.form == "xml" and r.driver_version == "590.44.01"
    assert r.gpus[0].uuid == "GPU-12345678-aaaa-bbbb-cccc-0123456789ab"


def test_nvidia_smi_610_query_prefers_kmd_over_deprecated_driver_line():
    text = read("nvidia-smi-q/610.57.04-geforce-rtx-2080-super.txt")
    assert "Deprecated" in text
    r = parse_nvidia_smi(text)
    assert (r.driver_version, r.cuda_version) == ("610.57.04", "13.3")


@pytest.mark.parametrize("rel", sorted(NVIDIA_SMI) + sorted(NVIDIA_SMI_ERRORS))
def test_nvidia_smi_truncations_never_raise_anything_but_parse_error(rel):
    text = read(rel)
    for frac in (0.05, 0.2, 0.33, 0.5, 0.77, 0.95):
        piece = text[: int(len(text) * frac)]
        try:
            r = parse_nvidia_smi(piece)
        except ParseError:
            continue
        assert r.form in ("table", "query", "xml", "list", "version", "csv", "error")


# ==================================================================================================
# /proc/driver/nvidia/version


@pytest.mark.parametrize("rel", sorted(PROC_DRIVER))
def test_proc_driver_nvidia_version(rel):
    version, flavor, gcc = PROC_DRIVER[rel]
    assert parse_proc_driver_nvidia_version(read(rel)) == KernelModule(version=version, flavor=flavor, gcc=gcc)


def test_proc_driver_nvidia_version_aarch64_proprietary():
    text = "NVRM version: NVIDIA UNIX aarch64 Kernel Module  535.104.05  Sat Aug 19 01:13:07 UTC 2023\n"
    assert parse_proc_driver_nvidia_version(text) == KernelModule("535.104.05", "proprietary", None)


# ==================================================================================================
# lspci


@pytest.mark.parametrize("rel", sorted(LSPCI))
def test_lspci(rel):
    n, has_gpu, n_gpu, slot, cls, ven, dev, drv = LSPCI[rel]
    r = parse_lspci(read(rel))
    assert isinstance(r, PciScan)
    assert len(r.nvidia_devices) == n
    assert r.has_nvidia_gpu is has_gpu
    assert sum(1 for d in r.nvidia_devices if d.is_display) == n_gpu
    first = r.nvidia_devices[0]
    assert (first.slot, first.class_name, first.vendor_id, first.device_id, first.driver_in_use) == (slot, cls, ven, dev, drv)


def test_lspci_audio_function_alone_is_not_a_gpu():
    r = parse_lspci(read("lspci/nnk-grep-A3-2xRTX3090-driver-in-use-nvidia.txt"))
    audio = [d for d in r.nvidia_devices if d.class_name == "Audio device"]
    assert [d.driver_in_use for d in audio] == ["snd_hda_intel", "snd_hda_intel"]
    only_audio = parse_lspci("01:00.1 Audio device: NVIDIA Corporation GP104 High Definition Audio Controller (rev a1)\n")
    assert len(only_audio.nvidia_devices) == 1 and not only_audio.has_nvidia_gpu


def test_lspci_without_nvidia_and_numeric_form():
    r = parse_lspci("00:00.0 Host bridge: Intel Corporation 8th Gen Core Processor Host Bridge/DRAM Registers (rev 07)\n"
                    "00:02.0 VGA compatible controller: Intel Corporation UHD Graphics 630 (Desktop)\n")
    assert r.nvidia_devices == () and not r.has_nvidia_gpu
    r = parse_lspci("00:02.0 0300: 8086:3e92\n01:00.0 0300: 10de:1e87 (rev a1)\n01:00.1 0403: 10de:10f8 (rev a1)\n")
    assert [(d.slot, d.class_name, d.device_id) for d in r.nvidia_devices] == [("01:00.0", "0300", "1e87"), ("01:00.1", "0403", "10f8")]
    assert r.has_nvidia_gpu


# ==================================================================================================
# lsmod (no fixture directory: real-shaped samples inline)

LSMOD_SAMPLE = """Module                  Size  Used by
nvidia_uvm           1982464  0
nvidia_drm             90112  3
nvidia_modeset       1314816  5 nvidia_drm
nvidia              56455168  163 nvidia_uvm,nvidia_modeset
drm_kms_helper        311296  1 nvidia_drm
"""

PROC_MODULES_SAMPLE = """nvidia_uvm 1982464 0 - Live 0x0000000000000000 (POE)
nvidia_drm 90112 3 - Live 0x0000000000000000 (POE)
nvidia 56455168 163 nvidia_uvm,nvidia_modeset, Live 0x0000000000000000 (POE)
nouveau 2306048 0 - Live 0x0000000000000000
"""


def test_lsmod_output():
    m = parse_lsmod(LSMOD_SAMPLE)
    assert isinstance(m, Modules)
    assert m.names == frozenset(["nvidia_uvm", "nvidia_drm", "nvidia_modeset", "nvidia", "drm_kms_helper"])
    assert m.has("nvidia") and m.has("nvidia-uvm") and not m.has("nouveau")


def test_proc_modules_and_grep_excerpt():
    m = parse_lsmod(PROC_MODULES_SAMPLE)
    assert m.has("nouveau") and m.has("nvidia_drm") and not m.has("nvidia_modeset")
    g = parse_lsmod("nvidia_uvm           1982464  0\nnvidia              56455168  163 nvidia_uvm\n")
    assert g.names == frozenset(["nvidia_uvm", "nvidia"])
    assert parse_lsmod("Module                  Size  Used by\n").names == frozenset()
    assert parse_lsmod("nvidia 56455168 - - Live 0x0000000000000000 (POE)\n").has("nvidia")


# ==================================================================================================
# dmesg


@pytest.mark.parametrize("rel", sorted(DMESG))
def test_dmesg(rel):
    count, first, contains = DMESG[rel]
    lines = parse_dmesg(read(rel))
    assert len(lines) == count
    assert lines[0] == first
    assert contains in lines


def test_dmesg_filters_unrelated_lines():
    text = ("[    0.000000] Linux version 6.8.0-45-generic\n"
            "[    2.100000] nouveau 0000:01:00.0: NVIDIA GA102 (172000a1)\n"
            "[   12.0] NVRM: Xid (PCI:0000:01:00): 79, pid=1234, GPU has fallen off the bus.\n"
            "[    3.0] usb 1-1: new high-speed USB device\n")
    assert parse_dmesg(text) == (text.split("\n")[1], text.split("\n")[2])
    assert parse_dmesg("[    3.0] usb 1-1: new high-speed USB device\n") == ()


# ==================================================================================================
# nvidia-container-cli info


@pytest.mark.parametrize("rel", sorted(NVCCLI_INFO))
def test_nvidia_container_cli_info(rel):
    lib, driver, cuda, devices, error = NVCCLI_INFO[rel]
    r = parse_nvidia_container_cli_info(read(rel))
    assert r == NvccliInfo(cli_version=None, lib_version=lib, driver_version=driver, cuda_version=cuda,
                           devices=devices, error=error)


def test_nvidia_container_cli_info_failure_line():
    text = ("nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: "
            "cannot open shared object file: no such file or directory\n")
    r = parse_nvidia_container_cli_info(text)
    assert r.error == text.strip() and r.driver_version is None and r.devices == ()
    # the same line as quoted inside a runc-era docker error (escaped newline and quotes after it)
    r = parse_nvidia_container_cli_info(read("docker-run-gpus-errors/19.03-initialization-error-driver-failed-to-process-request.txt"))
    assert r.error == "nvidia-container-cli: initialization error: driver error: failed to process request"


# ==================================================================================================
# tool --version


@pytest.mark.parametrize("rel", sorted(TOOL_VERSIONS))
def test_tool_version(rel):
    tool, version, extra = TOOL_VERSIONS[rel]
    r = parse_tool_version(read(rel))
    assert isinstance(r, ToolVersion)
    assert (r.tool, r.version) == (tool, version)
    for k, v in extra.items():
        assert r.extra[k] == v


def test_tool_version_runc_only_block_is_not_enough():
    # nvidia-container-runtime 3.x passed --version through to runc (see dockerd-journal fixture)
    with pytest.raises(ParseError, match="runc"):
        parse_tool_version("runc version 1.0.2\ncommit: v1.0.2-0-g52b36a2\nspec: 1.0.2-dev\ngo: go1.16.7\n")


def test_tool_version_cli_1_1_format():
    r = parse_tool_version("cli-version: 1.9.0\nlib-version: 1.9.0\nbuild date: 2022-03-18T13:46+00:00\n")
    assert (r.tool, r.version, r.extra["lib-version"]) == ("nvidia-container-cli", "1.9.0", "1.9.0")


# ==================================================================================================
# config.toml


@pytest.mark.parametrize("rel", sorted(TOOLKIT_CONFIGS))
def test_toolkit_config(rel):
    no_cgroups, ldconfig, mode, values = TOOLKIT_CONFIGS[rel]
    c = parse_toolkit_config(read(rel))
    assert isinstance(c, ToolkitConfig)
    assert (c.no_cgroups, c.ldconfig, c.mode) == (no_cgroups, ldconfig, mode)
    for k, v in values.items():
        assert c.values[k] == v
    # commented-out settings are absent
    assert "nvidia-container-cli.debug" not in c.values
    assert "swarm-resource" not in c.values


TOML_OK = [
    ('a = "x"', {"a": "x"}),
    ("a = 'C:\\path'", {"a": "C:\\path"}),
    ('"quoted key" = 1\n', {"quoted key": 1}),
    ("[t]\n'lit.key' = true # comment\n", {"t.lit.key": True}),
    ('[a.b]\nc.d = -12_000\n', {"a.b.c.d": -12000}),
    ('[ x . "y" ]\nz = 1.5e3\n', {"x.y.z": 1500.0}),
    ('arr = [\n  "one", # first\n  "two",\n]\n', {"arr": ("one", "two")}),
    ('e = "tab\\tquote\\" u\\u00e9"\n', {"e": 'tab\tquote" u\u00e9'}),
    ('m = """\nline1\nline2"""\n', {"m": "line1\nline2"}),
    ("t = { x = 1, y.z = 'w' }\n", {"t.x": 1, "t.y.z": "w"}),
    ("# only comments\n#no-cgroups = false\n", {}),
]


@pytest.mark.parametrize("text,expected", TOML_OK)
def test_toml_values(text, expected):
    assert parse_toolkit_config(text).values == expected


def test_whole_toml_is_read():
    """The standard reader: arrays of tables and dates (no toolkit writes them, yet they are TOML)
    are values, not errors."""
    values = parse_toolkit_config("d = 1979-05-27\n[[hooks]]\nname = 'a'\n[[hooks]]\nname = 'b'\n").values
    assert str(values["d"]) == "1979-05-27"
    assert values["hooks"] == ({"name": "a"}, {"name": "b"})


@pytest.mark.parametrize(
    "text,line",
    [
        ("a = 1\nb = \n", 2),
        ("[nvidia-container-cli]\nno-cgroups = flase\n", 2),
        ('ok = true\n\nldconfig = "@/sbin/ldconfig.real\n', 3),
        ("a = 1\na = 2\n", 2),
        ("[t]\nx = 1\n[t]\n", 3),
        ("a = 1 b = 2\n", 1),
        ("no-cgroups: true\n", 1),
        ("arr = [1, 2\n", 2),
        ('s = "bad \\q escape"\n', 1),
        ("[" * 3000 + "\n", 1),
    ],
)
def test_toml_syntax_errors_carry_the_line(text, line):
    with pytest.raises(ParseError) as info:
        parse_toolkit_config(text)
    assert info.value.line == line


def test_toolkit_config_crlf_file():
    text = read("nvidia-container-runtime-config/1.17-default.toml").replace("\n", "\r\n")
    assert parse_toolkit_config(text).values == parse_toolkit_config(read("nvidia-container-runtime-config/1.17-default.toml")).values


def test_toolkit_config_wrong_types_give_none():
    c = parse_toolkit_config('[nvidia-container-cli]\nno-cgroups = "true"\nldconfig = 1\n[nvidia-container-runtime]\nmode = true\n')
    assert (c.no_cgroups, c.ldconfig, c.mode) == (None, None, None)


# ==================================================================================================
# garbage: ParseError and nothing else


def _random_text(seed: int, n: int = 600) -> str:
    rnd = random.Random(seed)
    data = bytes(rnd.randrange(256) for _ in range(n))
    return data.decode("latin-1") if seed % 2 else data.decode("utf-8", errors="replace")


GARBAGE = {
    "empty": "",
    "whitespace": "  \n\t\n",
    "html": "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1></body></html>\n",
    "json-other-tool": json.dumps({"ID": "7TRN:IPZB", "Containers": 14, "Driver": "overlay2",
                                   "Runtimes": {"runc": {"path": "runc"}}, "Warnings": ["WARNING: No swap limit support"]}, indent=2),
    "docker-info": None,  # filled from the fixture corpus below
    "random-0": _random_text(0),
    "random-1": _random_text(1),
    "random-2": _random_text(2, 4000),
    "random-3": _random_text(3, 4000),
    "nul-bytes": "\x00\x00\x01\x02 nvidia \x00",
}
GARBAGE["docker-info"] = read("docker-info/28.2.0-plain.txt")

STRICT_PARSERS = {
    "nvidia_smi": parse_nvidia_smi,
    "proc_driver_nvidia_version": parse_proc_driver_nvidia_version,
    "lspci": parse_lspci,
    "lsmod": parse_lsmod,
    "nvidia_container_cli": parse_nvidia_container_cli_info,
    "toolkit_version": parse_tool_version,
    "toolkit_config": parse_toolkit_config,
}  # type: Dict[str, Callable[[str], object]]


@pytest.mark.parametrize("garbage", sorted(GARBAGE))
@pytest.mark.parametrize("parser", sorted(STRICT_PARSERS))
def test_garbage_raises_parse_error(parser, garbage):
    with pytest.raises(ParseError):
        STRICT_PARSERS[parser](GARBAGE[garbage])


@pytest.mark.parametrize("garbage", sorted(GARBAGE))
def test_dmesg_garbage(garbage):
    text = GARBAGE[garbage]
    if not text.strip():
        with pytest.raises(ParseError):
            parse_dmesg(text)
    else:
        assert isinstance(parse_dmesg(text), tuple)


@pytest.mark.parametrize("parser", sorted(STRICT_PARSERS) + ["dmesg"])
def test_non_text_input_raises_parse_error(parser):
    fn = STRICT_PARSERS.get(parser, parse_dmesg)
    for bad in (None, b"NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15", 42):
        with pytest.raises(ParseError):
            fn(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("parser", sorted(STRICT_PARSERS) + ["dmesg"])
def test_every_fixture_in_the_corpus_gives_a_value_or_parse_error(parser):
    """Cross-feeding: any parser on any fixture (docker info, os-release, ...) returns or raises ParseError."""
    fn = STRICT_PARSERS.get(parser, parse_dmesg)
    for p in sorted(FIXTURES.rglob("*")):
        if not p.is_file():
            continue
        text = p.read_text(encoding="utf-8", errors="replace")
        try:
            fn(text)
        except ParseError:
            pass


def test_toml_nested_too_deeply_is_a_parse_error():
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_toolkit_config("x = " + "[" * 5000 + "\n")
