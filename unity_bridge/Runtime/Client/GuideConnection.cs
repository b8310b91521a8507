// The visitor socket without Unity: connect, say hello, read frames, reconnect with backoff.
//
// Runs on a worker thread (async/await on the thread pool). Parsed messages go into a
// bounded queue that GuideClient drains on Unity's main thread in Update(); nothing here
// touches a Unity object. Kept free of UnityEngine so that it also runs under plain mono.
// With a pinned certificate the socket is PinnedSocket's; otherwise ClientWebSocket's, which
// checks wss:// against the system trust store.
using System;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MuseumGuide.Protocol;

namespace MuseumGuide
{
    /// <summary>What a visitor tells the server in `hello`.</summary>
    [Serializable]
    public sealed class VisitorSettings
    {
        public string Url = "ws://127.0.0.1:8000/ws/visitor";
        public string Token = "";
        public string Tour = "default";
        public string Audience = Audiences.Adult;
        public string Language = "en";
        /// <summary>Speak descriptions and answers (`speech.audio`); GuideConnection.SetSpeech changes it.</summary>
        public bool Speech = true;
        /// <summary>
        /// SHA-256 of the server's certificate as `guide serve --tls` prints it (any case, colons optional):
        /// only that certificate is accepted, over wss:// only. Empty: the system trust store decides.
        /// </summary>
        public string CertificateSha256 = "";
    }

    /// <summary>Delays between reconnect attempts: doubling from `first` up to `max`, with jitter.</summary>
    public sealed class Backoff
    {
        readonly double first;
        readonly double max;
        readonly Random random;
        double next;

        public Backoff(double firstSeconds = 0.5, double maxSeconds = 10.0, int seed = 0)
        {
            first = firstSeconds;
            max = maxSeconds;
            random = seed == 0 ? new Random() : new Random(seed);
            next = first;
        }

        /// <summary>The next delay in seconds (between 75% and 100% of the nominal one).</summary>
        public double NextDelay()
        {
            double nominal = next;
            next = Math.Min(max, next * 2);
            return nominal * (0.75 + 0.25 * random.NextDouble());
        }

        /// <summary>Start again from the first delay (after a successful welcome).</summary>
        public void Reset() { next = first; }
    }

    /// <summary>Remembers the last streamed piece seen, so a reconnect resumes there.</summary>
    public sealed class ResumeTracker
    {
        public string RequestId { get; private set; }
        public int Seq { get; private set; } = -1;

        /// <summary>Note a received message; start/delta/end of a stream move the resume point.</summary>
        public void Note(GuideMessage message)
        {
            var ds = message as DescriptionStart;
            if (ds != null) { RequestId = ds.request_id; Seq = -1; return; }
            var asg = message as AnswerStart;
            if (asg != null) { RequestId = asg.request_id; Seq = -1; return; }
            var dd = message as DescriptionDelta;
            if (dd != null && dd.request_id == RequestId) { Seq = Math.Max(Seq, dd.seq); return; }
            var ad = message as AnswerDelta;
            if (ad != null && ad.request_id == RequestId) { Seq = Math.Max(Seq, ad.seq); }
        }

        /// <summary>The resume point for `hello`, or null before any stream was seen.</summary>
        public ResumePoint Point()
        {
            if (RequestId == null) return null;
            return new ResumePoint { request_id = RequestId, seq = Seq };
        }
    }

    /// <summary>One visitor connection that keeps itself open until Stop().</summary>
    public sealed class GuideConnection
    {
        /// <summary>Most messages held for the main thread; beyond it the connection waits (no frame is dropped).</summary>
        public const int InboxLimit = 4096;

        readonly VisitorSettings settings;
        readonly Backoff backoff = new Backoff();
        readonly ResumeTracker resume = new ResumeTracker();
        readonly BlockingCollection<GuideMessage> inbox =
            new BlockingCollection<GuideMessage>(new ConcurrentQueue<GuideMessage>(), InboxLimit);
        readonly SemaphoreSlim sendLock = new SemaphoreSlim(1, 1);
        CancellationTokenSource stopping;
        CertificatePin pin;
        volatile WebSocket socket;
        volatile string failure;

        /// <summary>Called on the worker thread with a line for the log (connects, errors, retries).</summary>
        public Action<string> Log = delegate { };

        public GuideConnection(VisitorSettings settings)
        {
            this.settings = settings;
        }

        public bool IsOpen { get { var s = socket; return s != null && s.State == WebSocketState.Open; } }
        public ResumeTracker Resume { get { return resume; } }

        /// <summary>
        /// Why the connection gave up for good (a certificate that is not the pinned one, a pin that is not
        /// a fingerprint, a pin on a ws:// URL); null while it connects or retries.
        /// </summary>
        public string Failure { get { return failure; } }

        /// <summary>Start connecting in the background; safe to call once. A bad pin or URL sets Failure at once.</summary>
        public void Start()
        {
            stopping = new CancellationTokenSource();
            try
            {
                pin = CertificatePin.Parse(settings.CertificateSha256);
                if (pin != null && !settings.Url.StartsWith("wss://", StringComparison.OrdinalIgnoreCase))
                    throw new CertificateMismatchException(PinnedSocket.NotEncrypted(settings.Url));
            }
            catch (CertificateMismatchException e)
            {
                GiveUp(e.Message);
                return;
            }
            Task.Run(() => RunAsync(stopping.Token));
        }

