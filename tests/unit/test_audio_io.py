"""Audio files: round trip, downmix, resampling, and one-line errors for bad files."""
import math

import numpy as np
import pytest
import soundfile
import torch

from seqcore.audio import read_audio, write_audio
from seqcore.errors import DataError


def test_write_then_read_round_trips_at_16_bit_precision(tmp_path):
    wave = 0.5 * torch.sin(2 * math.pi * 220 * torch.arange(8000) / 16000)
    path = write_audio(tmp_path / "sub" / "a.wav", wave, 16000)
    assert soundfile.info(str(path)).subtype == "PCM_16"
    back = read_audio(path, 16000)
    assert back.dtype == torch.float32 and back.shape == wave.shape
    assert torch.allclose(back, wave, atol=1 / 32768 + 1e-6)


def test_stereo_is_downmixed_to_the_mean_of_its_channels(tmp_path):
    left, right = np.full(1000, 0.5, np.float32), np.full(1000, -0.25, np.float32)
    soundfile.write(str(tmp_path / "s.wav"), np.stack([left, right], axis=1), 8000, subtype="FLOAT")
    assert torch.allclose(read_audio(tmp_path / "s.wav", 8000), torch.full((1000,), 0.125))


def test_other_rates_are_resampled_keeping_duration_and_pitch(tmp_path):
    rate = 44100
    soundfile.write(str(tmp_path / "hi.wav"), 0.5 * np.sin(2 * np.pi * 1000 * np.arange(rate) / rate), rate)
    wave = read_audio(tmp_path / "hi.wav", 16000)
    assert len(wave) == 16000
    peak = float(torch.fft.rfft(wave).abs().argmax())  # 1 s of audio: bin index = Hz
    assert peak == pytest.approx(1000, abs=2)


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk", b"not audio at all" * 10])
def test_corrupt_and_empty_files_raise_data_error_naming_the_file(tmp_path, content):
    path = tmp_path / "broken.wav"
    path.write_bytes(content)
    with pytest.raises(DataError, match="broken.wav"):
        read_audio(path, 16000)


def test_header_only_wav_and_missing_file(tmp_path):
    soundfile.write(str(tmp_path / "empty.wav"), np.zeros(0, np.float32), 16000)
    with pytest.raises(DataError, match="empty.wav: audio file has no samples"):
        read_audio(tmp_path / "empty.wav", 16000)
    with pytest.raises(DataError, match="not found: .*nothere.wav"):
        read_audio(tmp_path / "nothere.wav", 16000)
