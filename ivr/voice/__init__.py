"""Speaking prompts with pyttsx3 (espeak-ng on Linux), behind a small interface with a text-only fallback."""
