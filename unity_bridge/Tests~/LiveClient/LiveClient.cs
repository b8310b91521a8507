// Test driver (never shipped): runs the package's GuideConnection against a real guide server under
// mono. Usage: LiveClient.exe URL TOKEN SECONDS [speech] [pin=FINGERPRINT]
// Prints "TYPE" per message received (and the description text once one ends), asks one question
// after the first description ends, and exits 0 after the answer ends; 1 on timeout.
// speech: hello says speech=true; also prints "DELTA <request> <seq>" per description delta and
// "AUDIO <request> <seq> <outcome> <queued s> <duration s>" per speech.audio, fed to a 48 kHz
// SpeechQueue, and exits 0 once the first description ended and each of its deltas was spoken.
// pin=...: VisitorSettings.CertificateSha256; when the connection gives up it prints
// "FAILED <why>" and exits 3.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using MuseumGuide;
using MuseumGuide.Protocol;

public static class LiveClient
{
    public static int Main(string[] args)
    {
        bool speech = args.Contains("speech");
        string pin = args.Where(a => a.StartsWith("pin=")).Select(a => a.Substring(4)).FirstOrDefault() ?? "";
        var settings = new VisitorSettings { Url = args[0], Token = args[1], Speech = speech, CertificateSha256 = pin };
        var connection = new GuideConnection(settings);
        connection.Log = line => Console.Error.WriteLine("[connection] " + line);
        connection.Start();
        var clock = Stopwatch.StartNew();
        var description = new StringBuilder();
        var voice = new SpeechQueue(48000, 600);
        var spoken = new Spoken();
        string question = null;
        while (clock.Elapsed.TotalSeconds < double.Parse(args[2], CultureInfo.InvariantCulture))
        {
            if (connection.Failure != null)
            {
                Console.WriteLine("FAILED " + connection.Failure);
                connection.Stop();
                return 3;
            }
            GuideMessage m;
            if (!connection.TryReceive(out m, TimeSpan.FromMilliseconds(200))) continue;
            Console.WriteLine(m.Type);
            if (speech)
            {
                if (spoken.Hear(m, voice)) { connection.Stop(); return 0; }
                continue;
            }
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

    /// <summary>The first description's deltas and speech, as GuideSpeech would hear them.</summary>
    sealed class Spoken
    {
        string request;
        bool ended;
        readonly HashSet<int> deltas = new HashSet<int>();
        readonly HashSet<int> clips = new HashSet<int>();

        /// <summary>Note one message; true once the description ended and every delta was spoken.</summary>
        public bool Hear(GuideMessage m, SpeechQueue voice)
        {
            var start = m as DescriptionStart;
            if (start != null && request == null) { request = start.request_id; voice.Begin(request); }
            var delta = m as DescriptionDelta;
            if (delta != null && delta.request_id == request)
            {
                deltas.Add(delta.seq);
                Console.WriteLine("DELTA " + delta.request_id + " " + delta.seq);
            }
            var clip = m as SpeechAudio;
            if (clip != null)
            {
                double before = voice.QueuedSeconds;
                var outcome = voice.Add(clip);
                Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "AUDIO {0} {1} {2} {3:R} {4:R}",
                    clip.request_id, clip.seq, outcome, voice.QueuedSeconds - before, clip.duration_ms / 1000));
                if (clip.request_id == request) clips.Add(clip.seq);
            }
            var end = m as DescriptionEnd;
            if (end != null && end.request_id == request) ended = true;
            return ended && deltas.Count > 0 && deltas.IsSubsetOf(clips);
        }
    }
}
