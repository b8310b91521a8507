// The guide's voice without Unity: `speech.audio` clips in, float samples at the output rate out.
//
// The server sends one clip per released sentence, after its delta and in seq order. Clips are
// decoded and resampled as they arrive (on Unity's main thread) and queued back to back; the
// audio thread takes samples with Read(), so consecutive sentences play without a gap and the
// queue's lock is held only to move samples. Kept free of UnityEngine so that it runs under mono.
using System;
using System.Collections.Generic;
using MuseumGuide.Protocol;

namespace MuseumGuide
{
    /// <summary>
    /// A bounded queue of one request's spoken sentences. Begin, Add, Clear and the setters belong to
    /// one thread (Unity's main thread); Read to another (the audio thread); both are safe together.
    /// </summary>
    public sealed class SpeechQueue
    {
        /// <summary>The only encoding the protocol has: little-endian signed 16-bit mono PCM.</summary>
        public const string Pcm16 = "pcm_s16le";

        /// <summary>What Add did with a clip.</summary>
        public enum Outcome
        {
            /// <summary>Queued behind the clips before it.</summary>
            Queued,
            /// <summary>Speech is off: dropped.</summary>
            Off,
            /// <summary>For a request other than the one being spoken (audio of a stream that was cut off): dropped.</summary>
            OtherRequest,
            /// <summary>A seq already queued (a resumed stream): dropped.</summary>
            Repeated,
            /// <summary>The queue holds MaxSeconds already: dropped, and counted in Dropped.</summary>
            Full,
            /// <summary>Not pcm_s16le, not base64, or a bad sample rate: dropped.</summary>
            Unreadable,
        }

        sealed class Chunk
        {
            public string RequestId;
            public int Seq;
            public float[] Samples;
        }

        readonly object gate = new object();
        readonly Queue<Chunk> chunks = new Queue<Chunk>();
        readonly double maxSeconds;
        // Under `gate`: what the audio thread reads.
        Chunk playing;
        int playedInChunk;
        int queuedSamples;
        // Main thread only.
        LinearResampler resampler;
        int outputRate;
        string requestId;
        int lastSeq = -1;
        bool enabled = true;

        /// <summary>A queue for an output at `outputRate` samples per second holding at most `maxSeconds` of speech.</summary>
        public SpeechQueue(int outputRate, double maxSeconds = 60)
        {
            if (outputRate <= 0) throw new ArgumentOutOfRangeException("outputRate", "the output sample rate must be positive");
            if (maxSeconds <= 0) throw new ArgumentOutOfRangeException("maxSeconds", "the queue must hold some speech");
            this.outputRate = outputRate;
            this.maxSeconds = maxSeconds;
        }

        /// <summary>Samples per second that Read produces; setting it drops what is queued (its samples are at the old rate).</summary>
        public int OutputRate
        {
            get { return outputRate; }
            set
            {
                if (value <= 0) throw new ArgumentOutOfRangeException("value", "the output sample rate must be positive");
                if (value == outputRate) return;
                outputRate = value;
                Clear();
            }
        }

        /// <summary>Most seconds of speech held ahead of playback.</summary>
        public double MaxSeconds { get { return maxSeconds; } }

        /// <summary>Off drops what is queued and every clip until it is on again.</summary>
        public bool Enabled
        {
            get { return enabled; }
            set { enabled = value; if (!value) Clear(); }
        }

        /// <summary>The request whose clips are accepted: the last started one.</summary>
        public string RequestId { get { return requestId; } }

        /// <summary>Clips refused because the queue was full, since it was made.</summary>
        public int Dropped { get; private set; }

        /// <summary>The request of the clip at the play position, or null when nothing is queued.</summary>
        public string PlayingRequestId { get { lock (gate) return Current() != null ? Current().RequestId : null; } }

        /// <summary>The seq (the delta's, so the sentence on the panel) at the play position, or -1.</summary>
        public int PlayingSeq { get { lock (gate) return Current() != null ? Current().Seq : -1; } }

        /// <summary>Seconds of speech not yet read.</summary>
        public double QueuedSeconds { get { lock (gate) return (double)queuedSamples / outputRate; } }

        /// <summary>
        /// A description or answer started: for another request than the current one, drop what is queued
        /// (the visitor moved on, or asked) and accept only its clips from now on. True for a new request.
        /// </summary>
        public bool Begin(string newRequestId)
        {
            if (newRequestId == requestId) return false; // a resumed stream: keep playing
            requestId = newRequestId;
            Clear();
            return true;
        }

