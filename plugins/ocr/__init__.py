"""Handwriting / text-line OCR: line images in, transcriptions out (CRNN, attention, hybrid, transducer)."""
from plugins.ocr.task import OCRTask

__all__ = ["OCRTask"]
