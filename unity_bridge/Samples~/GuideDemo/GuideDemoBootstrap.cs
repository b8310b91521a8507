// The sample "scene": add this component to an empty GameObject in an empty scene and press Play.
// It builds the robot twin, one anchor per exhibit given below, the text panel and the client in
// code, so the sample needs no scene asset and works in any render pipeline.
using MuseumGuide;
using TMPro;
using UnityEngine;

/// <summary>Builds a minimal guide scene at start-up and connects it to a local server.</summary>
public sealed class GuideDemoBootstrap : MonoBehaviour
{
    [SerializeField] VisitorSettings visitor = new VisitorSettings();

    [System.Serializable]
    public sealed class ExhibitSpot
    {
        public string id;
        public float x;
        public float y;
    }

    [Tooltip("Exhibit positions in the map frame (metres), as in exhibits/museum.json.")]
    [SerializeField] ExhibitSpot[] exhibits = new ExhibitSpot[0];

    void Awake()
    {
        var clientObject = new GameObject("Guide Client");
        clientObject.SetActive(false);
        var client = clientObject.AddComponent<GuideClient>();
        CopySettings(client.Settings);
        clientObject.SetActive(true);

        foreach (var spot in exhibits)
        {
            var marker = GameObject.CreatePrimitive(PrimitiveType.Cylinder);
            marker.name = "Exhibit " + spot.id;
            marker.transform.position = MapFrame.ToUnity(spot.x, spot.y, 0.5);
            marker.transform.localScale = new Vector3(0.4f, 0.5f, 0.4f);
            marker.SetActive(false);
            marker.AddComponent<ExhibitAnchor>().exhibitId = spot.id;
            marker.SetActive(true);
        }

        var robot = GameObject.CreatePrimitive(PrimitiveType.Capsule);
        robot.name = "Robot Twin";
        robot.AddComponent<RobotTwin>().Bind(client);

        var panelObject = new GameObject("Exhibit Panel");
        var title = Text(panelObject, "Title", 0.5f, 0.35f);
        var body = Text(panelObject, "Body", 0f, 0.18f);
        var check = Text(panelObject, "Fact check", -0.55f, 0.14f);
        panelObject.AddComponent<ExhibitPanel>().Bind(client, title, body, check);
    }

    void CopySettings(VisitorSettings target)
    {
        target.Url = visitor.Url;
        target.Token = visitor.Token;
        target.Tour = visitor.Tour;
        target.Audience = visitor.Audience;
        target.Language = visitor.Language;
    }

    static TextMeshPro Text(GameObject parent, string name, float height, float size)
    {
        var child = new GameObject(name);
        child.transform.SetParent(parent.transform, false);
        child.transform.localPosition = new Vector3(0f, height, 0f);
        var text = child.AddComponent<TextMeshPro>();
        text.fontSize = size * 10f;
        text.enableWordWrapping = true;
        text.alignment = TextAlignmentOptions.TopLeft;
        text.text = "";
        return text;
    }
}
