"""The eSpeak NG wrapper: deterministic synthesis, variants, phonemes, listing, errors."""
import numpy as np
import pytest

from plugins.espeak import ESpeak, ESpeakError


@pytest.fixture(scope="module")
def espeak():
    return ESpeak()


def test_same_arguments_same_samples_whatever_came_before(espeak):
    text = "The quick brown fox jumps over the lazy dog."
    first, rate = espeak.synthesize(text)
    espeak.synthesize("Something else first.", variant="f2", rate=250, pitch=80)
    again, _ = espeak.synthesize(text)
    assert rate == espeak.sample_rate == 22050
    assert first.dtype == np.float32 and np.array_equal(first, again)
    assert 1.0 < len(first) / rate < 5.0 and 0.05 < np.abs(first).max() <= 1.0
    klatt = [espeak.synthesize("Klatt noise is seeded.", variant="klatt")[0] for _ in range(2)]
    assert np.array_equal(*klatt)


def test_rate_and_variant_change_the_audio(espeak):
    text = "Speaking rate changes the duration."
    slow, _ = espeak.synthesize(text, rate=120)
    fast, _ = espeak.synthesize(text, rate=300)
    assert len(slow) > 1.8 * len(fast)
    male, _ = espeak.synthesize(text, variant="m3")
    female, _ = espeak.synthesize(text, variant="f2")
    assert not (len(male) == len(female) and np.array_equal(male, female))


def test_phonemize_gives_ipa_of_every_clause(espeak):
    ipa = espeak.phonemize("Hello there. Yes!")
    assert ipa.split() == ["həlˈoʊ", "ðˈɛɹ", "jˈɛs"]


def test_voices_and_variants_list_the_installed_data(espeak):
    assert {"en-us", "en-gb", "de", "fr-fr"} <= set(espeak.voices())
    assert {"f2", "m3", "klatt"} <= set(espeak.variants())
    with pytest.raises(ESpeakError, match="no voice 'en-us\\+nosuch'"):
        espeak.synthesize("x", variant="nosuch")
