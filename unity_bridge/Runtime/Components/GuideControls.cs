// A small visitor UI: a question box, five rating buttons, a "take me there" button and a speech toggle.
using MuseumGuide.Protocol;
using TMPro;
using UnityEngine;
using UnityEngine.UI;

namespace MuseumGuide
{
    /// <summary>Wires UI widgets to the guide: ask, rate (1-5), send the robot to an exhibit, speech on/off.</summary>
    [AddComponentMenu("Museum Guide/Guide Controls")]
    public sealed class GuideControls : MonoBehaviour
    {
        [SerializeField] GuideClient client;
        [SerializeField] ExhibitPanel panel;
        [SerializeField] TMP_InputField questionInput;
        [SerializeField] Button askButton;
        [Tooltip("Five buttons: rating 1 to 5, in order.")]
        [SerializeField] Button[] ratingButtons = new Button[0];
        [SerializeField] Button gotoButton;
        [Tooltip("Exhibit for the goto button; empty means the panel's current exhibit.")]
        [SerializeField] string gotoExhibitId;
        [Tooltip("On: the guide speaks descriptions and answers (GuideSpeech plays them); off: text only.")]
        [SerializeField] Toggle speechToggle;
        [SerializeField] TextMeshPro status;

        bool failureShown;

        void Start()
        {
            if (askButton != null) askButton.onClick.AddListener(AskQuestion);
            if (questionInput != null) questionInput.onSubmit.AddListener(_ => AskQuestion());
            for (int i = 0; i < ratingButtons.Length; i++)
            {
                int rating = i + 1;
                if (ratingButtons[i] != null) ratingButtons[i].onClick.AddListener(() => Rate(rating));
            }
            if (gotoButton != null) gotoButton.onClick.AddListener(() => GoTo(gotoExhibitId));
            if (speechToggle != null)
            {
                if (client != null) speechToggle.SetIsOnWithoutNotify(client.Settings.Speech);
                speechToggle.onValueChanged.AddListener(SetSpeech);
            }
            if (client != null) client.MessageReceived += OnMessage;
        }

        void OnDestroy() { if (client != null) client.MessageReceived -= OnMessage; }

        /// <summary>Send the text in the question box.</summary>
        public void AskQuestion()
        {
            if (client == null || questionInput == null) return;
            string text = questionInput.text == null ? "" : questionInput.text.Trim();
            if (text.Length == 0) { Say("Type a question first."); return; }
            client.Ask(text, panel != null ? panel.ExhibitId : null);
            questionInput.text = "";
        }

        /// <summary>Rate the text on the panel.</summary>
        public void Rate(int rating)
        {
            if (client == null || panel == null || panel.ExhibitId == null) { Say("Nothing to rate yet."); return; }
            client.Rate(panel.ExhibitId, panel.ShownRequestId, rating);
        }

        /// <summary>Send the robot to `exhibitId`, or to the panel's exhibit when empty.</summary>
        public void GoTo(string exhibitId)
        {
            string target = string.IsNullOrEmpty(exhibitId) && panel != null ? panel.ExhibitId : exhibitId;
            if (client == null || string.IsNullOrEmpty(target)) { Say("Choose an exhibit first."); return; }
            client.GoTo(target);
            Say("On our way to " + target);
        }

        /// <summary>Turn the guide's voice on or off.</summary>
        public void SetSpeech(bool enabled)
        {
            if (client == null) return;
            client.SetSpeech(enabled);
            Say(enabled ? "The guide will speak." : "Text only.");
        }

        void OnMessage(GuideMessage message)
        {
            var saved = message as FeedbackSaved;
            if (saved != null) Say("Thank you - rating saved.");
            var error = message as Error;
            if (error == null) return;
            Say(error.message);
            // No voice for this language: show the toggle off, without sending `speech` back.
            if (error.code == ErrorCodes.SpeechUnavailable && speechToggle != null) speechToggle.SetIsOnWithoutNotify(false);
        }

        void Update()
        {
            // A refused certificate is not a server message: show it once the client gives up.
            if (client != null && client.Failure != null && !failureShown) { failureShown = true; Say(client.Failure); }
        }

        void Say(string text) { if (status != null) status.text = text; }
    }
}
