"""Reading and writing audio files for every speech task (TTS targets, ASR inputs).

API:
    read_audio(path, sample_rate: int) -> torch.Tensor
        float32 mono waveform [samples] at `sample_rate`: multi-channel files are downmixed
        (mean of the channels), other rates resampled with torchaudio.functional.resample.
        A missing, corrupt, empty or unsupported file raises seqcore.errors.DataError naming it.
    write_audio(path, waveform: torch.Tensor, sample_rate: int) -> Path
        16-bit PCM wav (parent folders created); values are clipped to [-1, 1].

soundfile (libsndfile) does the file work: wav, flac, ogg and the other formats it knows.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile
import torch
import torchaudio.functional

from seqcore.errors import DataError


def read_audio(path, sample_rate: int) -> torch.Tensor:
    file = Path(path).expanduser()
    if not file.is_file():
        raise DataError(f"audio file not found: {file}")
    try:
        data, rate = soundfile.read(str(file), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as error:
        raise DataError(f"{file}: cannot read audio ({str(error).strip() or type(error).__name__})") from None
    if data.shape[0] == 0:
        raise DataError(f"{file}: audio file has no samples")
    waveform = torch.from_numpy(np.ascontiguousarray(data.mean(axis=1)))
    if rate != sample_rate:
        waveform = torchaudio.functional.resample(waveform, rate, sample_rate)
    return waveform


def write_audio(path, waveform: torch.Tensor, sample_rate: int) -> Path:
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    samples = waveform.detach().float().reshape(-1).clamp(-1.0, 1.0).cpu().numpy()
    soundfile.write(str(file), samples, sample_rate, subtype="PCM_16")
    return file
