// A small JSON reader and writer for the guide's messages.
//
// Why hand-written: Unity's JsonUtility cannot read a message whose class depends on its
// "type" field, and Newtonsoft would be a package dependency that the CI compile check
// (Debian's mono `mcs`) does not have. The protocol needs only objects, arrays, strings,
// numbers, booleans and null, which this file reads and writes (RFC 8259, UTF-16 strings).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MuseumGuide.Protocol
{
    /// <summary>A JSON text that cannot be read, or a message field that is missing or of the wrong type.</summary>
    public sealed class JsonException : Exception
    {
        public JsonException(string message) : base(message) { }
    }

    /// <summary>Base of every wire message: its "type" and how to write it.</summary>
    public abstract class GuideMessage
    {
        public abstract string Type { get; }
        public abstract void WriteJson(JsonWriter w);
    }

    /// <summary>Parses JSON text into Dictionary/List/string/double/bool/null.</summary>
    public static class MiniJson
    {
        const int MaxDepth = 64;

        /// <summary>Parse one JSON value; throws JsonException saying where the text is wrong.</summary>
        public static object Parse(string text)
        {
            if (text == null) throw new JsonException("no JSON text given");
            int pos = 0;
            object value = ReadValue(text, ref pos, 0);
            SkipSpace(text, ref pos);
            if (pos != text.Length) throw Fail(text, pos, "unexpected text after the JSON value");
            return value;
        }

        static JsonException Fail(string text, int pos, string what)
        {
            return new JsonException(what + " at character " + pos);
        }

        static void SkipSpace(string s, ref int pos)
        {
            while (pos < s.Length && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) pos++;
        }

        static object ReadValue(string s, ref int pos, int depth)
        {
            if (depth > MaxDepth) throw Fail(s, pos, "JSON nested too deeply");
            SkipSpace(s, ref pos);
            if (pos >= s.Length) throw Fail(s, pos, "JSON text ended early");
            char c = s[pos];
            switch (c)
            {
                case '{': return ReadObject(s, ref pos, depth);
                case '[': return ReadArray(s, ref pos, depth);
                case '"': return ReadString(s, ref pos);
                case 't': Expect(s, ref pos, "true"); return true;
                case 'f': Expect(s, ref pos, "false"); return false;
                case 'n': Expect(s, ref pos, "null"); return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber(s, ref pos);
                    throw Fail(s, pos, "unexpected character '" + c + "'");
            }
        }

        static void Expect(string s, ref int pos, string word)
        {
            if (string.CompareOrdinal(s, pos, word, 0, word.Length) != 0) throw Fail(s, pos, "expected " + word);
            pos += word.Length;
        }

        static Dictionary<string, object> ReadObject(string s, ref int pos, int depth)
        {
            var result = new Dictionary<string, object>();
            pos++;
            SkipSpace(s, ref pos);
            if (pos < s.Length && s[pos] == '}') { pos++; return result; }
            while (true)
            {
                SkipSpace(s, ref pos);
                if (pos >= s.Length) throw Fail(s, pos, "JSON text ended early");
                if (s[pos] != '"') throw Fail(s, pos, "expected a quoted member name");
                string key = ReadString(s, ref pos);
                SkipSpace(s, ref pos);
                if (pos >= s.Length || s[pos] != ':') throw Fail(s, pos, "expected ':'");
                pos++;
                result[key] = ReadValue(s, ref pos, depth + 1);
                SkipSpace(s, ref pos);
                if (pos >= s.Length) throw Fail(s, pos, "object not closed");
                if (s[pos] == ',') { pos++; continue; }
                if (s[pos] == '}') { pos++; return result; }
                throw Fail(s, pos, "expected ',' or '}'");
            }
        }

        static List<object> ReadArray(string s, ref int pos, int depth)
        {
            var result = new List<object>();
            pos++;
            SkipSpace(s, ref pos);
            if (pos < s.Length && s[pos] == ']') { pos++; return result; }
            while (true)
            {
                result.Add(ReadValue(s, ref pos, depth + 1));
                SkipSpace(s, ref pos);
                if (pos >= s.Length) throw Fail(s, pos, "array not closed");
                if (s[pos] == ',') { pos++; continue; }
                if (s[pos] == ']') { pos++; return result; }
                throw Fail(s, pos, "expected ',' or ']'");
            }
        }

        static string ReadString(string s, ref int pos)
        {
            var sb = new StringBuilder();
            pos++;
            while (pos < s.Length)
            {
                char c = s[pos++];
                if (c == '"') return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                if (pos >= s.Length) break;
                char e = s[pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (pos + 4 > s.Length) throw Fail(s, pos, "short \\u escape");
                        sb.Append((char)int.Parse(s.Substring(pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        pos += 4;
                        break;
                    default: throw Fail(s, pos - 1, "bad escape '\\" + e + "'");
                }
            }
            throw Fail(s, pos, "string not closed");
        }

        static double ReadNumber(string s, ref int pos)
        {
            int start = pos;
            while (pos < s.Length && "+-0123456789.eE".IndexOf(s[pos]) >= 0) pos++;
            double value;
            if (!double.TryParse(s.Substring(start, pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                throw Fail(s, start, "bad number");
            return value;
        }
    }

    /// <summary>Typed, checked access to one parsed JSON object (a message or a nested part).</summary>
    public sealed class JsonObject
    {
        readonly Dictionary<string, object> members;
        readonly string where;

        JsonObject(Dictionary<string, object> members, string where)
        {
            this.members = members;
            this.where = where;
        }

        /// <summary>Wrap a parsed value that must be an object; `where` names it in errors.</summary>
        public static JsonObject Of(object value, string where)
        {
            var dict = value as Dictionary<string, object>;
            if (dict == null) throw new JsonException(where + ": expected a JSON object");
            return new JsonObject(dict, where);
        }

        public bool Has(string name)
        {
            object v;
            return members.TryGetValue(name, out v) && v != null;
        }

        object Get(string name, bool required)
        {
            object v;
            if (members.TryGetValue(name, out v) && v != null) return v;
            if (required) throw new JsonException(where + "." + name + ": field required");
            return null;
        }

        JsonException Wrong(string name, string expected)
        {
            return new JsonException(where + "." + name + ": expected " + expected);
        }

        public string GetString(string name)
        {
            object v = Get(name, true);
            var s = v as string;
            if (s == null) throw Wrong(name, "a string");
            return s;
        }

        public string GetStringOr(string name)
        {
            return Has(name) ? GetString(name) : null;
        }

        public double GetDouble(string name)
        {
            object v = Get(name, true);
            if (!(v is double)) throw Wrong(name, "a number");
            return (double)v;
        }

        public double? GetDoubleOr(string name)
        {
            return Has(name) ? GetDouble(name) : (double?)null;
        }

        public int GetInt(string name)
        {
            double d = GetDouble(name);
            if (d != Math.Floor(d) || d > int.MaxValue || d < int.MinValue) throw Wrong(name, "an integer");
            return (int)d;
        }

        public int? GetIntOr(string name)
        {
            return Has(name) ? GetInt(name) : (int?)null;
        }

        public bool GetBool(string name)
        {
            object v = Get(name, true);
            if (!(v is bool)) throw Wrong(name, "true or false");
            return (bool)v;
        }

        public bool? GetBoolOr(string name)
        {
            return Has(name) ? GetBool(name) : (bool?)null;
        }

        public JsonObject GetObject(string name, bool required)
        {
            object v = Get(name, required);
            return v == null ? null : Of(v, where + "." + name);
        }

        public List<object> GetArray(string name, bool required)
        {
            object v = Get(name, required);
            if (v == null) return null;
            var list = v as List<object>;
            if (list == null) throw Wrong(name, "an array");
            return list;
        }

        /// <summary>Item `index` of the array field `name` (from GetArray), which must be an object.</summary>
        public JsonObject GetItem(List<object> array, string name, int index)
        {
            return Of(array[index], where + "." + name + "[" + index + "]");
        }
    }

    /// <summary>Writes compact JSON; the generated message classes call it field by field.</summary>
    public sealed class JsonWriter
    {
        readonly StringBuilder sb = new StringBuilder();
        readonly Stack<bool> first = new Stack<bool>();
        bool afterName;

        void Separate()
        {
            if (afterName) { afterName = false; return; }
            if (first.Count == 0) return;
            if (first.Peek()) { first.Pop(); first.Push(false); }
            else sb.Append(',');
        }

        public void BeginObject() { Separate(); sb.Append('{'); first.Push(true); }
        public void EndObject() { first.Pop(); sb.Append('}'); }
        public void BeginArray() { Separate(); sb.Append('['); first.Push(true); }
        public void EndArray() { first.Pop(); sb.Append(']'); }

        public void Name(string name)
        {
            Separate();
            WriteString(name);
            sb.Append(':');
            afterName = true;
        }

        public void Value(string value)
        {
            Separate();
            if (value == null) sb.Append("null"); else WriteString(value);
        }

        public void Value(double value)
        {
            Separate();
            if (double.IsNaN(value) || double.IsInfinity(value)) throw new JsonException("JSON has no NaN or infinity");
            sb.Append(value.ToString("R", CultureInfo.InvariantCulture));
        }

        public void Value(bool value) { Separate(); sb.Append(value ? "true" : "false"); }

        public void Field(string name, string value) { Name(name); Value(value); }
        public void Field(string name, double value) { Name(name); Value(value); }
        public void Field(string name, int value) { Name(name); Separate(); sb.Append(value.ToString(CultureInfo.InvariantCulture)); }
        public void Field(string name, bool value) { Name(name); Value(value); }
        public void Field(string name, double? value) { if (value.HasValue) Field(name, value.Value); }
        public void Field(string name, int? value) { if (value.HasValue) Field(name, value.Value); }
        public void Field(string name, bool? value) { if (value.HasValue) Field(name, value.Value); }

        void WriteString(string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < ' ') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }

        public override string ToString() { return sb.ToString(); }
    }
}
