"""Log-mel features against a reference written here (torch STFT + a hand-built Slaney filterbank),
and Griffin-Lim inversion checked on the frequency of a sine."""
import math

import torch

from seqcore.audio import LogMel, MelConfig, MelInverter


def hz_to_slaney_mel(f: torch.Tensor) -> torch.Tensor:
    """Slaney's Auditory Toolbox scale: linear below 1 kHz (3 mels per 200 Hz), logarithmic above."""
    linear = 3.0 * f / 200.0
    log = 15.0 + torch.log(f.clamp(min=1e-9) / 1000.0) / (math.log(6.4) / 27.0)
    return torch.where(f >= 1000.0, log, linear)


def slaney_mel_to_hz(m: torch.Tensor) -> torch.Tensor:
    linear = 200.0 * m / 3.0
    log = 1000.0 * torch.exp((math.log(6.4) / 27.0) * (m - 15.0))
    return torch.where(m >= 15.0, log, linear)


def reference_filterbank(c: MelConfig) -> torch.Tensor:
    """[n_freqs, n_mels] triangles between mel-spaced edges, each scaled to unit area (2 / width)."""
    bins = torch.linspace(0, c.sample_rate / 2, c.n_fft // 2 + 1, dtype=torch.float64)
    edges = slaney_mel_to_hz(torch.linspace(hz_to_slaney_mel(torch.tensor(c.f_min, dtype=torch.float64)),
                                            hz_to_slaney_mel(torch.tensor(c.f_max, dtype=torch.float64)), c.n_mels + 2))
    bank = torch.zeros(len(bins), c.n_mels, dtype=torch.float64)
    for m in range(c.n_mels):
        low, centre, high = edges[m], edges[m + 1], edges[m + 2]
        rising = (bins - low) / (centre - low)
        falling = (high - bins) / (high - centre)
        bank[:, m] = torch.clamp(torch.minimum(rising, falling), min=0) * 2.0 / (high - low)
    return bank


def reference_log_mel(waveform: torch.Tensor, c: MelConfig) -> torch.Tensor:
    spectrum = torch.stft(waveform.double(), c.n_fft, c.hop_length, c.win_length,
                          torch.hann_window(c.win_length, dtype=torch.float64), center=True,
                          pad_mode="reflect", return_complex=True).abs()  # [n_freqs, frames]
    return (spectrum.T @ reference_filterbank(c)).clamp(min=c.log_floor).log()


def sine(frequency: float, seconds: float, rate: int) -> torch.Tensor:
    return 0.5 * torch.sin(2 * math.pi * frequency * torch.arange(int(seconds * rate)) / rate)


def test_log_mel_matches_reference_stft_and_filterbank():
    config = MelConfig()
    wave = sine(440.0, 0.5, config.sample_rate) + 0.2 * sine(3000.0, 0.5, config.sample_rate)
    ours = LogMel(config)(wave)
    expected = reference_log_mel(wave, config).float()
    assert ours.shape == (len(wave) // config.hop_length + 1, config.n_mels) == expected.shape
    assert torch.allclose(ours, expected, atol=5e-3)  # float32 logs of values near the floor
    # the loudest band is the one whose centre is nearest 440 Hz
    assert int(ours[10].argmax()) == int(reference_filterbank(config)[round(440 / config.sample_rate * config.n_fft)].argmax())


def test_log_mel_settings_come_from_the_config_and_batch_axes_pass_through():
    config = MelConfig(sample_rate=16000, n_fft=400, win_length=400, hop_length=160, n_mels=40, f_max=7600.0)
    batch = torch.stack([sine(300.0, 0.25, 16000), sine(2000.0, 0.25, 16000)])
    ours = LogMel(config)(batch)
    assert ours.shape == (2, 4000 // 160 + 1, 40)
    assert torch.allclose(ours[1], reference_log_mel(batch[1], config).float(), atol=5e-3)  # float32 logs of values near the floor
    assert torch.all(LogMel(config)(torch.zeros(1600)) == math.log(config.log_floor))


def test_griffin_lim_of_a_sine_keeps_its_frequency():
    config = MelConfig()
    for frequency in (300.0, 1200.0):
        wave = sine(frequency, 1.0, config.sample_rate)
        audio = MelInverter(config, n_iter=32)(LogMel(config)(wave))
        assert abs(len(audio) - len(wave)) < config.hop_length
        middle = audio[2048:-2048]
        spectrum = torch.fft.rfft(middle * torch.hann_window(len(middle))).abs()
        peak = float(spectrum.argmax()) * config.sample_rate / len(middle)
        assert abs(peak - frequency) < 0.03 * frequency, peak
        assert middle.abs().max() > 0.05  # the level survives too (not a silent output)
