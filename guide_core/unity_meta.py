"""Unity `.meta` files for the package in unity_bridge/.

A package installed from a git URL is read-only to Unity, which ignores any asset
without a `.meta` file beside it. Each `.meta` holds a GUID: derived here from the
asset's path, so regenerating gives the same GUIDs and references stay valid.
Folders whose name ends in `~` (Samples~, Tests~) are hidden from Unity and need none.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from guide_core.paths import UNITY_BRIDGE_DIR

PACKAGE_NAME = "cy.museum.guide"

_IMPORTERS = {
    ".cs": "MonoImporter:\n  externalObjects: {}\n  serializedVersion: 2\n  defaultReferences: []\n"
    "  executionOrder: 0\n  icon: {instanceID: 0}\n",
    ".asmdef": "AssemblyDefinitionImporter:\n  externalObjects: {}\n",
}
_TEXT_IMPORTER = "TextScriptImporter:\n  externalObjects: {}\n"
_TAIL = "  userData: \n  assetBundleName: \n  assetBundleVariant: \n"


def asset_guid(relative: str) -> str:
    """A stable 32-hex GUID for an asset path inside the package."""
    return hashlib.md5(f"{PACKAGE_NAME}/{relative}".encode(), usedforsecurity=False).hexdigest()


def meta_text(path: Path, root: Path) -> str:
    """The `.meta` content Unity expects for one file or folder of the package."""
    relative = path.relative_to(root).as_posix()
    head = f"fileFormatVersion: 2\nguid: {asset_guid(relative)}\n"
    if path.is_dir():
        return head + "folderAsset: yes\nDefaultImporter:\n  externalObjects: {}\n" + _TAIL
    if relative == "package.json":
        return head + "PackageManifestImporter:\n  externalObjects: {}\n" + _TAIL
    return head + _IMPORTERS.get(path.suffix, _TEXT_IMPORTER) + _TAIL


def package_assets(root: Path = UNITY_BRIDGE_DIR) -> list[Path]:
    """Every file and folder Unity imports from the package (not `.meta`, not `~` folders)."""
    assets = []
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(p.endswith("~") or p.startswith(".") for p in parts) or path.suffix == ".meta":
            continue
        assets.append(path)
    return assets


def expected_meta_files(root: Path = UNITY_BRIDGE_DIR) -> dict[Path, str]:
    """Each `.meta` path the package needs, with its content."""
    return {path.with_name(path.name + ".meta"): meta_text(path, root) for path in package_assets(root)}


def write_meta_files(root: Path = UNITY_BRIDGE_DIR) -> list[Path]:
    """Write missing or stale `.meta` files; returns those written."""
    written = []
    for meta, text in expected_meta_files(root).items():
        if not meta.exists() or meta.read_text(encoding="utf-8") != text:
            meta.write_text(text, encoding="utf-8")
            written.append(meta)
    return written
