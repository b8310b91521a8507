// The guide's voice in the scene: plays each `speech.audio` clip through this object's AudioSource
// as it arrives, sentence after sentence, and stops when the visitor moves on or asks.
using MuseumGuide.Protocol;
using UnityEngine;

namespace MuseumGuide
{
    /// <summary>Speaks the guide's descriptions and answers through the AudioSource beside it.</summary>
    [RequireComponent(typeof(AudioSource))]
    [AddComponentMenu("Museum Guide/Guide Speech")]
    public sealed class GuideSpeech : MonoBehaviour
    {
        [SerializeField] GuideClient client;
        [Tooltip("Most seconds of speech held ahead of playback; clips beyond it are dropped.")]
        [SerializeField] float maxQueuedSeconds = 60f;

        AudioSource source;
        // Read on the audio thread: the reference is set before playback starts and never replaced.
        SpeechQueue queue;

        /// <summary>The request being spoken now, or null (for highlighting its text).</summary>
        public string PlayingRequestId { get { return queue != null ? queue.PlayingRequestId : null; } }
        /// <summary>The seq of the sentence being spoken now (its delta's), or -1.</summary>
        public int PlayingSeq { get { return queue != null ? queue.PlayingSeq : -1; } }
        /// <summary>The queue behind the AudioSource, for tools and tests.</summary>
        public SpeechQueue Queue { get { return queue; } }

        void Awake()
        {
            source = GetComponent<AudioSource>();
            queue = new SpeechQueue(AudioSettings.outputSampleRate, maxQueuedSeconds);
        }

        void OnEnable()
        {
            AudioSettings.OnAudioConfigurationChanged += OnAudioConfigurationChanged;
            Subscribe();
            Play();
        }

        void OnDisable()
        {
            AudioSettings.OnAudioConfigurationChanged -= OnAudioConfigurationChanged;
            Unsubscribe();
            queue.Clear();
        }

        /// <summary>Connect to a client at run time (for scenes built in code).</summary>
        public void Bind(GuideClient guide)
        {
            Unsubscribe();
            client = guide;
            if (isActiveAndEnabled) Subscribe();
        }

        void Subscribe()
        {
            if (client == null) return;
            client.MessageReceived += OnMessage;
            client.SpeechChanged += OnSpeechChanged;
            queue.Enabled = client.Settings.Speech;
        }

        void Unsubscribe()
        {
            if (client == null) return;
            client.MessageReceived -= OnMessage;
            client.SpeechChanged -= OnSpeechChanged;
        }

        // OnAudioFilterRead runs only while the source plays, so it loops a silent clip and the
        // speech is written over that silence.
        void Play()
        {
            if (source.clip == null)
            {
                int rate = AudioSettings.outputSampleRate;
                source.clip = AudioClip.Create("Guide speech (silence)", rate, 1, rate, false);
            }
            source.loop = true;
            if (!source.isPlaying) source.Play();
        }

        void OnMessage(GuideMessage message) { Speak(message); }

        /// <summary>Apply one server message to the voice (the bound client's messages come here).</summary>
        public void Speak(GuideMessage message)
        {
            switch (message.Type)
            {
                case DescriptionStart.TypeName: queue.Begin(((DescriptionStart)message).request_id); break;
                case AnswerStart.TypeName: queue.Begin(((AnswerStart)message).request_id); break;
                case SpeechAudio.TypeName:
                    var clip = (SpeechAudio)message;
                    var outcome = queue.Add(clip);
                    if (outcome == SpeechQueue.Outcome.Full || outcome == SpeechQueue.Outcome.Unreadable)
                        Debug.LogWarning("[guide] speech for " + clip.request_id + "/" + clip.seq + " dropped: " + outcome);
                    break;
            }
        }

        void OnSpeechChanged(bool enabled) { queue.Enabled = enabled; }

        void OnAudioConfigurationChanged(bool deviceWasChanged)
        {
            queue.OutputRate = AudioSettings.outputSampleRate;
            Play(); // a changed device stops every playing source
        }

        void OnAudioFilterRead(float[] data, int channels)
        {
            var q = queue;
            if (q != null) q.Read(data, channels);
        }
    }
}