        /// <summary>
        /// Turn speech on or off: remembered for the next hello (a reconnect keeps it) and sent now as
        /// `speech` when open. True when it was sent now.
        /// </summary>
        public Task<bool> SetSpeech(bool enabled)
        {
            settings.Speech = enabled;
            return SendAsync(new SpeechSetting { enabled = enabled });
        }

        /// <summary>Close the socket and stop reconnecting.</summary>
        public void Stop()
        {
            if (stopping != null) stopping.Cancel();
            inbox.CompleteAdding();
        }

        /// <summary>Take one received message if any (main thread).</summary>
        public bool TryReceive(out GuideMessage message)
        {
            return inbox.TryTake(out message);
        }

        /// <summary>Wait up to `timeout` for a message (worker threads and tools; never on Unity's main thread).</summary>
        public bool TryReceive(out GuideMessage message, TimeSpan timeout)
        {
            return inbox.TryTake(out message, timeout);
        }

        /// <summary>Send a message; false when the socket is not open (the caller tells the visitor).</summary>
        public Task<bool> SendAsync(GuideMessage message)
        {
            return SendOnAsync(socket, message);
        }

        async Task<bool> SendOnAsync(WebSocket s, GuideMessage message)
        {
            if (s == null || s.State != WebSocketState.Open) return false;
            byte[] bytes = Encoding.UTF8.GetBytes(GuideMessages.ToJson(message));
            await sendLock.WaitAsync().ConfigureAwait(false);
            try
            {
                await s.SendAsync(new ArraySegment<byte>(bytes), WebSocketMessageType.Text, true, CancellationToken.None)
                    .ConfigureAwait(false);
                return true;
            }
            catch (Exception e)
            {
                Log("send failed: " + e.Message);
                return false;
            }
            finally
            {
                sendLock.Release();
            }
        }

        /// <summary>The `hello` for the next connection, with the resume point if a stream was seen.</summary>
        public Hello BuildHello()
        {
            return new Hello
            {
                client = ClientKinds.Visitor,
                token = settings.Token,
                tour = settings.Tour,
                profile = new VisitorProfile { audience = settings.Audience, language = settings.Language },
                speech = settings.Speech,
                resume = resume.Point(),
            };
        }

        async Task RunAsync(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await ConnectOnceAsync(stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (CertificateMismatchException e)
                {
                    // Not a network hiccup: retrying would meet the same certificate.
                    GiveUp(e.Message);
                    return;
                }
                catch (Exception e)
                {
                    Log("connection lost: " + e.Message);
                }
                double delay = backoff.NextDelay();
                Log("reconnecting in " + delay.ToString("0.0") + " s");
                try { await Task.Delay(TimeSpan.FromSeconds(delay), stop).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }

        void GiveUp(string reason)
        {
            failure = reason;
            Log("not connecting: " + reason);
        }

        async Task<WebSocket> OpenAsync(CancellationToken stop)
        {
            var uri = new Uri(settings.Url);
            if (pin != null) return await PinnedSocket.ConnectAsync(uri, pin, stop).ConfigureAwait(false);
            var s = new ClientWebSocket();
            try
            {
                await s.ConnectAsync(uri, stop).ConfigureAwait(false);
                return s;
            }
            catch
            {
                s.Dispose();
                throw;
            }
        }

        async Task ConnectOnceAsync(CancellationToken stop)
        {
            using (var s = await OpenAsync(stop).ConfigureAwait(false))
            {
                Log("connected to " + settings.Url);
                // Hello first, then publish the socket: a SetSpeech meanwhile must not overtake it.
                var hello = BuildHello();
                await SendOnAsync(s, hello).ConfigureAwait(false);
                socket = s;
                try
                {
                    if (settings.Speech != hello.speech) // toggled while the hello was on its way
                        await SendOnAsync(s, new SpeechSetting { enabled = settings.Speech }).ConfigureAwait(false);
                    await ReceiveAllAsync(s, stop).ConfigureAwait(false);
                }
                finally
                {
                    socket = null;
                }
            }
        }

        async Task ReceiveAllAsync(WebSocket s, CancellationToken stop)
        {
            var buffer = new byte[16 * 1024];
            // A decoder keeps a UTF-8 character split between two reads (speech.audio frames are large).
            var utf8 = Encoding.UTF8.GetDecoder();
            var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
            var frame = new StringBuilder();
            while (s.State == WebSocketState.Open)
            {
                var result = await s.ReceiveAsync(new ArraySegment<byte>(buffer), stop).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Log("server closed: " + result.CloseStatus + " " + result.CloseStatusDescription);
                    break;
                }
                int n = utf8.GetChars(buffer, 0, result.Count, chars, 0, result.EndOfMessage);
                frame.Append(chars, 0, n);
                if (!result.EndOfMessage) continue;
                Deliver(frame.ToString());
                frame.Length = 0;
            }
        }

        void Deliver(string json)
        {
            GuideMessage message;
            try
            {
                message = GuideMessages.ParseServer(json);
            }
            catch (JsonException e)
            {
                Log("unreadable frame skipped: " + e.Message);
                return;
            }
            if (message == null) return; // a newer server's message type: ignored by design
            if (message is Welcome) backoff.Reset();
            resume.Note(message);
            inbox.Add(message);
        }
    }
}
