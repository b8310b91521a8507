"""Run llama.cpp here without its extra weight buffer types (run by `.venv-bench/bin/python`).

On this project's machines (x86_64 with AVX-512 and AMX) llama-cpp-python 0.3.36, built
natively, segfaults in its first multi-token decode when weights go to the extra buffer
types (AMX / CPU repacking): every prompt longer than one token. `Llama()` exposes no
switch for it, so the model's default parameters are patched to `use_extra_bufts=False`
before any model loads. Standard library and llama_cpp only.

`python bench/llamacpp_compat.py server ARGS...` runs `python -m llama_cpp.server ARGS...`
that way; `bench/llamacpp_reference.py` calls `disable_extra_buffer_types()` itself.
"""

from __future__ import annotations

import runpy
import sys


def disable_extra_buffer_types() -> None:
    """Make every model llama_cpp loads from now on skip the extra buffer types."""
    # `Llama()` reads its defaults from the ctypes module (llama_cpp.llama_cpp): patch it there.
    from llama_cpp import llama_cpp as bindings

    default = bindings.llama_model_default_params

    def without_extra_buffer_types():  # type: ignore[no-untyped-def]
        params = default()
        params.use_extra_bufts = False
        return params

    bindings.llama_model_default_params = without_extra_buffer_types


def main() -> None:
    """`server ARGS...`: llama.cpp's OpenAI-compatible server with the extra buffer types off."""
    if sys.argv[1:2] != ["server"]:
        raise SystemExit("usage: llamacpp_compat.py server [llama_cpp.server arguments]")
    disable_extra_buffer_types()
    sys.argv = ["llama_cpp.server", *sys.argv[2:]]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
