"""A small LJSpeech folder spoken by eSpeak NG, with the bad files a real corpus has."""
from pathlib import Path

import numpy as np
import soundfile

from plugins.espeak import ESpeak

SENTENCES = ["The cat sat on the mat.", "A dog ran to the park.", "We open the green door.",
             "Birds sing in the morning.", "Tom has 3 red apples.", "Dr. Brown reads a book.",
             "The river is very cold.", "Please close the window.", "Anna paints a small boat.",
             "They walk home together.", "It costs $5 today.", "The old clock stopped."]


def write_ljspeech(root: Path, sentences=SENTENCES, bad_files: bool = True) -> Path:
    espeak = ESpeak()
    (root / "wavs").mkdir(parents=True)
    lines = []
    for index, text in enumerate(sentences):
        samples, rate = espeak.synthesize(text)
        soundfile.write(str(root / "wavs" / f"U{index:03d}.wav"), samples, rate, subtype="PCM_16")
        lines.append(f"U{index:03d}|{text}|{text}")
    if bad_files:
        (root / "wavs" / "CORRUPT.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really")
        soundfile.write(str(root / "wavs" / "SILENT.wav"), np.zeros(22050, np.float32), 22050)
        lines += ["CORRUPT|Broken file.|Broken file.", "SILENT|Nothing here.|Nothing here.", "EMPTY| | ",
                  "SYMBOLS|\u4e2d\u6587|\u4e2d\u6587"]
    (root / "metadata.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root
