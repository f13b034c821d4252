#!/usr/bin/env python3
"""Refresh (or verify) the vendored front-end assets under ``static/vendor/``.

Why this exists: Posture Atlas must run with no internet at all, so every
browser asset (Leaflet) and every build input (the world-atlas TopoJSON used
by ``scripts/build_basemap.py``) is committed to the repository.  This script
is the only thing that writes ``static/vendor/``; it fetches the pinned
packages with ``npm pack`` (the npm registry is the one package source we can
reach), copies just the files we need and records them in
``static/vendor/manifest.json`` with a sha256 per file.

Usage::

    python scripts/refresh_assets.py           # fetch pins, rewrite only what changed
    python scripts/refresh_assets.py --check   # offline: verify files against manifest

Re-running with unchanged pins leaves the tree byte-for-byte unchanged (files
are only written when their content differs; the manifest has no timestamps).
``--check`` needs no network and exits 1 on any mismatch, missing or
unlisted file, so CI and tests can call it.

To bump a version: edit ``PINS`` below, run the script, run the tests, and
commit the whole of ``static/vendor/``.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENDOR_DIR = REPO / "static" / "vendor"
MANIFEST = VENDOR_DIR / "manifest.json"


@dataclass(frozen=True)
class Pin:
    """One npm package to vendor.

    ``files`` maps a glob inside the package (relative to the tarball's
    ``package/`` folder) to a destination folder inside
    ``static/vendor/<name>-<version>/`` ("" = top level).  Leaflet's CSS
    refers to ``images/...`` relative to itself, so css and ``images/`` must
    stay side by side.
    """

    name: str
    version: str
    license: str  # expected SPDX id; checked against the tarball's package.json
    files: tuple[tuple[str, str], ...]

    @property
    def dirname(self) -> str:
        return f"{self.name}-{self.version}"


# The pinned table.  Keep it small: only what the app or a build script uses.
PINS: tuple[Pin, ...] = (
    Pin(
        name="leaflet",
        version="1.9.4",
        license="BSD-2-Clause",
        files=(
            ("dist/leaflet.js", ""),
            ("dist/leaflet.css", ""),
            ("dist/images/*.png", "images"),
            ("LICENSE", ""),
        ),
    ),
    Pin(
        # Natural Earth 1:50m admin-0 countries as TopoJSON; input of
        # scripts/build_basemap.py (not loaded by the browser).
        name="world-atlas",
        version="2.0.2",
        license="ISC",
        files=(
            ("countries-50m.json", ""),
            ("LICENSE", ""),
        ),
    ),
)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_pack(pin: Pin, dest: Path) -> tuple[Path, str]:
    """Download ``name@version`` with ``npm pack``; return (tarball, integrity)."""
    spec = f"{pin.name}@{pin.version}"
    cmd = ["npm", "pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(dest)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    except FileNotFoundError:
        sys.exit("refresh_assets: `npm` is not on PATH; install Node.js/npm (or use --check, which needs no network).")
    if proc.returncode != 0:
        sys.exit(f"refresh_assets: `{' '.join(cmd)}` failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    try:
        info = json.loads(proc.stdout)[0]
    except (json.JSONDecodeError, IndexError) as exc:
        sys.exit(f"refresh_assets: could not parse `npm pack --json` output for {spec}: {exc}\n{proc.stdout[:500]}")
    if info.get("name") != pin.name or info.get("version") != pin.version:
        sys.exit(f"refresh_assets: npm returned {info.get('name')}@{info.get('version')}, expected {spec}")
    return dest / info["filename"], info.get("integrity", "")


def extract(pin: Pin, tarball: Path) -> dict[str, tuple[str, bytes]]:
    """Return {dest relpath: (source path in package, bytes)} for the pin's globs."""
    out: dict[str, tuple[str, bytes]] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        members = {m.name.removeprefix("package/"): m for m in tar.getmembers() if m.isfile()}
        pkg_json = json.loads(tar.extractfile(members["package.json"]).read())  # type: ignore[union-attr]
        if pkg_json.get("license") != pin.license:
            sys.exit(
                f"refresh_assets: {pin.name}@{pin.version} declares license "
                f"{pkg_json.get('license')!r} but PINS expects {pin.license!r}; review the licence and update PINS."
            )
        for pattern, dest_dir in pin.files:
            matched = sorted(p for p in members if fnmatch.fnmatchcase(p, pattern))
            if not matched:
                sys.exit(f"refresh_assets: {pin.name}@{pin.version} has no file matching {pattern!r}")
            for src in matched:
                rel = f"{dest_dir}/{Path(src).name}" if dest_dir else Path(src).name
                out[rel] = (src, tar.extractfile(members[src]).read())  # type: ignore[union-attr]
    return out


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()


