"""A wrong option value fails in one line before any work starts (issue 19, item 7).

Searches are partials that see their options only when they decode, data budgets only when
a batch is drawn: without a check up front `search.beam_size=-1` trained a whole run and
failed at test. Each case here must end with exit status 2 and one `error:` line naming
the key, with no traceback and no checkpoint written. seqcore-batch and seqcore-eval check
their job and data options before the checkpoint is loaded, so those cases need none.
"""
import pytest
from hydra import compose, initialize_config_module
from omegaconf import OmegaConf

from seqcore.errors import ConfigError
from seqcore.options import check_batch_options, check_search_options
from tests.conftest import TINY, run_cli

NO_SEARCH_KEYS = [override for override in TINY if not override.startswith("search.")]


def assert_fails_before_work(result, run_dir, *fragments):
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "Error executing job" not in result.stderr, result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in errors[0], f"{fragment!r} not in: {errors[0]}"
    assert not (run_dir / "checkpoints").exists(), "it trained before failing"


@pytest.mark.parametrize("overrides, fragment", [
    ("search.beam_size=-1", "search.beam_size=-1 must be at least 1"),
    ("search.beam_size=0", "search.beam_size=0 must be at least 1"),
    ("search.nbest=0", "search.nbest=0 must be at least 1"),
    ("search.nbest=3", "search.nbest=3 cannot exceed search.beam_size=2"),
    ("search.max_len_a=-1", "search.max_len_a=-1 must be at least 0"),
    ("data.max_tokens=0", "data.max_tokens=0 must be at least 1"),
    ("data.eval_max_tokens=0", "data.eval_max_tokens=0 must be at least 1"),
    ("data.max_source_length=0", "data.max_source_length=0 must be at least 1"),
    ("checkpoint.every_n_steps=0", "checkpoint.every_n_steps=0 must be at least 1"),
    ("checkpoint.keep_every_n_steps=0", "checkpoint.keep_every_n_steps=0 must be at least 1"),
    ("seed=-1", "seed=-1 must be at least 0"),
    ("seed=abc", "seed='abc' must be an integer"),
    ("search=ctc_greedy head=attention", "search: ctc_greedy_search cannot decode a AttentionHead (it decodes "
                                         "FrameAligned heads); searches for this head: beam_search, greedy_search, "
                                         "sample_search"),
])
def test_training_option(workdir, one_thread, overrides, fragment):
    run_dir = workdir / "run"
    base = NO_SEARCH_KEYS if overrides.startswith("search=") else TINY  # ctc_greedy has no beam_size
    result = run_cli("apps.train", *base, *overrides.split(), f"hydra.run.dir={run_dir}", cwd=workdir, check=False)
    assert_fails_before_work(result, run_dir, fragment)


@pytest.mark.parametrize("cli, override, fragment", [
    ("apps.batch", "window=0", "window=0 must be at least 1"),
    ("apps.batch", "max_tokens=0", "max_tokens=0 must be at least 1"),
    ("apps.batch", "log_every_s=0", "log_every_s=0 must be above 0"),
    ("apps.evaluate", "data.eval_max_tokens=0", "data.eval_max_tokens=0 must be at least 1"),
])
def test_decoding_option_before_the_checkpoint_loads(workdir, cli, override, fragment):
    run_dir = workdir / "run"
    job = ["input=in.txt", "output=out.jsonl"] if cli == "apps.batch" else []
    result = run_cli(cli, "ckpt=not/there.ckpt", *job, override, f"hydra.run.dir={run_dir}", cwd=workdir,
                     check=False)
    assert_fails_before_work(result, run_dir, fragment)
    assert not (workdir / "out.jsonl").exists()


@pytest.mark.parametrize("search, message", [
    ({"beam_size": 4, "groups": 3}, "search.groups=3 must divide search.beam_size=4"),
    ({"ctc_weight": 1.5}, "search.ctc_weight=1.5 must be at most 1"),
    ({"top_p": 0.0}, "search.top_p=0.0 must be above 0"),
    ({"temperature": -1.0}, "search.temperature=-1.0 must be above 0"),
    ({"max_symbols_per_frame": 0}, "search.max_symbols_per_frame=0 must be at least 1"),
    ({"stop_threshold": 1.0}, "search.stop_threshold=1.0 must be below 1"),
    ({"length_penalty": float("nan")}, "search.length_penalty=nan must be a finite number"),
    ({"beam_size": 2.5}, "search.beam_size=2.5 must be an integer"),
    ({"max_len_a": 0.0, "max_len_b": 0}, "search.max_len_a=0.0 and search.max_len_b=0 cap every output"),
])
def test_search_values(search, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_search_options(search, "search")


def test_batch_nbest():
    with pytest.raises(ConfigError, match="nbest=0 must be at least 1"):
        check_batch_options({"nbest": 0, "window": 1024, "max_tokens": 8192})


@pytest.mark.parametrize("search_file", ["beam", "ctc_greedy", "ctc_prefix_beam", "diverse_beam", "frames",
                                         "from_checkpoint", "greedy", "joint", "sample", "transducer_beam",
                                         "transducer_greedy"])
def test_shipped_searches_pass(search_file):
    with initialize_config_module(config_module="conf", version_base="1.3"):
        cfg = compose("config", overrides=[f"search={search_file}"])
    check_search_options(cfg.search)


@pytest.mark.parametrize("head, search", [("hybrid", "ctc_prefix_beam"), ("hybrid", "ctc_greedy"),
                                          ("attention", "sample"), ("attention", "ctc_greedy")])
def test_validation_search_resolves_under_any_search(head, search):
    """The validation search takes the search's length caps, and greedy's own where the search has
    none: a CTC search on the hybrid head is valid, and a wrong search reaches the search check."""
    with initialize_config_module(config_module="conf", version_base="1.3"):
        cfg = compose("config", overrides=[f"head={head}", f"search={search}"])
    validation = OmegaConf.to_container(cfg, resolve=True)["validation"]["search"]
    assert (validation["max_len_a"], validation["max_len_b"]) == (cfg.search.get("max_len_a", 1.2),
                                                                  cfg.search.get("max_len_b", 10))


@pytest.mark.parametrize("cli", ["apps.evaluate", "apps.batch"])
def test_search_value_merged_into_the_checkpoints(workdir, tiny_checkpoint, cli):
    """A search key given to seqcore-eval or seqcore-batch joins the checkpoint's search, and the
    merged search is checked before decoding (it was `search.nbest=1 cannot exceed
    search.beam_size=0` from inside the test loop, or a batch job's first window)."""
    run_dir = workdir / "run"
    (workdir / "in.txt").write_text("a b c\n")
    job = ["input=in.txt", "output=out.jsonl"] if cli == "apps.batch" else []
    result = run_cli(cli, f"ckpt={tiny_checkpoint}", *job, "search.beam_size=0", f"hydra.run.dir={run_dir}",
                     cwd=workdir, check=False)
    assert_fails_before_work(result, run_dir, "search.beam_size=0 must be at least 1")
    assert not (workdir / "out.jsonl").exists() and not (run_dir / "metrics.json").exists()
