// Test driver (never shipped): reads "server <json>" / "client <json>" lines on stdin, parses each
// with the generated classes and prints it re-serialised, or "ERROR <message>", one line per input.
// "map <x> <y>" prints MapFrame.ToUnity(x, y). "panel <json>" shows a server message on one
// ExhibitPanel and prints what the panel then shows, as {"body", "check"}.
// tests/test_unity_bridge.py runs it under mono.
using System;
using System.Globalization;
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
}
