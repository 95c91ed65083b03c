"""eSpeak NG speech synthesis and phonemization through its C API (ctypes), shared by speech plugins.

API:
    ESpeak()  (any number per process: they share one library handle, calls are serialized by a lock)
    .synthesize(text, voice="en-us", variant=None, rate=175, pitch=50) -> (float32 numpy [samples], sample_rate)
        `variant` is one of eSpeak's voice variants ("m3", "f2", "klatt", ...), selected as
        "en-us+f2"; `rate` is words per minute (80..450), `pitch` 0..100. The same arguments give
        the same samples, whatever was synthesized before (see `_fresh_library`).
    .phonemize(text, voice="en-us") -> str   IPA; words separated by spaces, clauses too
    .voices() -> list[str]     language codes of the installed voices ("en-us", "en-gb", "de", ...)
    .variants() -> list[str]   variant names ("f2", "klatt", "m3", ...)
    .sample_rate               the library's output rate (22,050 Hz)

The library and its data come from the `espeakng-loader` package (get_library_path(),
get_data_path()), so nothing has to be installed on the system.
"""
from __future__ import annotations

import _ctypes
import ctypes
import functools
import threading
from pathlib import Path

import espeakng_loader
import numpy as np

AUDIO_OUTPUT_SYNCHRONOUS = 2
POS_CHARACTER = 1
CHARS_UTF8 = 1
PHONEMES_IPA = 0x02
PARAM_RATE, PARAM_VOLUME, PARAM_PITCH, PARAM_RANGE = 1, 2, 3, 4
EE_OK = 0
RANDOM_SEED = 1

SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Voice(ctypes.Structure):
    """espeak_VOICE of speak_lib.h."""
    _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_char_p), ("identifier", ctypes.c_char_p),
                ("gender", ctypes.c_ubyte), ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte),
                ("xx1", ctypes.c_ubyte), ("score", ctypes.c_int), ("spare", ctypes.c_void_p)]


class ESpeakError(RuntimeError):
    """eSpeak NG refused a call (unknown voice, library failed to start)."""


_LOCK = threading.RLock()
_CHUNKS: list[np.ndarray] = []  # 16-bit sample chunks of the synthesis in progress


def _collect(samples, count, events) -> int:
    """espeak_Synth's callback: called with each chunk of samples (count 0 at the end)."""
    if count > 0:
        _CHUNKS.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
    return 0


_CALLBACK = SYNTH_CALLBACK(_collect)  # module-level: must outlive every library handle
_STATE: dict = {}  # "lib": the loaded library, "rate": its sample rate, "used": synthesized since loading


def _load() -> ctypes.CDLL:
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [SYNTH_CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                 ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
    lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
    lib.espeak_ListVoices.argtypes = [ctypes.POINTER(_Voice)]
    lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), 0)
    if rate <= 0:
        raise ESpeakError(f"eSpeak NG failed to initialize (data at {espeakng_loader.get_data_path()})")
    lib.espeak_SetSynthCallback(_CALLBACK)
    _STATE.update(lib=lib, rate=rate, used=False)
    return lib


def _library() -> ctypes.CDLL:
    return _STATE["lib"] if _STATE else _load()


def _fresh_library() -> ctypes.CDLL:
    """The library as just loaded. The waveform generator keeps static state between utterances
    that espeak_Terminate does not reset (the pitch-flutter phase), so the same text would come
    out a few samples different each time: a synthesis after another one reloads the library
    (about 15 ms) to make every call a function of its arguments alone."""
    lib = _library()
    if _STATE["used"]:
        lib.espeak_Terminate()
        _ctypes.dlclose(lib._handle)
        _STATE.clear()
        lib = _load()
    _STATE["used"] = True
    return lib


class ESpeak:
    def __init__(self):
        with _LOCK:
            self.sample_rate = _STATE["rate"] if _STATE else (_load() and _STATE["rate"])

    def _set_voice(self, lib: ctypes.CDLL, voice: str, variant: str | None = None) -> None:
        name = f"{voice}+{variant}" if variant else voice
        # eSpeak ignores an unknown variant silently: checked here so a typo is not a different voice
        if (variant and variant not in self.variants()) or lib.espeak_SetVoiceByName(name.encode()) != EE_OK:
            raise ESpeakError(f"eSpeak NG has no voice {name!r}; see ESpeak().voices() and .variants()")

    def synthesize(self, text: str, voice: str = "en-us", variant: str | None = None, rate: int = 175,
                   pitch: int = 50) -> tuple[np.ndarray, int]:
        data = text.encode("utf-8") + b"\0"
        with _LOCK:
            lib = _fresh_library()
            self._set_voice(lib, voice, variant)
            for parameter, value in ((PARAM_RATE, rate), (PARAM_PITCH, pitch), (PARAM_VOLUME, 100), (PARAM_RANGE, 50)):
                lib.espeak_SetParameter(parameter, int(value), 0)
            lib.espeak_ng_SetRandSeed(RANDOM_SEED)  # the Klatt voices' noise
            _CHUNKS.clear()
            status = lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
            samples = np.concatenate(_CHUNKS) if _CHUNKS else np.zeros(0, np.int16)
            _CHUNKS.clear()
        if status != EE_OK:
            raise ESpeakError(f"eSpeak NG synthesis failed (error {status}) for {text[:40]!r}")
        return samples.astype(np.float32) / 32768.0, self.sample_rate

    def phonemize(self, text: str, voice: str = "en-us") -> str:
        """IPA of `text`; eSpeak returns one clause per call and advances the pointer, so this loops."""
        buffer = ctypes.create_string_buffer(text.encode("utf-8"))
        pointer = ctypes.c_void_p(ctypes.addressof(buffer))
        clauses = []
        with _LOCK:
            lib = _library()
            self._set_voice(lib, voice)
            while pointer.value:
                phonemes = lib.espeak_TextToPhonemes(ctypes.byref(pointer), CHARS_UTF8, PHONEMES_IPA)
                if phonemes:
                    clauses.append(phonemes.decode("utf-8").strip())
        return " ".join(c for c in clauses if c)

    def voices(self) -> list[str]:
        """The first language code of each voice (what `voice=` takes)."""
        with _LOCK:
            listed = _voices(_library().espeak_ListVoices(None))
        return sorted({v.languages[1:].decode() for v in listed if v.languages})

    @functools.cache
    def variants(self) -> list[str]:
        spec = _Voice(languages=b"variant")
        with _LOCK:
            listed = _voices(_library().espeak_ListVoices(ctypes.byref(spec)))
        return sorted(Path(v.identifier.decode()).name for v in listed)


def _voices(listed) -> list[_Voice]:
    """The NULL-terminated array espeak_ListVoices returns, copied out."""
    found, index = [], 0
    while listed[index]:
        voice = listed[index].contents
        found.append(_Voice(languages=voice.languages, identifier=voice.identifier))
        index += 1
    return found
