// Test driver (never shipped): reads "server <json>" / "client <json>" lines on stdin, parses each
// with the generated classes and prints it re-serialised, or "ERROR <message>", one line per input.
// "map <x> <y>" prints MapFrame.ToUnity(x, y). "panel <json>" shows a server message on one
// ExhibitPanel and prints what the panel then shows, as {"body", "check"}.
// Speech: "queue <rate> <seconds>" makes a SpeechQueue, "voice <rate> <seconds>" a GuideSpeech on a
// GuideClient (and uses its queue), each printing READY; then "begin <request>", "audio <json>" (prints the Outcome),
// "speak <json>" (through GuideSpeech), "speech on|off" (GuideClient.SetSpeech, or the queue's
// Enabled), "read <frames> [channels]" (prints {"written", "playing", "seq", "samples"}).
// "pin <fingerprint> <certificate DER as hex>" prints OK, REFUSED <why> or INVALID <why>;
// "connect <url> <pin>" starts a GuideConnection and prints FAILED <why> or STARTED.
// tests/test_unity_bridge.py runs it under mono.
using System;
using System.Globalization;
using System.Reflection;
using MuseumGuide;
using MuseumGuide.Protocol;
using TMPro;
using UnityEngine;

public static class RoundTrip
{
    public static int Main()
    {
        ExhibitPanel panel = null;
        TextMeshPro body = null, check = null;
        SpeechQueue queue = null;
        GuideSpeech voice = null;
        string line;
        while ((line = Console.ReadLine()) != null)
        {
            int space = line.IndexOf(' ');
            string kind = line.Substring(0, space);
            string rest = line.Substring(space + 1);
            try
            {
                if (kind == "map")
                {
                    var parts = rest.Split(' ');
                    var v = MapFrame.ToUnity(double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
                    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} {1} {2}", v.x, v.y, v.z));
                    continue;
                }
                if (kind == "panel")
                {
                    if (panel == null)
                    {
                        var scene = new GameObject("panel");
                        panel = scene.AddComponent<ExhibitPanel>();
                        body = scene.AddComponent<TextMeshPro>();
                        check = scene.AddComponent<TextMeshPro>();
                        panel.Bind(scene.AddComponent<GuideClient>(), scene.AddComponent<TextMeshPro>(), body, check);
                    }
                    panel.Show(GuideMessages.ParseServer(rest));
                    var w = new JsonWriter();
                    w.BeginObject();
                    w.Field("body", body.text);
                    w.Field("check", check.text);
                    w.EndObject();
                    Console.WriteLine(w.ToString());
                    continue;
                }
                if (Speech(kind, rest, ref queue, ref voice)) continue;
                if (kind == "pin") { Console.WriteLine(Pin(rest)); continue; }
                if (kind == "connect")
                {
                    var parts = rest.Split(' ');
                    var connection = new GuideConnection(new VisitorSettings { Url = parts[0], CertificateSha256 = parts[1] });
                    connection.Start();
                    Console.WriteLine(connection.Failure != null ? "FAILED " + connection.Failure : "STARTED");
                    connection.Stop();
                    continue;
                }
                GuideMessage m = kind == "server" ? GuideMessages.ParseServer(rest) : GuideMessages.ParseClient(rest);
                Console.WriteLine(m == null ? "UNKNOWN" : GuideMessages.ToJson(m));
            }
            catch (JsonException e)
            {
                Console.WriteLine("ERROR " + e.Message);
            }
        }
        return 0;
    }

    static bool Speech(string kind, string rest, ref SpeechQueue queue, ref GuideSpeech voice)
    {
        var args = rest.Split(' ');
        switch (kind)
        {
            case "queue":
                queue = new SpeechQueue(int.Parse(args[0]), Double(args[1]));
                voice = null;
                Console.WriteLine("READY");
                break;
            case "voice":
                AudioSettings.outputSampleRate = int.Parse(args[0]);
                var scene = new GameObject("voice");
                scene.AddComponent<AudioSource>();
                var client = scene.AddComponent<GuideClient>();
                voice = scene.AddComponent<GuideSpeech>();
                typeof(GuideSpeech).GetField("maxQueuedSeconds", BindingFlags.NonPublic | BindingFlags.Instance).SetValue(voice, (float)Double(args[1]));
                Unity(voice, "Awake");
                voice.Bind(client);
                Unity(voice, "OnEnable");
                queue = voice.Queue;
                Console.WriteLine("READY");
                break;
            case "begin":
                Console.WriteLine(queue.Begin(rest) ? "NEW" : "SAME");
                break;
            case "audio":
                Console.WriteLine(queue.Add((SpeechAudio)GuideMessages.ParseServer(rest)));
                break;
            case "speak":
                voice.Speak(GuideMessages.ParseServer(rest));
                Console.WriteLine("OK");
                break;
            case "speech":
                if (voice != null) voice.GetComponent<GuideClient>().SetSpeech(rest == "on");
                else queue.Enabled = rest == "on";
                Console.WriteLine(queue.Enabled ? "ON" : "OFF");
                break;
            case "read":
                int channels = args.Length > 1 ? int.Parse(args[1]) : 1;
                var data = new float[int.Parse(args[0]) * channels];
                for (int i = 0; i < data.Length; i++) data[i] = 9f; // Read must overwrite every sample
                int written = queue.Read(data, channels);
                var w = new JsonWriter();
                w.BeginObject();
                w.Field("written", written);
                w.Field("playing", queue.PlayingRequestId);
                w.Field("seq", queue.PlayingSeq);
                w.Name("samples");
                w.BeginArray();
                foreach (float f in data) w.Value((double)f);
                w.EndArray();
                w.EndObject();
                Console.WriteLine(w.ToString());
                break;
            default:
                return false;
        }
        return true;
    }

    // What Unity does when it enables a component (the stubs do not).
    static void Unity(MonoBehaviour component, string message)
    {
        component.GetType().GetMethod(message, BindingFlags.NonPublic | BindingFlags.Instance).Invoke(component, null);
    }

    static double Double(string text) { return double.Parse(text, CultureInfo.InvariantCulture); }

    static string Pin(string rest)
    {
        var parts = rest.Split(' ');
        string der = parts[parts.Length - 1];
        string fingerprint = string.Join(" ", parts, 0, parts.Length - 1);
        var bytes = new byte[der.Length / 2];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = byte.Parse(der.Substring(2 * i, 2), NumberStyles.HexNumber);
        try
        {
            CertificatePin.Parse(fingerprint).Check(bytes);
            return "OK";
        }
        catch (CertificateMismatchException e)
        {
            return (e.Message.Contains("is not a SHA-256") ? "INVALID " : "REFUSED ") + e.Message;
        }
    }
}