def refresh() -> int:
    changed: list[str] = []
    packages = []
    with tempfile.TemporaryDirectory(prefix="refresh_assets_") as tmp:
        for pin in PINS:
            tarball, integrity = npm_pack(pin, Path(tmp))
            files = extract(pin, tarball)
            pkg_dir = VENDOR_DIR / pin.dirname
            entries = {}
            for rel, (src, data) in sorted(files.items()):
                if write_if_changed(pkg_dir / rel, data):
                    changed.append(f"{pin.dirname}/{rel}")
                entries[rel] = {"sha256": sha256_bytes(data), "size": len(data), "source": f"package/{src}"}
            # Drop files that the pin no longer lists.
            for stale in sorted(p for p in pkg_dir.rglob("*") if p.is_file()):
                if stale.relative_to(pkg_dir).as_posix() not in entries:
                    stale.unlink()
                    changed.append(f"removed {stale.relative_to(VENDOR_DIR).as_posix()}")
            # Drop other versions of the same package (e.g. after a bump).
            for old in sorted(VENDOR_DIR.glob(f"{pin.name}-*")):
                if old.is_dir() and old.name != pin.dirname and old.name.removeprefix(f"{pin.name}-")[:1].isdigit():
                    shutil.rmtree(old)
                    changed.append(f"removed {old.name}/")
            packages.append(
                {
                    "name": pin.name,
                    "version": pin.version,
                    "license": pin.license,
                    "dir": pin.dirname,
                    "npm_integrity": integrity,
                    "files": entries,
                }
            )
    manifest = {
        "comment": "Written by scripts/refresh_assets.py; verify with `python scripts/refresh_assets.py --check`.",
        "packages": packages,
    }
    if write_if_changed(MANIFEST, manifest_bytes(manifest)):
        changed.append("manifest.json")
    for line in changed:
        print(f"updated {line}")
    print("refresh_assets: " + ("no changes" if not changed else f"{len(changed)} change(s)"))
    return 0


def check() -> list[str]:
    """Verify static/vendor against the manifest and PINS, offline. Returns problems."""
    if not MANIFEST.exists():
        return [f"{MANIFEST} is missing; run `python scripts/refresh_assets.py` (needs npm registry access)."]
    try:
        manifest = json.loads(MANIFEST.read_text())
        packages = {p["name"]: p for p in manifest["packages"]}
    except (ValueError, KeyError, TypeError) as exc:
        return [f"{MANIFEST} is not a valid manifest ({exc}); rerun scripts/refresh_assets.py."]
    problems: list[str] = []
    for pin in PINS:
        pkg = packages.get(pin.name)
        if pkg is None or pkg.get("version") != pin.version:
            found = pkg and pkg.get("version")
            problems.append(f"manifest has {pin.name}@{found}, PINS wants {pin.version}; rerun scripts/refresh_assets.py.")
            continue
        pkg_dir = VENDOR_DIR / pkg["dir"]
        for rel, meta in sorted(pkg["files"].items()):
            path = pkg_dir / rel
            if not path.is_file():
                problems.append(f"missing {path.relative_to(REPO)} (listed in manifest)")
            elif sha256_bytes(path.read_bytes()) != meta["sha256"]:
                problems.append(f"sha256 mismatch: {path.relative_to(REPO)} differs from manifest (expected {meta['sha256'][:12]}…)")
        for extra in sorted(p for p in pkg_dir.rglob("*") if p.is_file()):
            if extra.relative_to(pkg_dir).as_posix() not in pkg["files"]:
                problems.append(f"unlisted file {extra.relative_to(REPO)} (not in manifest)")
    for name in sorted(set(packages) - {p.name for p in PINS}):
        problems.append(f"manifest lists {name}, which is not in PINS")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify files against manifest sha256 (no network)")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for p in problems:
            print(f"refresh_assets --check: {p}", file=sys.stderr)
        if not problems:
            print("refresh_assets --check: OK")
        return 1 if problems else 0
    return refresh()


if __name__ == "__main__":
    sys.exit(main())
