"""Built-in speech recognition plugin: manifests / LibriSpeech / LJSpeech audio, WER and CER, embedded eSpeak NG corpus."""
from plugins.asr.task import ASRTask

__all__ = ["ASRTask"]
