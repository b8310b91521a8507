// The guide client component: owns one GuideConnection and hands its messages to the
// scene on Unity's main thread.
using System;
using MuseumGuide.Protocol;
using UnityEngine;

namespace MuseumGuide
{
    /// <summary>Connects to the guide server and dispatches each message on the main thread.</summary>
    [DisallowMultipleComponent]
    [AddComponentMenu("Museum Guide/Guide Client")]
    public sealed class GuideClient : MonoBehaviour
    {
        [Tooltip("Server socket, token, tour and the visitor's profile.")]
        [SerializeField] VisitorSettings settings = new VisitorSettings();

        [Tooltip("Most messages handled per frame; the rest wait for the next frame.")]
        [SerializeField] int messagesPerFrame = 256;

        GuideConnection connection;
        int requestCounter;
        bool failureLogged;

        /// <summary>Every message from the server, on the main thread.</summary>
        public event Action<GuideMessage> MessageReceived;

        /// <summary>The visitor turned speech on (true) or off, on the main thread.</summary>
        public event Action<bool> SpeechChanged;

        /// <summary>The current exhibit from the last `tour.state` (null before one).</summary>
        public TourState Tour { get; private set; }

        public VisitorSettings Settings { get { return settings; } }
        public bool IsConnected { get { return connection != null && connection.IsOpen; } }
        /// <summary>Why the client gave up connecting (the server's certificate is not the pinned one...); null otherwise.</summary>
        public string Failure { get { return connection != null ? connection.Failure : null; } }

        void OnEnable()
        {
            failureLogged = false;
            connection = new GuideConnection(settings);
            connection.Log = line => pendingLog = line;
            connection.Start();
        }

        void OnDisable()
        {
            if (connection != null) connection.Stop();
            connection = null;
        }

        volatile string pendingLog;

        void Update()
        {
            var line = pendingLog;
            if (line != null) { pendingLog = null; Debug.Log("[guide] " + line); }
            if (connection == null) return;
            if (connection.Failure != null && !failureLogged)
            {
                failureLogged = true;
                Debug.LogError("[guide] " + connection.Failure);
            }
            GuideMessage message;
            for (int i = 0; i < messagesPerFrame && connection.TryReceive(out message); i++)
            {
                var state = message as TourState;
                if (state != null) Tour = state;
                var error = message as Error;
                if (error != null) Debug.LogWarning("[guide] " + error.code + ": " + error.message);
                if (MessageReceived != null) MessageReceived(message);
            }
        }

        /// <summary>A fresh request id for a question or goto from this headset.</summary>
        public string NextRequestId()
        {
            requestCounter++;
            return "unity-" + requestCounter + "-" + DateTime.UtcNow.Ticks.ToString("x");
        }

        /// <summary>Ask a question about the current exhibit (or `exhibitId`); returns its request id.</summary>
        public string Ask(string text, string exhibitId = null)
        {
            var q = new Question { request_id = NextRequestId(), text = text, exhibit_id = exhibitId };
            Send(q);
            return q.request_id;
        }

        /// <summary>Rate a description or answer from 1 to 5.</summary>
        public void Rate(string exhibitId, string requestId, int rating, string comment = null)
        {
            Send(new Feedback { exhibit_id = exhibitId, request_id = requestId, rating = rating, comment = comment });
        }

        /// <summary>Send the robot to an exhibit.</summary>
        public void GoTo(string exhibitId)
        {
            Send(new Goto { exhibit_id = exhibitId, request_id = NextRequestId() });
        }

        /// <summary>Turn speech on or off for this visitor; remembered for reconnects, sent now when connected.</summary>
        public async void SetSpeech(bool enabled)
        {
            bool changed = settings.Speech != enabled;
            settings.Speech = enabled;
            if (changed && SpeechChanged != null) SpeechChanged(enabled);
            // Not connected: the next hello carries it, so there is nothing to warn about.
            if (connection != null) await connection.SetSpeech(enabled);
        }

        /// <summary>Send any client message; logs a warning when not connected.</summary>
        public async void Send(GuideMessage message)
        {
            if (connection == null || !await connection.SendAsync(message))
                Debug.LogWarning("[guide] not connected: " + message.Type + " not sent");
        }
    }
}
