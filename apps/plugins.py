"""seqcore-plugins: list the installed task plugins and the heads each supports; a plugin that
fails to import is listed with its package, entry point and error, and the exit status is 1.

    seqcore-plugins                      the listing
    seqcore-plugins new NAME [--dir D]   write a new plugin package (seqcore.scaffold) into D
"""
from __future__ import annotations

import argparse
import sys

from apps.cli import fail
from seqcore.errors import SeqcoreError
from seqcore.plugins import discover_plugins, load_plugins
from seqcore.scaffold import new_plugin


def main() -> None:
    parser = argparse.ArgumentParser(prog="seqcore-plugins", description="List the installed task plugins.")
    commands = parser.add_subparsers(dest="command")
    new = commands.add_parser("new", help="write a new task plugin package that trains out of the box")
    new.add_argument("name", help="the task name (task=NAME): lowercase letters, digits and _")
    new.add_argument("--dir", help="where to write it (default: ./seqcore-NAME); must be new or empty")
    arguments = parser.parse_args()
    if arguments.command == "new":
        create(arguments.name, arguments.dir)
    else:
        list_plugins()


def list_plugins() -> None:
    loaded, broken = load_plugins()
    entries = discover_plugins()
    for name, plugin in sorted(loaded.items()):
        print(f"{name:16s} {entries[name].value:45s} heads: {', '.join(plugin.supported_heads)}")
    for reason in broken.values():
        print(f"broken: {reason}", file=sys.stderr)
    if broken:
        sys.exit(1)


def create(name: str, directory: str | None) -> None:
    try:
        root = new_plugin(name, directory)
    except SeqcoreError as error:
        fail(str(error))
    print(f"wrote the plugin package {root}: pip install -e {root}, then seqcore-train task={name} "
          f"(its README says more)")


if __name__ == "__main__":
    main()
