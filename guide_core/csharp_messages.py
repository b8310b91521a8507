"""C# message classes for the Unity bridge, generated from the protocol's JSON Schema.

The Unity package (`unity_bridge/Runtime/Protocol/GuideMessages.g.cs`) holds the
output of `csharp_source(protocol_json_schema())`; `guide unity messages` rewrites
it and a test fails when the committed file is stale, so the C# types cannot drift
from `guide_core.protocol`.

Mapping: JSON names are kept as C# field names (`request_id`), strings and enums
become `string` (with a constants class per enum), integers `int`, numbers
`double`, booleans `bool`, optional scalars nullable (`int?`), nested objects
their own class, arrays `List<T>`. Each class reads itself from a `JsonObject`
and writes itself with a `JsonWriter` (both in `MiniJson.cs`), so no reflection
and no serializer package is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from guide_core.paths import UNITY_BRIDGE_DIR

MESSAGES_PATH = UNITY_BRIDGE_DIR / "Runtime" / "Protocol" / "GuideMessages.g.cs"
NAMESPACE = "MuseumGuide.Protocol"
CSHARP_KEYWORDS = frozenset(
    "abstract as base bool break byte case catch char checked class const continue decimal default delegate do "
    "double else enum event explicit extern false finally fixed float for foreach goto if implicit in int "
    "interface internal is lock long namespace new null object operator out override params private protected "
    "public readonly ref return sbyte sealed short sizeof stackalloc static string struct switch this throw true "
    "try typeof uint ulong unchecked unsafe ushort using virtual void volatile while".split()
)


@dataclass(frozen=True)
class CSharpField:
    """One field of a generated class: its JSON name, C# type and how to read it."""

    name: str
    cs_type: str
    required: bool
    default: str | None
    kind: str
    """`string`, `int`, `double`, `bool`, `object` (nested class) or `list` (of a class)."""
    element: str | None = None

    @property
    def ident(self) -> str:
        """The C# identifier: the JSON name, prefixed with @ where it is a C# keyword."""
        return f"@{self.name}" if self.name in CSHARP_KEYWORDS else self.name


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _pascal(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def _literal(value: Any, kind: str) -> str | None:
    if value is None:
        return None
    if kind == "string":
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
    if kind == "bool":
        return "true" if value else "false"
    if kind in ("int", "double"):
        return repr(value)
    return None


def field_of(name: str, prop: dict[str, Any], required: bool, defs: dict[str, Any]) -> CSharpField:
    """The C# field for one schema property."""
    nullable = False
    schema = prop
    if "anyOf" in prop:
        options = [o for o in prop["anyOf"] if o.get("type") != "null"]
        nullable = len(options) < len(prop["anyOf"])
        if len(options) != 1:
            raise ValueError(f"{name}: only 'X or null' unions can be mapped to C#, got {prop['anyOf']}")
        schema = options[0]
    default = prop.get("default")
    if "$ref" in schema:
        target = defs[_ref_name(schema["$ref"])]
        if "enum" in target:
            kind, cs_type = "string", "string"
        else:
            cls = _ref_name(schema["$ref"])
            return CSharpField(name, cls, required, f"new {cls}()" if default else None, "object")
    elif schema.get("type") == "array":
        cls = _ref_name(schema["items"]["$ref"])
        return CSharpField(name, f"List<{cls}>", required, f"new List<{cls}>()", "list", cls)
    else:
        kind = {"string": "string", "integer": "int", "number": "double", "boolean": "bool"}[schema["type"]]
        cs_type = kind
    if nullable and kind != "string":
        cs_type += "?"
    return CSharpField(name, cs_type, required, _literal(default, kind), kind)


def message_fields(definition: dict[str, Any], defs: dict[str, Any]) -> list[CSharpField]:
    """The fields of one object definition, without its `type` discriminator."""
    required = set(definition.get("required", []))
    return [
        field_of(name, prop, name in required, defs)
        for name, prop in definition["properties"].items()
        if name != "type"
    ]


def message_type(definition: dict[str, Any]) -> str | None:
    """The `type` constant of a message definition, or None for a nested object."""
    type_prop = definition.get("properties", {}).get("type", {})
    return type_prop.get("const")


def _summary(text: str | None, indent: str) -> list[str]:
    first = (text or "").strip().splitlines()[0] if text else ""
    first = first.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return [f"{indent}/// <summary>{first}</summary>"] if first else []


def _read_line(f: CSharpField) -> str:
    getter = {
        "string": "GetString",
        "int": "GetInt",
        "double": "GetDouble",
        "bool": "GetBool",
    }
    if f.kind == "object":
        expr = f'o.GetObject("{f.name}", {str(f.required).lower()})'
        return f"        {{ var v = {expr}; if (v != null) m.{f.ident} = {f.cs_type}.FromJson(v); }}"
    if f.kind == "list":
        return (
            f'        {{ var v = o.GetArray("{f.name}", {str(f.required).lower()}); '
            f"if (v != null) {{ m.{f.ident} = new List<{f.element}>(); "
            f"for (int i = 0; i < v.Count; i++) "
            f'm.{f.ident}.Add({f.element}.FromJson(o.GetItem(v, "{f.name}", i))); }} }}'
        )
    nullable = f.cs_type.endswith("?")
    method = getter[f.kind] + ("Or" if nullable else "")
    if nullable:
        return f'        m.{f.ident} = o.{method}("{f.name}");'
    if f.required:
        return f'        m.{f.ident} = o.{method}("{f.name}");'
    return f'        if (o.Has("{f.name}")) m.{f.ident} = o.{method}("{f.name}");'


def _write_line(f: CSharpField) -> str:
    if f.kind == "object":
        return f'        if ({f.ident} != null) {{ w.Name("{f.name}"); {f.ident}.WriteJson(w); }}'
    if f.kind == "list":
        return (
            f'        if ({f.ident} != null) {{ w.Name("{f.name}"); w.BeginArray(); '
            f"foreach (var item in {f.ident}) item.WriteJson(w); w.EndArray(); }}"
        )
    if f.cs_type.endswith("?") or f.kind == "string":
        return f'        if ({f.ident} != null) w.Field("{f.name}", {f.ident});'
    return f'        w.Field("{f.name}", {f.ident});'


def _class_source(name: str, definition: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    wire_type = message_type(definition)
    fields = message_fields(definition, defs)
    base = " : GuideMessage" if wire_type else ""
    lines = _summary(definition.get("description"), "    ")
    lines += [f"    public sealed partial class {name}{base}", "    {"]
    if wire_type:
        lines += [
            f'        public const string TypeName = "{wire_type}";',
            "        public override string Type => TypeName;",
        ]
    for f in fields:
        init = f" = {f.default}" if f.default is not None else ""
        lines.append(f"        public {f.cs_type} {f.ident}{init};")
    lines += [
        "",
        f"        public static {name} FromJson(JsonObject o)",
        "        {",
        f"            var m = new {name}();",
    ]
    lines += ["    " + line for line in map(_read_line, fields)]
    lines += ["            return m;", "        }", ""]
    override = "override " if wire_type else ""
    lines += [
        f"        public {override}void WriteJson(JsonWriter w)",
        "        {",
        "            w.BeginObject();",
    ]
    if wire_type:
        lines.append('            w.Field("type", TypeName);')
    lines += ["    " + line for line in map(_write_line, fields)]
    lines += ["            w.EndObject();", "        }", "    }", ""]
    return lines


def _enum_source(name: str, definition: dict[str, Any]) -> list[str]:
    lines = _summary(definition.get("description"), "    ")
    lines += [
        f"    public static class {name}s" if not name.endswith("s") else f"    public static class {name}",
        "    {",
    ]
    lines += [f'        public const string {_pascal(str(v))} = "{v}";' for v in definition["enum"]]
    lines += ["    }", ""]
    return lines


def _parser_source(kind: str, schema: dict[str, Any]) -> list[str]:
    mapping: dict[str, str] = schema["discriminator"]["mapping"]
    lines = [
        f"        /// <summary>Parse one {kind} message; null for a type this client does not know.</summary>",
        f"        public static GuideMessage Parse{_pascal(kind)}(string json)",
        "        {",
        '            var o = JsonObject.Of(MiniJson.Parse(json), "message");',
        '            switch (o.GetString("type"))',
        "            {",
    ]
    for _wire_type, ref in sorted(mapping.items()):
        cls = _ref_name(ref)
        lines.append(f"                case {cls}.TypeName: return {cls}.FromJson(o);")
    lines += ["                default: return null;", "            }", "        }", ""]
    return lines


def csharp_source(schema: dict[str, Any]) -> str:
    """The whole generated C# file for a protocol schema."""
    defs: dict[str, Any] = schema["$defs"]
    lines = [
        "// <auto-generated>",
        "// Generated by `guide unity messages` from unity_bridge/protocol.schema.json",
        f"// (protocol version {schema.get('version')}). Do not edit: change guide_core/protocol.py,",
        "// run `guide protocol schema` and `guide unity messages`.",
        "// </auto-generated>",
        "using System.Collections.Generic;",
        "",
        f"namespace {NAMESPACE}",
        "{",
        "    /// <summary>Protocol version this file was generated for.</summary>",
        "    public static class ProtocolInfo",
        "    {",
        f"        public const int Version = {int(schema.get('version', 1))};",
        "    }",
        "",
    ]
    for name in sorted(defs):
        definition = defs[name]
        if "enum" in definition:
            lines += _enum_source(name, definition)
        elif definition.get("type") == "object":
            lines += _class_source(name, definition, defs)
    lines += [
        "    /// <summary>Parsers for whole frames, by direction.</summary>",
        "    public static class GuideMessages",
        "    {",
    ]
    lines += _parser_source("server", schema["server_message"])
    lines += _parser_source("client", schema["client_message"])
    lines += [
        "        /// <summary>Serialise a message to the JSON text sent on the wire.</summary>",
        "        public static string ToJson(GuideMessage message)",
        "        {",
        "            var w = new JsonWriter();",
        "            message.WriteJson(w);",
        "            return w.ToString();",
        "        }",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"
