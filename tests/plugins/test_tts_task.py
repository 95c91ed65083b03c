"""The TTS task end to end in process: a short training run, free-running metrics against their
bounds, evaluation files, batch synthesis, long text, phonemes, and the checkpoint state."""
import pytest
import soundfile
import torch
from PIL import Image

from plugins.espeak import ESpeak
from plugins.tts import TTSTask
from seqcore.data import Example, collate_examples
from seqcore.heads import FramesHead
from seqcore.model import Seq2Seq
from seqcore.modules import TacotronEncoder, TokenEmbedding
from seqcore.search import frames_search
from seqcore.search.common import Hypothesis
from tests.plugins.tts_fixtures import write_ljspeech


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_ljspeech(tmp_path_factory.mktemp("tts") / "lj", bad_files=False)


@pytest.fixture(scope="module")
def task(corpus):
    task = TTSTask(train=str(corpus), valid=str(corpus), test=str(corpus), long_text_chars=40,
                   metric_griffin_lim_iters=8, example_griffin_lim_iters=8)
    task.fit(task.load_split("train"))
    return task


def tiny_model(task: TTSTask) -> Seq2Seq:
    torch.manual_seed(0)
    head = FramesHead(encoder_dim=32, frame_dim=80, reduction=5, prenet_dim=32, attention_rnn_dim=32,
                      decoder_rnn_dim=32, attention_dim=16, location_filters=4, location_kernel=7,
                      postnet_channels=16, postnet_layers=2)
    return Seq2Seq(TokenEmbedding(task.frontend_args()["vocab_size"], 32), TacotronEncoder(32, 1, 5, 0.0), head)


STEPS = 30


