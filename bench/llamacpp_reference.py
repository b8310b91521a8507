"""The llama.cpp reference: run by `.venv-bench/bin/python` (make bench-env), never imported by the guide.

Reads a JSON request on stdin: {"gguf": path, "prompts": [rendered prompt text, ...],
"max_new_tokens": n, "threads": n, "repetition_penalty": x}; generates greedily for each
prompt from an empty context (nothing reused from the prompt before) and prints one JSON
line: {"results": [{"ttft_ms": ..., "tokens": ..., "tokens_per_s": ...}, ...]}.
Standard library and llama_cpp only: the bench environment holds nothing else.
"""

from __future__ import annotations

import json
import sys
import time


def generate(llm: object, prompt: str, max_new_tokens: int, repetition_penalty: float) -> dict[str, float]:
    """Time one greedy generation: ms to the first token, tokens, tokens/s after the first."""
    llm.reset()  # type: ignore[attr-defined]
    started = time.perf_counter()
    tokens = llm.tokenize(prompt.encode(), add_bos=False, special=True)  # type: ignore[attr-defined]
    eos = llm.token_eos()  # type: ignore[attr-defined]
    first = last = None
    count = 0
    stream = llm.generate(  # type: ignore[attr-defined]
        tokens, top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=repetition_penalty, reset=True
    )
    for token in stream:
        last = time.perf_counter()
        first = first or last
        count += 1
        if token == eos or count >= max_new_tokens:
            break
    if first is None or last is None:
        raise SystemExit("llama.cpp generated nothing")
    rate = (count - 1) / (last - first) if last > first else float("nan")
    return {"ttft_ms": (first - started) * 1000, "tokens": count, "tokens_per_s": rate}


def main() -> None:
    """Load the GGUF, warm up, time every prompt, print the JSON results."""
    from llama_cpp import Llama
    from llamacpp_compat import disable_extra_buffer_types

    disable_extra_buffer_types()  # the AMX / repack buffers segfault on these machines
    request = json.load(sys.stdin)
    llm = Llama(
        model_path=request["gguf"],
        n_ctx=2048,
        n_threads=request["threads"],
        n_threads_batch=request["threads"],
        verbose=False,
    )
    penalty = request.get("repetition_penalty", 1.0)
    generate(llm, request["prompts"][0], 4, penalty)  # warm-up, as the guide's engine does at start
    results = [generate(llm, p, request["max_new_tokens"], penalty) for p in request["prompts"]]
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
