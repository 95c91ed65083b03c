"""Thin command-line entry points: wiring of configs, the core and the plugins, no logic of their own."""
