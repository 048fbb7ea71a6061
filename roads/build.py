"""`siaga roads build`: OSRM data for every vehicle profile, switched in atomically.

Each build goes to its own folder under roads_dir/builds/; when every profile is ready the
`current` symlink is replaced in one rename, so a running API keeps routing on the old data
until it sees the new link (roads/engine.py checks it), and a failed build changes nothing.

Every profile gets MLD data (partition + customize). A graph small enough (a kota or a
kabupaten) is also contracted for CH, which the engine then routes on: a 1 x 25 table on the
Balikpapan Kota extract takes about half the CPU of MLD's. Large graphs stay MLD only: CH
contraction of the 1M-node bench grid ran past 9 minutes where MLD took under 4.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from core.errors import SetupError
from roads.config import VehicleProfile, load_profiles, render_lua_profile, speeds_file
from roads.network import write_network

KEEP_BUILDS = 2  # the current one and the one before it (a process may still read it)
STEPS = ("extract", "partition", "customize")
# CH is contracted when the edge-expanded graph's node file is at most this size (about
# 300,000 nodes; Balikpapan Kota has 4,892, the 1M-node bench grid about 700,000).
CH_MAX_EBG_NODES_BYTES = 4 << 20


def ch_eligible(kind_dir: Path) -> bool:
    """Whether a profile's extracted graph is small enough to contract for CH."""
    nodes = kind_dir / "data.osrm.ebg_nodes"
    return nodes.is_file() and nodes.stat().st_size <= CH_MAX_EBG_NODES_BYTES


def file_sha1(path: Path) -> str:
    """SHA-1 of a file's bytes (names the build and tells whether a rebuild is needed)."""
    digest = hashlib.sha1()  # noqa: S324 - a content tag, not security
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def current_build(roads_dir: Path) -> Path | None:
    """The folder the `current` link points at, or None before the first build."""
    link = roads_dir / "current"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def build_info(build_dir: Path) -> dict:
    """What a build was made from (source file, its SHA-1, profiles, seconds per step)."""
    return json.loads((build_dir / "build.json").read_text())


def _run_step(step: str, args: list[str], folder: Path, log_file: Path) -> None:
    command = [sys.executable, "-m", "osrm", step, *args]
    with log_file.open("a") as log:
        log.write(f"$ {' '.join(command)}\n")
        log.flush()
        done = subprocess.run(  # noqa: S603 - our own interpreter and the wheel's tools
            command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    if done.returncode != 0:
        where = log_file.parents[3] / "failed-build.log"  # roads_dir (see _keep_logs)
        raise SetupError(f"osrm {step} failed (exit {done.returncode}); see {where}")


def _build_profile(profile: VehicleProfile, pbf: Path, folder: Path, say: Callable) -> dict:
    """extract -> partition -> customize (MLD) for one kind; seconds per step."""
    folder.mkdir(parents=True)
    lua = folder / f"{profile.kind}.lua"
    lua.write_text(render_lua_profile(profile))
    source = folder / "data.osm.pbf"
    source.symlink_to(pbf)  # OSRM writes data.osrm.* beside its input
    seconds = {}
    for step in STEPS:
        say(f"{profile.kind}: osrm {step} ...")
        started = time.monotonic()
        args = ["-p", str(lua), source.name] if step == "extract" else ["data.osrm"]
        _run_step(step, args, folder, folder / "osrm.log")
        seconds[step] = round(time.monotonic() - started, 2)
    if ch_eligible(folder):
        say(f"{profile.kind}: osrm contract (CH) ...")
        started = time.monotonic()
        _run_step("contract", ["data.osrm"], folder, folder / "osrm.log")
        seconds["contract"] = round(time.monotonic() - started, 2)
    source.unlink()
    return seconds


def build_roads(
    pbf: Path,
    roads_dir: Path,
    *,
    speeds_path: Path | None = None,
    say: Callable[[str], None] = print,
) -> Path:
    """Build every profile's routing data from `pbf`, then point `current` at it."""
    pbf, roads_dir = pbf.resolve(), roads_dir.resolve()
    if not pbf.is_file():
        raise SetupError(f"OSM file not found: {pbf}")
    profiles = load_profiles(speeds_path)
    sha = file_sha1(pbf)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    build_dir = roads_dir / "builds" / f"{stamp}-{sha[:8]}"
    timings = {}
    try:
        for kind, profile in profiles.items():
            timings[kind] = _build_profile(profile, pbf, build_dir / kind, say)
        say("road samples and classes for coverage and calibration ...")
        classes = sorted({c for p in profiles.values() for c in p.highway_kmh})
        samples = write_network(pbf, build_dir, classes)
    except BaseException:
        _keep_logs(build_dir, roads_dir / "failed-build.log")
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    info = {
        "source": str(pbf),
        "sha1": sha,
        "profiles": sorted(profiles),
        "speeds_file": str(speeds_file(speeds_path)),
        "speeds_sha1": _speeds_sha(speeds_path),
        "seconds": timings,
        "algorithms": {k: "CH" if "contract" in t else "MLD" for k, t in timings.items()},
        "road_samples": samples,
        "built_at": datetime.now(UTC).isoformat(),
    }
    (build_dir / "build.json").write_text(json.dumps(info, indent=2))
    _switch_current(roads_dir, build_dir)
    _prune(roads_dir, keep=build_dir)
    say(f"road data ready: {build_dir}")
    return build_dir


def _keep_logs(build_dir: Path, target: Path) -> None:
    """Keep the failed build's OSRM output where the error message points."""
    logs = sorted(build_dir.glob("*/osrm.log"))
    target.write_text("".join(log.read_text(errors="replace") for log in logs))


def _lacks_ch(build_dir: Path, kinds: list[str]) -> bool:
    """A build made before CH was contracted for small graphs (rebuild: seconds)."""
    return any(
        ch_eligible(build_dir / k) and not (build_dir / k / "data.osrm.hsgr").is_file()
        for k in kinds
    )


def _speeds_sha(speeds_path: Path | None) -> str:
    return file_sha1(speeds_file(speeds_path))


def _switch_current(roads_dir: Path, build_dir: Path) -> None:
    """Replace the `current` link in one rename (readers see the old or the new, never none)."""
    staging = roads_dir / f".current-{os.getpid()}"
    staging.unlink(missing_ok=True)
    staging.symlink_to(build_dir.relative_to(roads_dir))
    os.replace(staging, roads_dir / "current")


def _prune(roads_dir: Path, *, keep: Path) -> None:
    """Delete all but the newest KEEP_BUILDS builds (never the current one)."""
    builds = sorted((roads_dir / "builds").iterdir(), reverse=True)
    for old in [b for b in builds if b != keep][KEEP_BUILDS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def ensure_roads(
    pbf: Path, roads_dir: Path, *, speeds_path: Path | None = None, say: Callable = print
) -> Path:
    """The current build if it was made from this exact file, else a fresh build."""
    current = current_build(roads_dir)
    if current is not None and (current / "build.json").is_file():
        info = build_info(current)
        if (
            info.get("sha1") == file_sha1(pbf)
            and info.get("speeds_sha1", "") == _speeds_sha(speeds_path)
            and not _lacks_ch(current, info.get("profiles", []))
        ):
            return current
    return build_roads(pbf, roads_dir, speeds_path=speeds_path, say=say)
