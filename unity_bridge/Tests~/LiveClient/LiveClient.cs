// Test driver (never shipped): runs the package's GuideConnection (ClientWebSocket) under mono
// against a real guide server. Usage: LiveClient.exe URL TOKEN SECONDS
// Prints "TYPE" per message received (and the description text once one ends), asks one question
// after the first description ends, and exits 0 after the answer ends; 1 on timeout.
using System;
using System.Diagnostics;
using System.Text;
using MuseumGuide;
using MuseumGuide.Protocol;

public static class LiveClient
{
    public static int Main(string[] args)
    {
        var settings = new VisitorSettings { Url = args[0], Token = args[1] };
        var connection = new GuideConnection(settings);
        connection.Log = line => Console.Error.WriteLine("[connection] " + line);
        connection.Start();
        var clock = Stopwatch.StartNew();
        var description = new StringBuilder();
        string question = null;
        while (clock.Elapsed.TotalSeconds < double.Parse(args[2]))
        {
            GuideMessage m;
            if (!connection.TryReceive(out m, TimeSpan.FromMilliseconds(200))) continue;
            Console.WriteLine(m.Type);
            var delta = m as DescriptionDelta;
            if (delta != null) description.Append(delta.text);
            var end = m as DescriptionEnd;
            if (end != null && question == null)
            {
                Console.WriteLine("DESCRIPTION " + description.ToString().Replace("\n", " "));
                question = "unity-q-1";
                connection.SendAsync(new Question { request_id = question, text = "When was it built?" }).Wait();
            }
            var answerEnd = m as AnswerEnd;
            if (answerEnd != null && answerEnd.request_id == question)
            {
                Console.WriteLine("RESUME " + connection.Resume.RequestId + " " + connection.Resume.Seq);
                connection.Stop();
                return 0;
            }
        }
        Console.WriteLine("TIMEOUT");
        connection.Stop();
        return 1;
    }
}
