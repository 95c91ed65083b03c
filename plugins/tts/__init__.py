"""Text-to-speech task plugin (Tacotron 2 style) with an embedded eSpeak NG corpus."""
from plugins.tts.task import TTSTask

__all__ = ["TTSTask"]