        /// <summary>Decode and queue one `speech.audio` clip of the current request.</summary>
        public Outcome Add(SpeechAudio clip)
        {
            if (!enabled) return Outcome.Off;
            if (requestId == null) requestId = clip.request_id; // speech before any start was seen
            if (clip.request_id != requestId) return Outcome.OtherRequest;
            if (clip.seq <= lastSeq) return Outcome.Repeated;
            if (clip.encoding != Pcm16 || clip.sample_rate <= 0) return Outcome.Unreadable;
            float[] source;
            try { source = DecodePcm16(clip.audio); }
            catch (FormatException) { return Outcome.Unreadable; }

            if (resampler == null || resampler.SourceRate != clip.sample_rate)
                resampler = new LinearResampler(clip.sample_rate, outputRate);
            var next = resampler.Copy();
            float[] samples = next.Process(source);
            lock (gate)
            {
                if (queuedSamples + samples.Length > maxSeconds * outputRate)
                {
                    Dropped++;
                    resampler = null; // the stream has a hole now: start the next clip afresh
                    return Outcome.Full;
                }
                chunks.Enqueue(new Chunk { RequestId = clip.request_id, Seq = clip.seq, Samples = samples });
                queuedSamples += samples.Length;
            }
            resampler = next;
            lastSeq = clip.seq;
            return Outcome.Queued;
        }

        /// <summary>Drop everything queued (speech off, a new request); the current request stays.</summary>
        public void Clear()
        {
            lock (gate)
            {
                chunks.Clear();
                playing = null;
                playedInChunk = 0;
                queuedSamples = 0;
            }
            resampler = null;
            lastSeq = -1; // speech on again: the server speaks the current request from its start
        }

        /// <summary>Fill a mono `buffer` with queued speech, then silence; returns the samples of speech written.</summary>
        public int Read(float[] buffer)
        {
            return Read(buffer, 1);
        }

        /// <summary>
        /// Fill interleaved `data` (as OnAudioFilterRead gives it) with queued speech on every channel, then
        /// silence; returns the frames of speech written. Allocates nothing (the audio thread calls it).
        /// </summary>
        public int Read(float[] data, int channels)
        {
            if (channels < 1) throw new ArgumentOutOfRangeException("channels");
            int frames = data.Length / channels;
            int written = 0;
            lock (gate)
            {
                while (written < frames)
                {
                    var chunk = Current();
                    if (chunk == null) break;
                    int n = Math.Min(frames - written, chunk.Samples.Length - playedInChunk);
                    for (int i = 0; i < n; i++)
                    {
                        float s = chunk.Samples[playedInChunk + i];
                        int at = (written + i) * channels;
                        for (int c = 0; c < channels; c++) data[at + c] = s;
                    }
                    playedInChunk += n;
                    queuedSamples -= n;
                    written += n;
                }
                Current(); // move past a clip read to its end, so Playing* says what plays next
            }
            Array.Clear(data, written * channels, data.Length - written * channels);
            return written;
        }

        // Under `gate`: the clip at the play position, moving on past finished ones.
        Chunk Current()
        {
            while (playing == null || playedInChunk >= playing.Samples.Length)
            {
                if (chunks.Count == 0) { playing = null; return null; }
                playing = chunks.Dequeue();
                playedInChunk = 0;
            }
            return playing;
        }

        /// <summary>Base64 of little-endian signed 16-bit PCM as floats in [-1, 1).</summary>
        public static float[] DecodePcm16(string base64)
        {
            byte[] bytes = Convert.FromBase64String(base64 ?? "");
            if (bytes.Length % 2 != 0) throw new FormatException("16-bit PCM has an even number of bytes, not " + bytes.Length);
            var samples = new float[bytes.Length / 2];
            for (int i = 0; i < samples.Length; i++)
                samples[i] = (short)(bytes[2 * i] | (bytes[2 * i + 1] << 8)) / 32768f;
            return samples;
        }
    }

    /// <summary>
    /// Linear interpolation from one sample rate to another that carries its phase and last sample from
    /// chunk to chunk, so a sentence cut into clips joins without a click and keeps its duration.
    /// </summary>
    public sealed class LinearResampler
    {
        readonly double step; // source samples per output sample
        double position;      // source index of the next output sample, relative to the next chunk
        float previous;       // the last sample of the chunk before (index -1)

        public LinearResampler(int sourceRate, int outputRate)
        {
            if (sourceRate <= 0 || outputRate <= 0) throw new ArgumentOutOfRangeException("sourceRate", "sample rates must be positive");
            SourceRate = sourceRate;
            OutputRate = outputRate;
            step = (double)sourceRate / outputRate;
        }

        public int SourceRate { get; private set; }
        public int OutputRate { get; private set; }

        /// <summary>A resampler in the same state (to try a chunk without committing to it).</summary>
        public LinearResampler Copy()
        {
            return new LinearResampler(SourceRate, OutputRate) { position = position, previous = previous };
        }

        /// <summary>The next chunk at the output rate; what lies past its last sample comes with the next chunk.</summary>
        public float[] Process(float[] input)
        {
            int n = input.Length;
            if (n == 0) return new float[0];
            if (step == 1.0) { previous = input[n - 1]; return (float[])input.Clone(); }
            int count = position > n - 1 ? 0 : (int)Math.Floor((n - 1 - position) / step) + 1;
            var output = new float[count];
            for (int k = 0; k < count; k++)
            {
                double t = position + k * step;
                int i = (int)Math.Floor(t);
                float frac = (float)(t - i);
                float a = i < 0 ? previous : input[i];
                float b = i + 1 < n ? input[i + 1] : a;
                output[k] = a + (b - a) * frac;
            }
            position += count * step - n;
            previous = input[n - 1];
            return output;
        }
    }
}