def test_a_short_training_run_lowers_validation_mel_loss(task, tmp_path, one_thread):
    """Validation holds the training sentences spoken faster: recordings training never saw. (Targets
    are normalized bands, so the mean frame is no longer something left to learn: six utterances
    cannot teach spectra that carry over to other words in a few steps, but they can to other takes.)"""
    samples = task.load_split("train")[:6]
    takes = []
    for index, sample in enumerate(samples):
        audio, rate = ESpeak().synthesize(sample["source"], rate=210)
        soundfile.write(str(tmp_path / f"take{index}.wav"), audio, rate)
        takes.append({**sample, "audio": str(tmp_path / f"take{index}.wav")})

    def batch(group):
        return collate_examples([Example(i, task.encode_source(s), task.encode_target(s), task.encode_extras(s))
                                 for i, s in enumerate(group)])
    train, valid = batch(samples), batch(takes)
    model = tiny_model(task)
    optimizer = torch.optim.Adam(model.parameters(), 1e-2)

    def valid_loss() -> float:
        model.eval()
        with torch.no_grad():
            torch.manual_seed(0)
            return float(model(valid)[1]["mel_l1"])

    before = valid_loss()
    for _ in range(STEPS):
        model.train()
        loss, _ = model(train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert valid_loss() < 0.97 * before  # measured: 0.727 -> 0.693


def test_targets_are_bands_normalized_over_training_and_map_back_to_log_mel(task):
    samples = task.load_split("train")
    log_mels = torch.cat([task.log_mel(s) for s in samples])
    targets = torch.cat([task.encode_target(s) for s in samples])
    assert torch.allclose(targets.mean(0), torch.zeros(80), atol=1e-4)  # fit saw all these utterances (< 200)
    varied = log_mels.std(0) > 0.1  # bands below the deviation floor keep a smaller spread
    assert torch.allclose(targets.std(0)[varied], torch.ones(int(varied.sum())), atol=1e-4)
    assert torch.allclose(task.denormalize(targets), log_mels, atol=1e-4)


def test_free_running_metrics_sit_between_their_bounds_for_a_perfect_prediction(task):
    samples = task.load_split("valid")[:2]
    nbest = []
    for sample in samples:
        mel = task.encode_target(sample)
        steps = len(mel) // 5
        alignment = torch.zeros(steps, len(task.encode_source(sample)))
        alignment[torch.arange(steps), (torch.arange(steps) * alignment.shape[1]) // steps] = 1.0
        nbest.append([Hypothesis([], 1.0, 0.0, frames=mel, alignment=alignment)])
    scores = task.evaluate([""] * len(samples), [task.reference(s) for s in samples], samples, nbest)
    # the prediction *is* the reference mel, so it is scored exactly like the Griffin-Lim bound
    assert scores["mcd_dtw"] == pytest.approx(scores["mcd_dtw_griffin_lim"], rel=1e-3)  # up to normalization rounding
    assert 0 < scores["mcd_dtw_griffin_lim"] < 0.5 * scores["mcd_dtw_mean_frame"]
    assert scores["diagonality"] == 1.0 and scores["focus"] == 1.0 and scores["stopped"] == 1.0
    assert scores["length_ratio"] == 1.0


def test_batch_synthesis_reads_lines_and_writes_one_wav_per_line(task, tmp_path, one_thread):
    lines = tmp_path / "lines.txt"
    lines.write_text("Hello there.\n   \nThe cat \u4e2d sat.\n", encoding="utf-8")
    items = list(task.read_inputs(str(lines)))
    assert [(i["id"], i.get("error")) for i in items] == [(1, None), (2, "empty text"), (3, None)]
    model = tiny_model(task).eval()
    example = collate_examples([Example(0, task.encode_source(items[2]), None, task.encode_extras(items[2]))])
    hypotheses = frames_search(model.head, model.encode(example), max_len_a=1.0, max_len_b=10)[0]
    record = task.write_output(items[2], hypotheses, 1, tmp_path / "files")
    info = soundfile.info(record["output"])
    assert record["output"].endswith("files/3.wav") and info.samplerate == 22050 and info.subtype == "PCM_16"
    assert record["frames"] == len(hypotheses[0].frames) and record["dropped_characters"] == 1
    assert record["seconds"] == pytest.approx(info.frames / 22050, abs=1e-3)


def test_long_text_is_split_into_segments_the_search_speaks_in_turn(task):
    sample = {"source": "The cat sat on the mat. A dog ran to the park. We open the door."}
    source, segments = task.encode_source(sample), task.encode_extras(sample)["segments"]
    assert len(source) == len(segments) and segments.tolist() == sorted(segments.tolist())
    assert int(segments.max()) == 1  # 64 characters at long_text_chars=40: two pieces
    short = {"source": "The cat sat."}
    assert task.encode_extras(short)["segments"].tolist() == [0] * len(task.encode_source(short))


def test_save_examples_writes_wav_mel_and_alignment_pictures(task, tmp_path):
    sample = task.load_split("test")[0]
    mel = task.encode_target(sample)
    hypothesis = Hypothesis([], 1.0, 0.0, frames=mel + 0.1, alignment=torch.softmax(torch.randn(len(mel) // 5, 23), -1))
    paths = task.save_examples(None, [sample], [[hypothesis]], tmp_path / "examples")
    assert sorted(p.name for p in paths) == ["U000.wav", "U000_alignment.png", "U000_mel.png"]
    assert Image.open(tmp_path / "examples" / "U000_mel.png").size[0] > 300
    assert soundfile.info(str(tmp_path / "examples" / "U000.wav")).duration == pytest.approx(len(mel) * 256 / 22050, abs=0.05)


def test_state_round_trip_and_phoneme_input(task, corpus):
    restored = TTSTask()
    restored.load_state_dict(task.state_dict())
    sample = {"source": "Dr. Brown reads 2 books."}
    assert torch.equal(restored.encode_source(sample), task.encode_source(sample))
    recording = task.load_split("test")[0]
    assert torch.equal(restored.encode_target(recording), task.encode_target(recording))
    phonemes = TTSTask(train=str(corpus), text_input="phonemes")
    phonemes.fit(phonemes.load_split("train")[:4])
    assert phonemes.tokenizer.id_of("\u0259") >= 4 and phonemes.tokenizer.id_of("\u02c8") >= 4  # schwa, stress: IPA
    assert phonemes.tokenizer.id_of("c") < 4  # no letter "c" in English IPA


def test_frame_outputs_have_no_vocabulary_and_no_text(task):
    """FrameOutputs: no output vocabulary, no text per hypothesis; texts cannot be scored, frames are."""
    from seqcore.plugins import FrameOutputs, TokenOutputs
    assert isinstance(task, FrameOutputs) and not isinstance(task, TokenOutputs)
    assert task.target_vocab_size is None and task.postprocess([], task.load_split("test")[0]) == ""
    with pytest.raises(TypeError, match="evaluate"):
        task.metrics([""], ["text"])
