"""Speech: released sentences spoken by a packaged Piper voice and streamed as `speech.audio`."""
