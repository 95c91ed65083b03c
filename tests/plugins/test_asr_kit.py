"""The built-in speech recognition task against the conformance kit: every head it supports (transducer,
CTC, hybrid, attention) trains on a tiny embedded eSpeak corpus and lowers the loss, reloads,
evaluates, and transcribes a manifest of recordings in which a file that is not audio is recorded as
failed; data_path= scores an LJSpeech folder."""
import json

from plugins.asr import ASRTask
from seqcore.testing import check_task_plugin
from tests.plugins.tts_fixtures import SENTENCES, write_ljspeech

TINY = ["task.embedded_sizes={train:64,valid:4,test:4}", "model.dim=32", "model.frontend.channels=4",
        "model.encoder.layers=1", "model.encoder.ffn_dim=64", "model.decoder.layers=1", "model.decoder.ffn_dim=64",
        "data.max_tokens=3000", "optim.warmup_steps=5", "search.beam_size=2", "threads=1"]
TINY_TRANSDUCER = ["head.predictor_dim=32", "head.joiner_dim=32"]


def audio_manifest(samples, directory):
    """seqcore-batch input=<manifest>: the samples' recordings, then a .wav that is not audio."""
    broken = directory / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really")
    manifest = directory / "inputs.jsonl"
    manifest.write_text("".join(json.dumps({"audio_filepath": str(path)}) + "\n"
                                for path in [*(sample["source"] for sample in samples), broken]), encoding="utf-8")
    return manifest


def test_asr_passes_the_plugin_kit(tmp_path):
    check_task_plugin(ASRTask, overrides=TINY, head_overrides={"transducer": TINY_TRANSDUCER},
                      data_path=write_ljspeech(tmp_path / "ljspeech", SENTENCES[:2], bad_files=False),
                      batch_input=audio_manifest, workdir=tmp_path)
