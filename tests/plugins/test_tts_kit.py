"""The built-in text-to-speech task against the conformance kit: its frames head trains on a tiny
embedded eSpeak corpus and lowers the loss, reloads, evaluates, and synthesizes text lines (the kit's
default batch input: TTS reads text) in which a line that is not UTF-8 is recorded as failed;
data_path= scores an LJSpeech folder."""
from plugins.tts import TTSTask
from seqcore.testing import check_task_plugin
from tests.plugins.tts_fixtures import SENTENCES, write_ljspeech

TINY = ["task.embedded.sizes={train:32,valid:2,test:4}", "model.dim=32", "head.prenet_dim=16",
        "head.attention_rnn_dim=16", "head.decoder_rnn_dim=16", "head.postnet_channels=8", "head.postnet_layers=2",
        "data.max_tokens=1500", "optim.warmup_steps=5", "search.max_len_a=1.0", "search.max_len_b=20",
        "task.metric_griffin_lim_iters=4", "task.example_griffin_lim_iters=4", "threads=1"]


def test_tts_passes_the_plugin_kit(tmp_path):
    check_task_plugin(TTSTask, overrides=TINY, data_path=write_ljspeech(tmp_path / "ljspeech", SENTENCES[:2],
                                                                        bad_files=False), workdir=tmp_path)
