"""Audio for speech tasks: file reading/writing (io.py) and log-mel features + Griffin-Lim (features.py)."""
from seqcore.audio.features import LogMel, MelConfig, MelInverter
from seqcore.audio.io import read_audio, write_audio

__all__ = ["LogMel", "MelConfig", "MelInverter", "read_audio", "write_audio"]
