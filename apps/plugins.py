"""seqcore-plugins: list the installed task plugins and the heads each supports."""
from __future__ import annotations

from seqcore.plugins import discover_plugins


def main() -> None:
    for name, entry in sorted(discover_plugins().items()):
        plugin = entry.load()
        print(f"{name:16s} {entry.value:45s} heads: {', '.join(plugin.supported_heads)}")


if __name__ == "__main__":
    main()
