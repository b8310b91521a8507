"""The generation engines, each behind `guide_server.generation.engine.Engine`, and `factory.build_engine`.

onnx (ONNX Runtime GenAI, int4; the default), transformers (fp32 torch), openai (any
OpenAI-compatible server), scripted (canned text, for demos and tests). Modules import
their heavy libraries themselves, so importing this package costs nothing.
"""
