"""seqcore-plugins: list the installed task plugins and the heads each supports; a plugin that
fails to import is listed with its package, entry point and error, and the exit status is 1."""
from __future__ import annotations

import sys

from seqcore.plugins import discover_plugins, load_plugins


def main() -> None:
    loaded, broken = load_plugins()
    entries = discover_plugins()
    for name, plugin in sorted(loaded.items()):
        print(f"{name:16s} {entries[name].value:45s} heads: {', '.join(plugin.supported_heads)}")
    for reason in broken.values():
        print(f"broken: {reason}", file=sys.stderr)
    if broken:
        sys.exit(1)


if __name__ == "__main__":
    main()
