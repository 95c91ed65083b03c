"""Log-mel spectrograms and their inversion to audio (Griffin-Lim), shared by the speech tasks.

API:
    MelConfig(sample_rate=22050, n_fft=1024, win_length=1024, hop_length=256, n_mels=80,
              f_min=0.0, f_max=8000.0, log_floor=1e-5)
        the analysis settings; every field is overridable from a task config (MelConfig(**cfg)).
    LogMel(config): nn.Module, waveform [..., samples] -> log-mel [..., frames, n_mels]
        natural log of the magnitude (power 1) mel spectrogram of a centred Hann-window STFT with
        a Slaney-normalised Slaney-scale filterbank (the Tacotron 2 / librosa convention), floored
        at `log_floor`; frames = samples // hop_length + 1.
    MelInverter(config, n_iter=32): nn.Module, log-mel [frames, n_mels] -> waveform [samples]
        least-squares linear spectrogram (torchaudio InverseMelScale) then Griffin-Lim phase
        recovery (torchaudio GriffinLim). Phases start at zero, so the output is deterministic.

Frames are the last-but-one axis (time-major) because sequence models read [T, F] rows.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torchaudio.transforms import GriffinLim, InverseMelScale, MelSpectrogram


@dataclass
class MelConfig:
    sample_rate: int = 22050
    n_fft: int = 1024
    win_length: int = 1024
    hop_length: int = 256
    n_mels: int = 80
    f_min: float = 0.0
    f_max: float = 8000.0
    log_floor: float = 1e-5

    def to_dict(self) -> dict:
        return asdict(self)


class LogMel(nn.Module):
    def __init__(self, config: MelConfig | None = None):
        super().__init__()
        self.config = config or MelConfig()
        c = self.config
        self.mel = MelSpectrogram(sample_rate=c.sample_rate, n_fft=c.n_fft, win_length=c.win_length,
                                  hop_length=c.hop_length, f_min=c.f_min, f_max=c.f_max, n_mels=c.n_mels,
                                  power=1.0, center=True, norm="slaney", mel_scale="slaney")

    def forward(self, waveform: torch.Tensor) -> torch.Tensor:
        mel = self.mel(waveform.float())  # [..., n_mels, frames]
        return mel.clamp(min=self.config.log_floor).log().transpose(-1, -2)


class MelInverter(nn.Module):
    def __init__(self, config: MelConfig | None = None, n_iter: int = 32):
        super().__init__()
        self.config = config or MelConfig()
        c = self.config
        self.inverse_mel = InverseMelScale(n_stft=c.n_fft // 2 + 1, n_mels=c.n_mels, sample_rate=c.sample_rate,
                                           f_min=c.f_min, f_max=c.f_max, norm="slaney", mel_scale="slaney")
        self.griffin_lim = GriffinLim(n_fft=c.n_fft, n_iter=n_iter, win_length=c.win_length,
                                      hop_length=c.hop_length, power=1.0, rand_init=False)

    @torch.no_grad()
    def forward(self, log_mel: torch.Tensor) -> torch.Tensor:
        magnitude = self.inverse_mel(log_mel.float().exp().transpose(-1, -2))  # [..., n_stft, frames]
        return self.griffin_lim(magnitude)
