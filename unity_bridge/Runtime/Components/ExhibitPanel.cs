// The world-space text panel: streams a description, then answers, and says they were checked.
using System.Collections.Generic;
using System.Text;
using MuseumGuide.Protocol;
using TMPro;
using UnityEngine;

namespace MuseumGuide
{
    /// <summary>Shows the streamed description and answers of the current exhibit beside it.</summary>
    [AddComponentMenu("Museum Guide/Exhibit Panel")]
    public sealed class ExhibitPanel : MonoBehaviour
    {
        [SerializeField] GuideClient client;
        [SerializeField] TextMeshPro title;
        [SerializeField] TextMeshPro body;
        [Tooltip("One line for visitors: the text was checked against, or taken from, the museum's record.")]
        [SerializeField] TextMeshPro factCheck;

        readonly StringBuilder description = new StringBuilder();
        readonly StringBuilder answer = new StringBuilder();
        readonly Dictionary<string, int> nextSeq = new Dictionary<string, int>();
        string descriptionRequest;
        string answerRequest;
        string question;
        bool descriptionFromSummary;
        bool answerFromSummary;

        /// <summary>The exhibit shown now (from description.start or tour.state).</summary>
        public string ExhibitId { get; private set; }
        /// <summary>The request id of the text on the panel, for ratings.</summary>
        public string ShownRequestId { get { return answerRequest ?? descriptionRequest; } }
        public string DescriptionText { get { return description.ToString(); } }
        public string AnswerText { get { return answer.ToString(); } }

        void OnEnable() { if (client != null) client.MessageReceived += OnMessage; }
        void OnDisable() { if (client != null) client.MessageReceived -= OnMessage; }

        /// <summary>Connect to a client and text objects at run time (for scenes built in code).</summary>
        public void Bind(GuideClient guide, TextMeshPro titleText, TextMeshPro bodyText, TextMeshPro checkText)
        {
            if (client != null) client.MessageReceived -= OnMessage;
            client = guide;
            title = titleText;
            body = bodyText;
            factCheck = checkText;
            client.MessageReceived += OnMessage;
        }

        void OnMessage(GuideMessage message) { Show(message); }

        /// <summary>Apply one server message to the panel (the bound client's messages come here).</summary>
        public void Show(GuideMessage message)
        {
            switch (message.Type)
            {
                case TourState.TypeName: OnTourState((TourState)message); break;
                case DescriptionStart.TypeName: OnDescriptionStart((DescriptionStart)message); break;
                case DescriptionDelta.TypeName:
                    var dd = (DescriptionDelta)message;
                    if (dd.request_id == descriptionRequest) Append(description, dd.request_id, dd.seq, dd.first_seq, dd.text);
                    break;
                case DescriptionEnd.TypeName:
                    var de = (DescriptionEnd)message;
                    if (de.request_id != descriptionRequest) break;
                    if (description.Length == 0 && de.fallback_text != null)
                    {
                        description.Append(de.fallback_text);
                        descriptionFromSummary = true;
                    }
                    ShowFactCheck(de.fact_check, de.finish_reason, descriptionFromSummary);
                    break;
                case AnswerStart.TypeName:
                    var a = (AnswerStart)message;
                    answerRequest = a.request_id;
                    question = a.question;
                    answer.Length = 0;
                    answerFromSummary = false;
                    nextSeq[a.request_id] = 0;
                    break;
                case AnswerDelta.TypeName:
                    var ad = (AnswerDelta)message;
                    if (ad.request_id == answerRequest) Append(answer, ad.request_id, ad.seq, ad.first_seq, ad.text);
                    break;
                case AnswerEnd.TypeName:
                    var ae = (AnswerEnd)message;
                    if (ae.request_id != answerRequest) break;
                    if (answer.Length == 0 && ae.fallback_text != null)
                    {
                        answer.Append(ae.fallback_text);
                        answerFromSummary = true;
                    }
                    ShowFactCheck(ae.fact_check, ae.finish_reason, answerFromSummary);
                    break;
            }
            Render();
        }

        void OnTourState(TourState state)
        {
            if (state.exhibit_id == null || state.exhibit_id == ExhibitId) return;
            ExhibitId = state.exhibit_id;
            if (title != null) title.text = state.exhibit_title ?? state.exhibit_id;
            MoveBeside(state.exhibit_id);
        }

        void OnDescriptionStart(DescriptionStart start)
        {
            // The same description again (a resumed stream): keep the text already shown.
            if (start.request_id == descriptionRequest) return;
            descriptionRequest = start.request_id;
            ExhibitId = start.exhibit_id;
            description.Length = 0;
            answer.Length = 0;
            descriptionFromSummary = false;
            answerFromSummary = false;
            answerRequest = null;
            nextSeq[start.request_id] = 0;
            if (factCheck != null) factCheck.text = "";
            MoveBeside(start.exhibit_id);
        }

        void Append(StringBuilder target, string requestId, int seq, int? firstSeq, string text)
        {
            int expected;
            nextSeq.TryGetValue(requestId, out expected);
            int first = firstSeq ?? seq;
            if (seq < expected) return; // already shown (a resumed stream repeats nothing, but be safe)
            if (first > expected) Debug.LogWarning("[guide] gap in " + requestId + ": " + expected + ".." + (first - 1));
            target.Append(text);
            nextSeq[requestId] = seq + 1;
        }

        // Visitors see only released sentences, so this line never mentions withheld ones
        // (check.withheld is for curators and logs, not for the panel).
        void ShowFactCheck(FactCheck check, string finishReason, bool fromSummary)
        {
            if (factCheck == null) return;
            if (!fromSummary && (check == null || check.released == 0))
            {
                // Nothing was released to show: say only how the stream ended.
                factCheck.text = finishReason == FinishReasons.Stop ? "" : "(" + finishReason + ")";
                return;
            }
            bool fromRecord = fromSummary || check.fallback;
            factCheck.text = fromRecord ? "From the museum's record" : "Checked against the museum's record";
            factCheck.color = Color.green;
        }

        void Render()
        {
            if (body == null) return;
            body.text = answerRequest == null
                ? description.ToString()
                : description + "\n\nQ: " + question + "\nA: " + answer;
        }

        void MoveBeside(string exhibitId)
        {
            var anchor = ExhibitAnchor.Find(exhibitId);
            if (anchor == null) return;
            transform.position = anchor.transform.position + anchor.panelOffset;
            transform.rotation = anchor.transform.rotation;
        }
    }
}
